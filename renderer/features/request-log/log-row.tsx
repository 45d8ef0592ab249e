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
};

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
  return (
    <div
      id={domId}
      className={`log-row${index % 2 ? " is-alt" : ""}${selected ? " is-selected" : ""}${isRequest ? "" : " is-message"}`}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      style={style}
      onClick={() => onSelect(index)}
    >
      <div role="gridcell" className="c-time">{formatClock(entry.time)}</div>
      <div role="gridcell" className="c-client" title={entry.clientAddress}>{entry.clientAddress}</div>
      <div role="gridcell" className="c-method">{isRequest ? displayText(entry.method) : KIND_LABEL[entry.kind]}</div>
      <div role="gridcell" className="c-path">{isRequest ? (entry.path !== null ? displayPath(entry.path) : displayText(entry.message)) : displayText(entry.message)}</div>
      <div role="gridcell" className={`c-status${cls ? ` s${cls}xx` : ''}`}>{entry.status ?? ''}</div>
      <div role="gridcell" className="c-bytes">{isRequest ? formatBytes(entry.bytesSent) : ''}</div>
      <div role="gridcell" className="c-dur">{isRequest ? formatDuration(entry.durationMs) : ''}</div>
      <div role="gridcell" className="c-ua">{displayText(entry.userAgent)}</div>
    </div>
  );
});
