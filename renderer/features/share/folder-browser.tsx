/**
 * "Browse…" for the browser mode, where a page cannot open the system's folder dialog: a
 * dialog listing folders (the shell's `folder:browse`: names of folders only), starting at
 * the home folder, with the recent folders at the top. Choosing a folder hands its path to
 * the folder box, which checks it exactly as a typed path.
 *
 * Runs in: the renderer. Keyboard: ↑/↓/Home/End/Page keys move in the list, Enter or →
 * opens the highlighted folder, Backspace or ← goes up, Escape closes. The dialog is modal
 * (`showModal`: the rest of the window is inert, so focus stays inside), and focus goes
 * back to the button that opened it.
 */
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { FolderListing } from '../../../electron/ipc-contract';
import { useApi } from '../../ui/app-context';

export interface FolderBrowserProps {
  /** Where to start: the folder in the box when it is a full path, else null (home). */
  readonly start: string | null;
  readonly recent: readonly string[];
  readonly onChoose: (path: string) => void;
  /** Closed without choosing (Escape, Cancel). */
  readonly onClose: () => void;
}

const nf = new Intl.NumberFormat();
const plural = (n: number, one: string, many: string): string => `${nf.format(n)} ${n === 1 ? one : many}`;

const errorText = (e: unknown): string =>
  e instanceof Error && e.message ? e.message : 'Something went wrong. Please try again.';

/** The last part of a path, for "Use “Pictures”" (the whole path when it is the top of a disk). */
function baseName(p: string): string {
  const parts = p.split(/[\\/]+/).filter((s) => s !== '');
  return parts.length > 0 && !/^[A-Za-z]:$/.test(parts[parts.length - 1]!) ? parts[parts.length - 1]! : p;
}

export function FolderBrowser({ start, recent, onChoose, onClose }: FolderBrowserProps) {
  const api = useApi();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const [listing, setListing] = useState<FolderListing | null>(null);
  const [active, setActive] = useState(0);
  const [showHidden, setShowHidden] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const seq = useRef(0);
  const uid = useId();
  const titleId = `${uid}-title`;
  const optionId = (i: number) => `${uid}-opt-${i}`;

  const go = useCallback(
    async (path: string | null, hidden: boolean, focusList: boolean, keepError = false): Promise<boolean> => {
      const n = ++seq.current;
      setLoading(true);
      try {
        const r = await api.invoke['folder:browse']({ path, showHidden: hidden });
        if (n !== seq.current) return false;
        if (r.ok) {
          setListing(r.value);
          setActive(0);
          if (!keepError) setError(null);
          if (focusList) listRef.current?.focus();
          return true;
        }
        // Stay where we were; say plainly why that folder cannot be shown.
        setError(r.message);
      } catch (e) {
        if (n === seq.current) setError(errorText(e));
      } finally {
        if (n === seq.current) setLoading(false);
      }
      return false;
    },
    [api],
  );

  useEffect(() => {
    const d = dialogRef.current;
    if (d && !d.open) d.showModal();
    void go(start, false, true).then((ok) => {
      // A folder in the box that cannot be listed: start at home instead (its error stays shown).
      if (!ok && start !== null) void go(null, false, true, true);
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Keep the highlighted folder in view.
  useEffect(() => {
    document.getElementById(optionId(active))?.scrollIntoView({ block: 'nearest' });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [active, listing]);

  const folders = listing?.folders ?? [];
  const up = () => {
    if (listing?.parent) void go(listing.parent, showHidden, true);
  };

  const onListKey = (e: KeyboardEvent<HTMLUListElement>) => {
    const last = folders.length - 1;
    const page = 8;
    let next: number | null = null;
    switch (e.key) {
      case 'ArrowDown':
        next = Math.min(active + 1, last);
        break;
      case 'ArrowUp':
        next = Math.max(active - 1, 0);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = last;
        break;
      case 'PageDown':
        next = Math.min(active + page, last);
        break;
      case 'PageUp':
        next = Math.max(active - page, 0);
        break;
      case 'Enter':
      case 'ArrowRight': {
        const f = folders[active];
        if (f) void go(f.path, showHidden, true);
        e.preventDefault();
        return;
      }
      case 'Backspace':
      case 'ArrowLeft':
        up();
        e.preventDefault();
        return;
      default:
        return;
    }
    e.preventDefault();
    if (last >= 0 && next !== null) setActive(Math.max(0, next));
  };

  // A modal dialog makes the window inert, but Tab past the last control would leave the
  // page for the browser's own bar: wrap around instead.
  const trapTab = (e: KeyboardEvent<HTMLDialogElement>) => {
    if (e.key !== 'Tab') return;
    const focusable = [
      ...e.currentTarget.querySelectorAll<HTMLElement>('button:not(:disabled), input:not(:disabled), [tabindex="0"]'),
    ].filter((el) => el.tabIndex >= 0 && el.getClientRects().length > 0);
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    } else if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    }
  };

  const left = listing ? listing.total - listing.folders.length : 0;
  return (
    <dialog
      ref={dialogRef}
      className="folder-browser"
      aria-labelledby={titleId}
      data-testid="folder-browser"
      onCancel={(e) => {
        // Escape: close through React so focus goes back to the Browse button.
        e.preventDefault();
        onClose();
      }}
      onKeyDown={trapTab}
    >
      <div className="fb-head">
        <h2 id={titleId}>Choose a folder to share</h2>
        <p className="fb-path mono" aria-live="polite" data-testid="fb-path">
          <span className="sr-only">Now showing </span>
          {listing?.path ?? 'Loading…'}
        </p>
        <div className="fb-tools">
          <button type="button" className="btn btn-small" disabled={!listing?.parent || loading} onClick={up}>
            ↑ Up one folder
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={!listing || listing.path === listing.home || loading}
            onClick={() => void go(null, showHidden, true)}
          >
            Home
          </button>
          <label className="check check-inline fb-hidden">
            <input
              type="checkbox"
              checked={showHidden}
              onChange={(e) => {
                setShowHidden(e.target.checked);
                if (listing) void go(listing.path, e.target.checked, false);
              }}
            />
            Show hidden folders
          </label>
        </div>
      </div>

      {recent.length > 0 && (
        <div className="fb-recent">
          <h3 className="fb-section">Recent folders</h3>
          <ul>
            {recent.map((r) => (
              <li key={r}>
                <button type="button" className="btn-link mono" title={r} onClick={() => void go(r, showHidden, true)}>
                  {r}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}

      {error !== null && (
        <p className="fb-error" role="alert">
          {error}
        </p>
      )}

      <h3 className="fb-section" id={`${uid}-list-label`}>
        Folders inside {listing ? `“${baseName(listing.path)}”` : ''}
      </h3>
      <ul
        ref={listRef}
        className="fb-list"
        role="listbox"
        tabIndex={0}
        aria-labelledby={`${uid}-list-label`}
        aria-activedescendant={folders.length > 0 ? optionId(active) : undefined}
        aria-busy={loading}
        onKeyDown={onListKey}
      >
        {folders.map((f, i) => (
          <li
            key={f.path}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'fb-item fb-item-active' : 'fb-item'}
            onClick={() => setActive(i)}
            onDoubleClick={() => void go(f.path, showHidden, true)}
          >
            <span className="fb-icon" aria-hidden="true">
              {f.link ? '↪' : '▸'}
            </span>
            <span className="fb-name">{f.name}</span>
            {f.link && <span className="fb-tag">link</span>}
            <button
              type="button"
              tabIndex={-1}
              className="btn btn-small btn-quiet fb-open"
              aria-label={`Open ${f.name}`}
              onClick={(e) => {
                e.stopPropagation();
                void go(f.path, showHidden, true);
              }}
            >
              Open
            </button>
          </li>
        ))}
      </ul>
      <p className="fb-note" data-testid="fb-note">
        {listing && folders.length === 0 && 'No folders inside this one. You can still choose it. '}
        {left > 0 &&
          `Showing the first ${nf.format(listing!.folders.length)} of ${plural(listing!.total, 'folder', 'folders')}; to reach another one, type its path in the folder box. `}
        {listing && listing.hiddenLeftOut > 0 && !showHidden && `${plural(listing.hiddenLeftOut, 'hidden folder is', 'hidden folders are')} not shown. `}
        {listing && folders.length > 0 && 'Arrow keys move, Enter opens a folder, Backspace goes up.'}
      </p>

      <div className="fb-actions">
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={!listing || loading}
          data-testid="fb-choose"
          onClick={() => listing && onChoose(listing.path)}
        >
          {listing ? `Choose “${baseName(listing.path)}”` : 'Choose this folder'}
        </button>
      </div>
    </dialog>
  );
}
