/**
 * HTTP/1.0 or HTTP/1.1, with one line on what the choice changes. Runs in: the renderer.
 */
import type { ProtocolVersion } from '../../../electron/ipc-contract';

const EXPLAIN: Readonly<Record<ProtocolVersion, string>> = {
  'HTTP/1.0': 'Closes the connection after each file, like Python’s http.server. Most compatible.',
  'HTTP/1.1': 'Keeps connections open between files, so pages with many pictures load faster.',
};

export interface ProtocolFieldProps {
  readonly value: ProtocolVersion;
  readonly disabled: boolean;
  readonly error: string | null;
  readonly onChange: (v: ProtocolVersion) => void;
}

export function ProtocolField({ value, disabled, error, onChange }: ProtocolFieldProps) {
  return (
    <fieldset className="field" disabled={disabled} aria-describedby="protocol-msg">
      <legend className="field-label">Protocol</legend>
      <div className="seg seg-wide">
        {(['HTTP/1.0', 'HTTP/1.1'] as const).map((v) => (
          <label key={v} className={`seg-btn${value === v ? ' is-on' : ''}`}>
            <input type="radio" name="protocol" value={v} checked={value === v} onChange={() => onChange(v)} />
            {v}
          </label>
        ))}
      </div>
      <div id="protocol-msg" className={`field-msg field-msg-${error ? 'error' : 'hint'}`} role={error ? 'alert' : undefined}>
        {error ?? EXPLAIN[value]}
      </div>
    </fieldset>
  );
}
