/**
 * Settings → Require a password (the `password` row of the settings table, ui 'custom').
 * Off: a suggested password of four words in large type (Show a new suggestion, or type your
 * own) and "Require this password". On: the password while the window still knows it (just
 * set), else "A password is set", with Copy, Change and Remove. The window sends the password
 * once (`password:set`); the shell keeps only its hash, so after a restart of the app the
 * window can no longer show it. Changing or removing it logs every visitor out.
 * Runs in: the renderer.
 */
import { useEffect, useState } from 'react';
import type { Settings } from '../../../electron/ipc-contract';
import { useApi } from '../../ui/app-context';
import { CopyButton } from '../../ui/copy-button';
import { FieldMessage } from '../../ui/field-message';

export interface PasswordSectionProps {
  readonly settings: Settings;
  readonly sharing: boolean;
  readonly onSettings: (s: Settings) => void;
}

type Mode = 'view' | 'edit';

export function PasswordSection({ settings, sharing, onSettings }: PasswordSectionProps) {
  const api = useApi();
  const isSet = settings.password !== null;
  /** The password as set in this window (the only time the window knows it). */
  const [shown, setShown] = useState<string | null>(null);
  const [mode, setMode] = useState<Mode>(isSet ? 'view' : 'edit');
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  /**
   * A new suggestion in the box. `onlyIfEmpty` (the editor opening): it arrives a moment later,
   * and must not overwrite what the person started typing meanwhile.
   */
  const suggest = async (onlyIfEmpty = false) => {
    try {
      const words = await api.invoke['password:suggest']();
      setDraft((typed) => (onlyIfEmpty && typed !== '' ? typed : words));
      setError(null);
    } catch {
      setError('Could not make a suggestion. Type a password instead.');
    }
  };

  useEffect(() => {
    if (mode === 'edit' && draft === '') void suggest(true);
    // Only when the editor opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [mode]);

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.invoke['password:set'](draft);
      if (!r.ok) {
        setError(r.message);
        return;
      }
      onSettings(r.value);
      setShown(draft.trim().replace(/\s+/g, ' '));
      setDraft('');
      setMode('view');
      setNote(sharing ? 'Password set. Sharing restarted: visitors now need the password.' : 'Password set.');
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Could not set the password.');
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.invoke['password:remove']();
      if (!r.ok) {
        setError(r.message);
        return;
      }
      onSettings(r.value);
      setShown(null);
      setDraft('');
      setMode('edit');
      setNote('Password removed. Anyone who can reach the address can open the folder again.');
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Could not remove the password.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="settings-section password-section" aria-labelledby="password-title">
      <h3 id="password-title">Require a password</h3>
      <p className="section-help">
        Visitors type a password before they see anything. People you give the QR code or a copied link get in without
        typing it.
      </p>
      {isSet && mode === 'view' ? (
        <>
          {shown !== null ? (
            <>
              <div className="field-label" id="password-now">Visitors need this password:</div>
              <div className="input-row">
                <output className="password-big" aria-labelledby="password-now" data-testid="password-shown">
                  {shown}
                </output>
                <CopyButton text={shown} label="Copy the password" caption="Copy" />
              </div>
            </>
          ) : (
            <p className="password-state" data-testid="password-state">
              A password is set. Servedir keeps only a scrambled form of it, so it cannot show it again; choose Change
              to set a new one.
            </p>
          )}
          <div className="input-row">
            <button type="button" className="btn btn-small" disabled={busy} onClick={() => setMode('edit')}>
              Change
            </button>
            <button type="button" className="btn btn-small btn-quiet" disabled={busy} onClick={() => void remove()}>
              Remove
            </button>
          </div>
        </>
      ) : (
        <>
          <label className="field-label" htmlFor="password-new">
            {isSet ? 'New password' : 'Password'}
          </label>
          <input
            id="password-new"
            type="text"
            className="password-big password-input"
            value={draft}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            aria-invalid={error !== null}
            aria-describedby="password-msg"
            onChange={(e) => {
              setDraft(e.target.value);
              setError(null);
            }}
            onKeyDown={(e) => {
              // Enter sets the password (not the Settings form around it).
              if (e.key === 'Enter') {
                e.preventDefault();
                if (!busy && draft.trim() !== '') void save();
              }
            }}
          />
          <div className="input-row">
            <button type="button" className="btn btn-small btn-primary" disabled={busy || draft.trim() === ''} onClick={() => void save()}>
              {isSet ? 'Save the new password' : 'Require this password'}
            </button>
            <button type="button" className="btn btn-small" disabled={busy} onClick={() => void suggest()}>
              Show a new suggestion
            </button>
            {isSet && (
              <button
                type="button"
                className="btn btn-small btn-quiet"
                disabled={busy}
                onClick={() => {
                  setMode('view');
                  setDraft('');
                  setError(null);
                }}
              >
                Cancel
              </button>
            )}
          </div>
          {error !== null ? (
            <FieldMessage id="password-msg" tone="error">{error}</FieldMessage>
          ) : (
            <FieldMessage id="password-msg" tone="hint">
              Four words are easy to say and to type on a phone. You can also type your own (at least 6 characters).
              {isSet && ' Changing it logs everyone out.'}
            </FieldMessage>
          )}
        </>
      )}
      {note !== null && (
        <div className="save-status" role="status">
          {note}
        </div>
      )}
    </section>
  );
}
