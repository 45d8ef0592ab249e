/**
 * Port number with a plain warning below 1024 and a "Use a free port" action.
 * Runs in: the renderer.
 */
import { FieldMessage } from '../../ui/field-message';
import { parsePort, portWarning } from './validate';

export interface PortFieldProps {
  readonly value: string;
  readonly error: string | null;
  /** From a "port in use" failure: a port that was free a moment ago. */
  readonly suggestedPort: number | null;
  readonly disabled: boolean;
  readonly onChange: (text: string) => void;
  readonly onFreePort: () => void;
  readonly onUseSuggested: (port: number) => void;
}

export function PortField(p: PortFieldProps) {
  const parsed = parsePort(p.value);
  const warning = parsed.ok ? portWarning(parsed.value) : null;
  const msgId = 'port-msg';
  return (
    <div className="field">
      <label htmlFor="port-input" className="field-label">Port</label>
      <div className="input-row">
        <input
          id="port-input"
          className="port-input mono"
          type="text"
          inputMode="numeric"
          autoComplete="off"
          value={p.value}
          disabled={p.disabled}
          aria-invalid={p.error !== null}
          aria-describedby={msgId}
          onChange={(e) => p.onChange(e.target.value)}
        />
        <button type="button" className="btn btn-quiet" disabled={p.disabled} onClick={p.onFreePort}>
          Use a free port
        </button>
      </div>
      {p.error !== null ? (
        <FieldMessage id={msgId} tone="error">
          {p.error}
          {p.suggestedPort !== null && (
            <>
              {' '}
              <button type="button" className="btn btn-small btn-inline" onClick={() => p.onUseSuggested(p.suggestedPort!)}>
                Use port {p.suggestedPort}
              </button>
            </>
          )}
        </FieldMessage>
      ) : warning !== null ? (
        <FieldMessage id={msgId} tone="warning">{warning}</FieldMessage>
      ) : (
        <FieldMessage id={msgId} tone="hint">The number after the colon in the address, like :8000.</FieldMessage>
      )}
    </div>
  );
}
