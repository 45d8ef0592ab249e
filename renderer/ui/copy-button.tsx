/**
 * "Copy" button with a short "Copied" confirmation that screen readers hear too.
 * Runs in: the renderer. Uses the async clipboard API (127.0.0.1 and Electron's file
 * origin are secure contexts) and falls back to a hidden textarea where it is refused.
 */
import { useEffect, useState } from 'react';

async function writeClipboard(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.append(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    return ok;
  }
}

/**
 * `caption` shows a word beside the icon ("Copy"), for the one address a person is meant
 * to use, and the confirmation takes its place inside the button; without it the button
 * is the icon alone, as in lists, and the confirmation floats above it.
 */
export function CopyButton({
  text,
  label,
  caption,
  onCopied,
}: {
  readonly text: string;
  readonly label: string;
  readonly caption?: string;
  /** After a successful copy (the sharing card then mints a new one-time login key). */
  readonly onCopied?: () => void;
}) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 1800);
    return () => clearTimeout(t);
  }, [state]);
  return (
    <button
      type="button"
      className={`btn btn-small copy-btn${caption !== undefined ? ' has-caption' : ''}${state === 'copied' ? ' is-copied' : ''}`}
      aria-label={label}
      title="Copy address"
      onClick={() =>
        void writeClipboard(text).then((ok) => {
          setState(ok ? 'copied' : 'failed');
          if (ok) onCopied?.();
        })
      }
    >
      {state === 'copied' ? (
        <>
          <svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14">
            <path d="M3 8.5 6.5 12 13 4.5" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
          <span className="copy-note" aria-hidden="true">Copied</span>
        </>
      ) : (
        <svg aria-hidden="true" viewBox="0 0 16 16" width="15" height="15">
          <rect x="5.5" y="5.5" width="8" height="8" rx="1.6" fill="none" stroke="currentColor" strokeWidth="1.4" />
          <path d="M10.5 3.5v-.4A1.6 1.6 0 0 0 8.9 1.5H4.1A1.6 1.6 0 0 0 2.5 3.1v4.8a1.6 1.6 0 0 0 1.6 1.6h.4" fill="none" stroke="currentColor" strokeWidth="1.4" />
        </svg>
      )}
      {caption !== undefined && state === 'idle' && <span aria-hidden="true">{caption}</span>}
      {state === 'failed' && <span className="copy-note copy-note-bad" aria-hidden="true">Copy failed</span>}
      <span className="sr-only" role="status">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Could not copy' : ''}
      </span>
    </button>
  );
}
