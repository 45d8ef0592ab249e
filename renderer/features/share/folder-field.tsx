/**
 * "Folder to share": a path field checked with `folder:check`, a native Choose… button
 * where the transport has one (Browse… and the folder browser in the browser mode), and
 * the recent folders. Runs in: the renderer.
 */
import type { FolderInfo } from '../../../electron/ipc-contract';
import { FieldMessage } from '../../ui/field-message';

export interface FolderFieldProps {
  readonly value: string;
  readonly info: FolderInfo | null;
  readonly error: string | null;
  readonly recent: readonly string[];
  /** False in the browser, which has no way to pick a folder by path. */
  readonly canChoose: boolean;
  /** A folder to show as an example (the user's home or Public folder), or ''. */
  readonly suggested: string;
  readonly disabled: boolean;
  readonly onChange: (path: string) => void;
  /** Check the path (on blur, Enter, pick). */
  readonly onCommit: (path: string) => void;
  readonly onChoose: () => void;
  /** Opens the folder browser (browser mode); the button gets focus back when it closes. */
  readonly onBrowse: () => void;
}

const nf = new Intl.NumberFormat();

export function FolderField(p: FolderFieldProps) {
  const msgId = 'folder-msg';
  return (
    <div className="field">
      <label htmlFor="folder-input" className="field-label">Folder to share</label>
      <div className="input-row">
        <input
          id="folder-input"
          type="text"
          className="mono"
          spellCheck={false}
          autoComplete="off"
          placeholder={p.canChoose ? 'Choose a folder…' : `For example ${p.suggested || '/home/you/Public'}`}
          value={p.value}
          disabled={p.disabled}
          aria-invalid={p.error !== null}
          aria-describedby={msgId}
          onChange={(e) => p.onChange(e.target.value)}
          onBlur={(e) => p.onCommit(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              // Enter checks the folder; it does not start sharing yet.
              e.preventDefault();
              p.onCommit(e.currentTarget.value);
            }
          }}
        />
        {p.canChoose ? (
          <button type="button" className="btn" disabled={p.disabled} onClick={p.onChoose}>
            Choose…
          </button>
        ) : (
          <button id="folder-browse" type="button" className="btn" disabled={p.disabled} onClick={p.onBrowse}>
            Browse…
          </button>
        )}
      </div>
      {p.error !== null ? (
        <FieldMessage id={msgId} tone="error">{p.error}</FieldMessage>
      ) : p.info !== null && p.info.path === p.value ? (
        <FieldMessage id={msgId} tone="ok">
          Folder found: {nf.format(p.info.entries)} {p.info.entries === 1 ? 'item' : 'items'} inside.
        </FieldMessage>
      ) : (
        <FieldMessage id={msgId} tone="hint">
          {p.canChoose
            ? 'Choose a folder, drop one on this window, or type its path.'
            : 'Browse for a folder, or type or paste its full path.'}
        </FieldMessage>
      )}
      {p.recent.length > 0 && (
        <select
          className="recent-select"
          aria-label="Recent folders"
          value=""
          disabled={p.disabled}
          onChange={(e) => {
            if (e.target.value !== '') p.onCommit(e.target.value);
          }}
        >
          <option value="">Recent folders…</option>
          {p.recent.map((f) => (
            <option key={f} value={f}>{f}</option>
          ))}
        </select>
      )}
    </div>
  );
}
