/**
 * Settings → Scripts (CGI): on/off with a plain warning, and the script folders.
 * Runs in: the renderer.
 */
import { FieldMessage } from '../../ui/field-message';

export interface CgiSectionProps {
  readonly enabled: boolean;
  readonly directories: readonly string[];
  readonly enabledError: string | null;
  readonly directoriesError: string | null;
  readonly onEnabled: (on: boolean) => void;
  readonly onDirectories: (dirs: string[]) => void;
}

export function CgiSection(p: CgiSectionProps) {
  const dirs = p.directories.length > 0 ? p.directories : [''];
  const setAt = (i: number, v: string) => p.onDirectories(dirs.map((d, j) => (j === i ? v : d)));
  return (
    <section className="settings-section" aria-labelledby="cgi-title">
      <h3 id="cgi-title">Scripts (CGI)</h3>
      <label className="check">
        <input
          type="checkbox"
          checked={p.enabled}
          aria-describedby="cgi-warning"
          aria-invalid={p.enabledError !== null}
          onChange={(e) => p.onEnabled(e.target.checked)}
        />
        <span>Run scripts in the script folders</span>
      </label>
      <FieldMessage id="cgi-warning" tone={p.enabledError ? 'error' : 'warning'}>
        {p.enabledError ??
          'Visitors can then run programs on this computer, with your user’s rights. Only turn this on for scripts you wrote or trust.'}
      </FieldMessage>
      <fieldset className="cgi-dirs" disabled={!p.enabled} aria-describedby="cgi-dirs-msg">
        <legend className="field-label">Script folders</legend>
        <ul>
          {dirs.map((d, i) => (
            <li key={i} className="input-row">
              <input
                type="text"
                className="mono"
                aria-label={`Script folder ${i + 1}`}
                aria-invalid={d.trim() !== '' && !d.trim().startsWith('/')}
                aria-describedby="cgi-dirs-msg"
                value={d}
                spellCheck={false}
                placeholder="/cgi-bin"
                onChange={(e) => setAt(i, e.target.value)}
              />
              <button
                type="button"
                className="btn btn-small btn-quiet"
                aria-label={`Remove script folder ${d || i + 1}`}
                disabled={dirs.length === 1}
                onClick={() => p.onDirectories(dirs.filter((_, j) => j !== i))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
        <button
          type="button"
          className="btn btn-small"
          disabled={dirs.length >= 16}
          onClick={() => p.onDirectories([...dirs, ''])}
        >
          Add a folder
        </button>
        {p.directoriesError !== null ? (
          <FieldMessage id="cgi-dirs-msg" tone="error">{p.directoriesError}</FieldMessage>
        ) : (
          <FieldMessage id="cgi-dirs-msg" tone="hint">
            Web paths inside the shared folder, like /cgi-bin. Files there run instead of being downloaded.
          </FieldMessage>
        )}
      </fieldset>
    </section>
  );
}
