/**
 * Filter, pause, clear and export controls above the request log. Runs in: the renderer.
 */
import { memo, useEffect, useState } from 'react';
import { STATUS_CLASSES, type LogFilter, type StatusClass } from './filters';

export interface LogToolbarProps {
  readonly filter: LogFilter;
  readonly methods: readonly string[];
  /** Applies a change to the store's current filter. */
  readonly onFilter: (update: (current: LogFilter) => LogFilter) => void;
}

export interface LogActionsProps {
  readonly paused: boolean;
  readonly onPause: (paused: boolean) => void;
  readonly onClear: () => void;
  readonly onExport: (format: 'csv' | 'text') => void;
}

/** Pause, Clear and the two exports. */
export const LogActions = memo(function LogActions({ paused, onPause, onClear, onExport }: LogActionsProps) {
  return (
    <div className="log-actions" role="group" aria-label="Log actions">
      <button type="button" className={`btn btn-small${paused ? ' is-active' : ''}`} aria-pressed={paused} onClick={() => onPause(!paused)}>
        {paused ? 'Resume' : 'Pause'}
      </button>
      <button type="button" className="btn btn-small" onClick={onClear}>Clear</button>
      <div className="seg" role="group" aria-label="Export the rows shown">
        <span className="seg-label" aria-hidden="true">Export</span>
        <button type="button" className="seg-btn" aria-label="Export as CSV" title="Save the rows shown as a spreadsheet (CSV)" onClick={() => onExport('csv')}>
          CSV
        </button>
        <button type="button" className="seg-btn" aria-label="Export as text" title="Save the rows shown as text, in Python http.server’s log format (with the error lines of those requests)" onClick={() => onExport('text')}>
          Text
        </button>
      </div>
    </div>
  );
});

/** Text, status-class, method and message filters. */
export const LogToolbar = memo(function LogToolbar({ filter, methods, onFilter }: LogToolbarProps) {
  const [text, setText] = useState(filter.text);
  // Re-filtering 100,000 rows costs a few ms: wait for a pause in typing.
  useEffect(() => {
    if (text === filter.text) return;
    const t = setTimeout(() => onFilter((f) => ({ ...f, text })), 150);
    return () => clearTimeout(t);
  }, [text, filter, onFilter]);

  const toggleClass = (c: StatusClass) =>
    onFilter((f) => ({
      ...f,
      statusClasses: f.statusClasses.includes(c) ? f.statusClasses.filter((x) => x !== c) : [...f.statusClasses, c].sort(),
    }));

  return (
    <div className="log-toolbar" role="toolbar" aria-label="Request log controls">
      <div className="search">
        <svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14">
          <circle cx="7" cy="7" r="4.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
          <path d="M10.5 10.5 14 14" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
        </svg>
        <input
          type="search"
          aria-label="Filter requests by text"
          placeholder="Filter requests…"
          title="Matches the path, address, method, status, browser or message"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      <div className="seg" role="group" aria-label="Show statuses">
        {STATUS_CLASSES.map((c) => (
          <button
            key={c}
            type="button"
            className={`seg-btn s${c}xx`}
            aria-pressed={filter.statusClasses.includes(c)}
            title={`Show only ${c}xx answers (select several to combine)`}
            onClick={() => toggleClass(c)}
          >
            {c}xx
          </button>
        ))}
      </div>
      <select aria-label="Filter by method" value={filter.method} onChange={(e) => {
          const method = e.target.value;
          onFilter((f) => ({ ...f, method }));
        }}>
        <option value="">All methods</option>
        {methods.map((m) => (
          <option key={m} value={m}>{m}</option>
        ))}
      </select>
      <button
        type="button"
        className="btn btn-small btn-toggle"
        aria-pressed={filter.showMessages}
        title="Also list errors, notes and script output as rows"
        onClick={() => onFilter((f) => ({ ...f, showMessages: !f.showMessages }))}
      >
        Messages
      </button>
      <button
        type="button"
        className="btn btn-small btn-toggle"
        aria-pressed={filter.problemsOnly}
        title="Show only what went wrong: errors (4xx, 5xx), downloads cut short and scripts that failed"
        onClick={() => onFilter((f) => ({ ...f, problemsOnly: !f.problemsOnly }))}
      >
        Problems
      </button>
    </div>
  );
});
