/**
 * Which network addresses to listen on: all, this computer only, one interface, or a
 * typed address. Runs in: the renderer.
 */
import type { NetInterface } from '../../../electron/ipc-contract';
import { FieldMessage } from '../../ui/field-message';

/** Select value meaning "type an address". */
export const CUSTOM_BIND = '__custom__';

export interface BindFieldProps {
  readonly interfaces: readonly NetInterface[];
  /** An interface address, '' (all), or {@link CUSTOM_BIND}. */
  readonly choice: string;
  readonly custom: string;
  readonly error: string | null;
  readonly disabled: boolean;
  readonly onChoice: (choice: string) => void;
  readonly onCustom: (text: string) => void;
}

/** Plain label of a bind address, for summaries. */
export function bindLabel(bind: string, interfaces: readonly NetInterface[]): string {
  const i = interfaces.find((x) => x.address === bind);
  if (i !== undefined) return i.label;
  return bind === '' ? 'All network interfaces' : bind;
}

export function BindField(p: BindFieldProps) {
  const msgId = 'bind-msg';
  const hasAll = p.interfaces.some((i) => i.address === '');
  return (
    <div className="field">
      <label htmlFor="bind-select" className="field-label">Who can connect</label>
      <select
        id="bind-select"
        value={p.choice}
        disabled={p.disabled}
        aria-invalid={p.error !== null && p.choice !== CUSTOM_BIND}
        aria-describedby={msgId}
        onChange={(e) => p.onChoice(e.target.value)}
      >
        {!hasAll && <option value="">All network interfaces</option>}
        {p.interfaces.map((i) => (
          <option key={`${i.name}|${i.address}`} value={i.address}>{i.label}</option>
        ))}
        <option value={CUSTOM_BIND}>Another address…</option>
      </select>
      {p.choice === CUSTOM_BIND && (
        <input
          type="text"
          className="mono bind-custom"
          aria-label="Address to listen on"
          placeholder="192.168.1.5 or fe80::1"
          spellCheck={false}
          value={p.custom}
          disabled={p.disabled}
          aria-invalid={p.error !== null}
          aria-describedby={msgId}
          onChange={(e) => p.onCustom(e.target.value)}
        />
      )}
      {p.error !== null ? (
        <FieldMessage id={msgId} tone="error">{p.error}</FieldMessage>
      ) : (
        <FieldMessage id={msgId} tone="hint">
          {p.choice === '127.0.0.1' || p.choice === '::1'
            ? 'Only this computer can open the folder.'
            : 'Other devices on your network can open the folder.'}
        </FieldMessage>
      )}
    </div>
  );
}
