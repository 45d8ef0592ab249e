/**
 * Request-log filters: pure predicates compiled once per filter change.
 *
 * Runs in: the renderer (pure). The log store tests each new entry once as it arrives
 * (incremental) and re-runs the predicate over the held rows only when the filter
 * itself changes (bounded by the ring capacity).
 */
import type { RequestLogEntry } from '../../../server/log';
import { displayPath } from './format';

/** Status classes the user can pick; an empty selection means "any status". */
export type StatusClass = 2 | 3 | 4 | 5;
export const STATUS_CLASSES: readonly StatusClass[] = [2, 3, 4, 5];

export interface LogFilter {
  /** Case-insensitive substring searched in path, client, method, status, user agent, message. */
  readonly text: string;
  readonly statusClasses: readonly StatusClass[];
  /** '' = any method. */
  readonly method: string;
  /**
   * Also list errors, messages and CGI script output as rows. Off by default: they
   * are shown grouped in a request's details instead.
   */
  readonly showMessages: boolean;
  /**
   * Only what went wrong: answers 400 and up, responses cut short (`incomplete`), scripts
   * that failed (`failed`, whatever their status), and the share's own events. The same
   * rows the footer counts as errors, so "2 errors" can be found with one click.
   */
  readonly problemsOnly: boolean;
}

export const EMPTY_FILTER: LogFilter = { text: '', statusClasses: [], method: '', showMessages: false, problemsOnly: false };

/** True when the filter hides nothing but the message rows (the common, fast case). */
export function isFilterEmpty(f: LogFilter): boolean {
  return f.text.trim() === '' && f.statusClasses.length === 0 && f.method === '' && !f.problemsOnly;
}

/** A request that went wrong (as the footer's error count counts it), or an event. */
export function isProblem(e: RequestLogEntry): boolean {
  if (e.kind === 'event') return true;
  return (e.status ?? 0) >= 400 || e.outcome === 'incomplete' || e.outcome === 'failed';
}

/** Status class of a status code (2 for 200–299), or null for none or out of range. */
export function statusClassOf(status: number | null): StatusClass | null {
  if (status === null) return null;
  const c = Math.floor(status / 100);
  return c >= 2 && c <= 5 ? (c as StatusClass) : null;
}

const has = (field: string | null, needle: string): boolean =>
  field !== null && field.toLowerCase().includes(needle);

/** Compiles a filter into a predicate. */
export function compileFilter(f: LogFilter): (e: RequestLogEntry) => boolean {
  const needle = f.text.trim().toLowerCase();
  const classes = f.statusClasses.length > 0 ? new Set<number>(f.statusClasses) : null;
  const method = f.method;
  const showMessages = f.showMessages;
  const problemsOnly = f.problemsOnly;
  return (e) => {
    // The share's own events (the folder gone or back) and files visitors sent (uploads) are
    // rows like requests: always news.
    if (e.kind !== 'request' && e.kind !== 'event' && e.kind !== 'upload' && !showMessages) return false;
    if (problemsOnly && e.kind !== 'error' && e.kind !== 'cgi-stderr' && e.kind !== 'message' && !isProblem(e)) return false;
    if (classes !== null) {
      const c = statusClassOf(e.status);
      if (c === null || !classes.has(c)) return false;
    }
    if (method !== '' && e.method !== method) return false;
    if (needle !== '') {
      return (
        has(e.path, needle) ||
        // What the table shows: "/2026 Lisbon/" matches a path sent as /2026%20Lisbon/.
        (e.path !== null && e.path.includes('%') && has(displayPath(e.path), needle)) ||
        has(e.clientAddress, needle) ||
        has(e.method, needle) ||
        (e.status !== null && String(e.status).includes(needle)) ||
        has(e.userAgent, needle) ||
        has(e.message, needle)
      );
    }
    return true;
  };
}
