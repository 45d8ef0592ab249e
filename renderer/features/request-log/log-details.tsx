/**
 * Details of one log row: every field, plus the errors, notes and CGI script output of
 * the same connection. Runs in: the renderer. Text only, never HTML.
 */
import { useEffect, useRef, useState } from 'react';
import type { RequestLogEntry } from '../../../server/log';
import type { RowDetails } from './log-store';
import { formatCpythonLine } from './cpython-format';
import { displayPath, displayText, formatBytes, formatDuration, statusText } from './format';

const KIND_TITLE: Readonly<Record<RequestLogEntry['kind'], string>> = {
  request: 'Request',
  error: 'Error',
  'cgi-stderr': 'Script output',
  message: 'Note',
  event: 'Sharing',
  upload: 'File received',
};

/**
 * The script's stderr lines and `CGI script …` errors logged for request `e`: the entries of
 * its connection after it, up to the connection's next request.
 */
export function scriptErrorOutput(connection: readonly RequestLogEntry[], e: RequestLogEntry): RequestLogEntry[] {
  const out: RequestLogEntry[] = [];
  const at = connection.indexOf(e);
  if (at < 0) return out;
  for (let i = at + 1; i < connection.length; i++) {
    const c = connection[i]!;
    if (c.kind === 'request') break;
    if (c.kind === 'cgi-stderr' || (c.kind === 'error' && c.message.startsWith('CGI script'))) out.push(c);
  }
  return out;
}

/** The state of a response (or of a file a visitor sends) in plain words, with its body bytes against what it announced. */
export function outcomeText(e: RequestLogEntry): string {
  const of = e.expectedBytes !== null ? ` of ${e.expectedBytes.toLocaleString()}` : '';
  const bytes = `${e.bodyBytes.toLocaleString()}${of} bytes`;
  if (e.kind === 'upload') {
    switch (e.outcome) {
      case 'in-progress':
        return `Still arriving: ${bytes} so far`;
      case 'incomplete':
        return `Cut off after ${bytes}: the visitor's connection closed, nothing was kept`;
      case 'failed':
        return 'Not saved (the message says why)';
      default:
        return `Saved: ${e.bodyBytes.toLocaleString()} bytes`;
    }
  }
  switch (e.outcome) {
    case 'in-progress':
      return `Still sending: ${bytes} so far`;
    case 'incomplete':
      return `Incomplete: only ${bytes} were sent (the visitor left, the file changed, or it could not be read)`;
    case 'failed':
      return 'Sent, but the script failed (its error output is above)';
    default:
      return `Complete: ${bytes}`;
  }
}

function Field({ name, value }: { readonly name: string; readonly value: string }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{value === '' ? '–' : value}</dd>
    </>
  );
}

export interface LogDetailsProps {
  readonly details: RowDetails | null;
  readonly onClose: () => void;
  /**
   * Opens, on this computer, the folder of the share a URL path names (where an upload went);
   * resolves with a sentence when it could not. Absent: no Open folder button.
   */
  readonly onOpenFolder?: (urlPath: string) => Promise<string | null>;
  /** Move focus into the panel (when opened from the keyboard). */
  readonly takeFocus: boolean;
}

export function LogDetails({ details, onClose, takeFocus, onOpenFolder }: LogDetailsProps) {
  const closeRef = useRef<HTMLButtonElement>(null);
  const [openProblem, setOpenProblem] = useState<string | null>(null);
  useEffect(() => setOpenProblem(null), [details?.entry]);
  useEffect(() => {
    if (takeFocus) closeRef.current?.focus();
  }, [takeFocus, details?.entry]);
  if (details === null) {
    return (
      <aside className="log-details" aria-label="Request details">
        <div className="details-head">
          <h3>Request details</h3>
          <button ref={closeRef} type="button" className="btn btn-small" onClick={onClose}>Close</button>
        </div>
        <p className="muted">This row is no longer in memory.</p>
      </aside>
    );
  }
  const e = details.entry;
  const when = new Date(e.time);
  // What the script said on stderr (and the exit code), right under the fields of a failed row.
  const scriptOutput = e.outcome === 'failed' ? scriptErrorOutput(details.connection, e) : [];
  return (
    <aside
      className="log-details"
      aria-label="Request details"
      onKeyDown={(ev) => {
        if (ev.key === 'Escape') onClose();
      }}
    >
      <div className="details-head">
        <h3>{e.kind === 'request' ? `${displayText(e.method)} ${statusText(e.status)}` : KIND_TITLE[e.kind]}</h3>
        <button ref={closeRef} type="button" className="btn btn-small" onClick={onClose}>Close</button>
      </div>
      <div className="details-body">
        {/* A failed script's output first: it is why the row is red. */}
        {e.outcome === 'failed' && (
          <>
            <h4>Script error output</h4>
            {scriptOutput.length === 0 ? (
              <p className="muted">The script wrote nothing more (it may be on an earlier page of the log).</p>
            ) : (
              <pre className="details-stderr">{scriptOutput.map((c) => displayText(c.message)).join('\n')}</pre>
            )}
          </>
        )}
        {e.kind === 'upload' && (
          <>
            <p className="details-upload">{displayText(e.message)}</p>
            {e.outcome === 'done' && e.path !== null && onOpenFolder && (
              <p>
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => {
                    const where = e.path!;
                    void onOpenFolder(where).then(setOpenProblem, () => setOpenProblem('The folder could not be opened.'));
                  }}
                >
                  Open folder
                </button>
                {openProblem !== null && <span className="form-error" role="alert"> {openProblem}</span>}
              </p>
            )}
          </>
        )}
        <dl className="details-fields">
          <Field name="Path" value={displayPath(e.path)} />
          {e.path !== null && displayPath(e.path) !== displayText(e.path) && <Field name="As sent" value={displayText(e.path)} />}
          <Field name="Time" value={`${when.toLocaleString()} (${when.toISOString()})`} />
          <Field name="Client" value={`${e.clientAddress} port ${e.clientPort}`} />
          <Field name="Protocol" value={displayText(e.protocol)} />
          <Field name="Status" value={statusText(e.status)} />
          {(e.kind === 'request' || e.kind === 'upload') && <Field name="State" value={outcomeText(e)} />}
          <Field name="Size" value={`${formatBytes(e.bodyBytes)} (${e.bodyBytes.toLocaleString()} bytes of body)`} />
          <Field name="Headers" value={`${e.headerBytes.toLocaleString()} bytes`} />
          <Field name="Bytes sent" value={`${formatBytes(e.bytesSent)} (${e.bytesSent.toLocaleString()} bytes, headers and body)`} />
          <Field name="Duration" value={formatDuration(e.durationMs)} />
          <Field name="User agent" value={displayText(e.userAgent)} />
          <Field name="Referer" value={displayText(e.referer)} />
          <Field name="Connection" value={`#${e.connectionId}`} />
          <Field name="Log line" value={formatCpythonLine(e).trimEnd()} />
        </dl>
        <h4>On this connection</h4>
        {details.truncated && <p className="muted">Showing the newest {details.connection.length} entries.</p>}
        <ol className="details-conn">
          {details.connection.map((c, i) => (
            <li key={i} className={`conn-${c.kind}${c === e ? ' is-current' : ''}`}>
              <span className="conn-kind">{KIND_TITLE[c.kind]}</span>
              <pre>{displayText(c.message)}</pre>
            </li>
          ))}
        </ol>
      </div>
    </aside>
  );
}
