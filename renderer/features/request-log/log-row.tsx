/**
 * One row of the virtualized request log. Runs in: the renderer.
 *
 * Every string here was chosen by a client: it is rendered as text (React escapes it),
 * never as HTML, and shown through displayText() so control and bidi characters are visible.
 */
import { memo } from 'react';
import type { RequestLogEntry } from '../../../server/log';
import { statusClassOf } from './filters';
import { displayPath, displayText, formatBytes, formatClock, formatDuration } from './format';

export interface LogRowProps {
  readonly entry: RequestLogEntry | undefined;
  readonly index: number;
  readonly top: number;
  readonly selected: boolean;
  readonly domId: string;
  readonly onSelect: (index: number) => void;
}

const KIND_LABEL: Readonly<Record<RequestLogEntry['kind'], string>> = {
  request: '',
  error: 'error',
  'cgi-stderr': 'script',
  message: 'note',
  event: 'share',
  upload: 'upload',
};

/** `4.2 of 67 MB` (the unit once when both share it), `512 kB of 67 MB`, or `4.2 MB` alone. */
export function bytesOf(done: number, expected: number | null): string {
  const d = formatBytes(done);
  if (expected === null || expected <= 0) return d;
  const e = formatBytes(expected);
  const unit = (s: string) => s.slice(s.lastIndexOf(' '));
  return unit(d) === unit(e) ? `${d.slice(0, d.lastIndexOf(' '))} of ${e}` : `${d} of ${e}`;
}

/**
 * What a request row says beside its path when it is not simply done: still sending, cut
 * short, or its script failed, short enough for a narrow column (`title` says it in full).
 * Sizes are the body's (headers are in the details).
 */
export function outcomeBadge(
  e: RequestLogEntry,
): { readonly text: string; readonly title: string; readonly tone: 'progress' | 'error' } | null {
  const of = e.expectedBytes !== null && e.expectedBytes > 0 ? ` of ${formatBytes(e.expectedBytes)}` : '';
  // A file a visitor sends (an upload): bytes received, not sent.
  if (e.kind === 'upload') {
    switch (e.outcome) {
      case 'in-progress':
        return { text: `Receiving: ${bytesOf(e.bodyBytes, e.expectedBytes)}`, title: `Still arriving: ${formatBytes(e.bodyBytes)}${of} so far`, tone: 'progress' };
      case 'incomplete':
        return { text: `Cut off: ${bytesOf(e.bodyBytes, e.expectedBytes)}`, title: 'The connection closed before the whole file arrived; nothing was kept', tone: 'error' };
      case 'failed':
        return { text: 'Not saved', title: 'Refused or not saved: the details say why', tone: 'error' };
      default:
        return null;
    }
  }
  switch (e.outcome) {
    case 'in-progress':
      return { text: `In progress: ${bytesOf(e.bodyBytes, e.expectedBytes)}`, title: `Still sending: ${formatBytes(e.bodyBytes)}${of} so far`, tone: 'progress' };
    case 'incomplete':
      return { text: `Incomplete: ${bytesOf(e.bodyBytes, e.expectedBytes)}`, title: `Cut short: only ${formatBytes(e.bodyBytes)}${of} were sent`, tone: 'error' };
    case 'failed':
      return { text: 'Script error', title: 'The script failed: its error output is in the details', tone: 'error' };
    default:
      return null;
  }
}

export const LogRow = memo(function LogRow({ entry, index, top, selected, domId, onSelect }: LogRowProps) {
  const style = { transform: `translateY(${top}px)` };
  if (entry === undefined) {
    return (
      <div className="log-row is-gone" role="row" aria-rowindex={index + 2} style={style}>
        <div role="gridcell" className="c-gone">(removed to save memory)</div>
      </div>
    );
  }
  const cls = statusClassOf(entry.status);
  const isRequest = entry.kind === 'request';
  // A file a visitor sent moves bytes like a request: its size, time and state show too.
  const movesBytes = isRequest || entry.kind === 'upload';
  const badge = movesBytes ? outcomeBadge(entry) : null;
  const look = movesBytes ? (badge ? ` is-${badge.tone}` : entry.kind === 'upload' ? ' is-upload' : '') : entry.kind === 'event' ? ' is-event' : ' is-message';
  return (
    <div
      id={domId}
      className={`log-row${index % 2 ? " is-alt" : ""}${selected ? " is-selected" : ""}${look}`}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      style={style}
      onClick={() => onSelect(index)}
    >
      <div role="gridcell" className="c-time">{formatClock(entry.time)}</div>
      <div role="gridcell" className="c-client" title={entry.clientAddress}>{entry.clientAddress}</div>
      <div role="gridcell" className="c-method">{isRequest ? displayText(entry.method) : KIND_LABEL[entry.kind]}</div>
      <div role="gridcell" className="c-path" aria-colspan={entry.kind === 'event' ? 5 : undefined}>
        <span className="path-text">{isRequest ? (entry.path !== null ? displayPath(entry.path) : displayText(entry.message)) : displayText(entry.message)}</span>
        {badge && <span className={`outcome-badge is-${badge.tone}`} title={badge.title}>{badge.text}</span>}
      </div>
      {entry.kind === 'event' ? null : (
        <>
          <div role="gridcell" className={`c-status${cls ? ` s${cls}xx` : ''}`}>{entry.status ?? ''}</div>
          <div role="gridcell" className="c-bytes">{movesBytes ? formatBytes(entry.bodyBytes) : ''}</div>
          <div role="gridcell" className="c-dur">{movesBytes ? formatDuration(entry.durationMs) : ''}</div>
          <div role="gridcell" className="c-ua">{displayText(entry.userAgent)}</div>
        </>
      )}
    </div>
  );
});
