/**
 * The live request log: toolbar, counters and a virtualized fixed-row-height table.
 *
 * Runs in: the renderer. Rows come from the {@link LogStore} snapshot (published once
 * per frame); only the rows in view (plus a small overscan) are rendered, each row element
 * keyed by its place on screen so new rows reuse the elements of the rows they replace
 * (the row's seq stays its identity for selection and aria-activedescendant). Filter and
 * selection are component state; row data never is. */
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { LogDetails } from './log-details';
import { LogRow } from './log-row';
import { LogActions, LogToolbar } from './log-toolbar';
import { useFollowTail } from './use-follow-tail';
import { useLogSnapshot, type LogStore } from './log-store';
import { isFilterEmpty, type LogFilter } from './filters';
import { toCpythonText, toCsv } from './export';
import { downloadText, exportBaseName } from './download';
import { formatBytes } from './format';

/** Fixed row height in px; must match `--row-h` in styles.css. */
export const ROW_HEIGHT = 24;
/** Height of the sticky column header; must match `--header-h`. */
const HEADER_HEIGHT = 30;
const OVERSCAN = 8;

const nf = new Intl.NumberFormat();

export function RequestLog({
  store,
  sharing,
  onOpenFolder,
}: {
  readonly store: LogStore;
  readonly sharing: boolean;
  /** Opens where an upload went (the details' Open folder); a sentence when it could not. */
  readonly onOpenFolder?: (urlPath: string) => Promise<string | null>;
}) {
  const snap = useLogSnapshot(store);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState({ top: 0, height: 480 });
  const [selectedSeq, setSelectedSeq] = useState<number | null>(null);
  const [detailsOpen, setDetailsOpen] = useState(false);
  const follow = useFollowTail(scrollRef, snap.version, snap.viewKey, snap.startPos, ROW_HEIGHT);

  const measure = useCallback(() => {
    const el = scrollRef.current;
    if (el === null) return;
    const top = el.scrollTop;
    const height = el.clientHeight;
    setViewport((v) => (v.top === top && v.height === height ? v : { top, height }));
  }, []);
  useEffect(() => {
    const el = scrollRef.current;
    if (el === null) return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [measure]);

  const onScroll = () => {
    // At the newest row the rows drawn derive from the count, so the scroll that
    // following causes on every publish needs no second render.
    if (!follow.onScroll()) measure();
  };

  const selectedIndex = selectedSeq === null ? -1 : snap.indexOfSeq(selectedSeq);

  // Stable across publishes so memoized rows do not re-render just for a new callback.
  const snapRef = useRef(snap);
  snapRef.current = snap;
  const [focusDetails, setFocusDetails] = useState(false);
  const selectIndex = useCallback((i: number) => {
    const seq = snapRef.current.seqAt(i);
    if (seq === undefined) return;
    setSelectedSeq(seq);
    setDetailsOpen(true);
    setFocusDetails(false);
    scrollRef.current?.focus({ preventScroll: true });
  }, []);

  const moveTo = (i: number) => {
    const idx = Math.max(0, Math.min(snap.count - 1, i));
    const seq = snap.seqAt(idx);
    if (seq === undefined) return;
    setSelectedSeq(seq);
    const el = scrollRef.current;
    if (el !== null) {
      const top = HEADER_HEIGHT + idx * ROW_HEIGHT;
      // The sticky header covers the first HEADER_HEIGHT px of the viewport.
      if (top < el.scrollTop + HEADER_HEIGHT) el.scrollTop = top - HEADER_HEIGHT;
      else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
    }
  };

  const onKeyDown = (ev: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor(viewport.height / ROW_HEIGHT) - 1);
    const cur = selectedIndex;
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(cur < 0 ? 0 : cur + 1),
      ArrowUp: () => moveTo(cur < 0 ? snap.count - 1 : cur - 1),
      PageDown: () => moveTo(cur + page),
      PageUp: () => moveTo(cur - page),
      Home: () => moveTo(0),
      End: () => moveTo(snap.count - 1),
      Enter: () => {
        if (cur < 0) return;
        setDetailsOpen(true);
        setFocusDetails(true);
      },
      Escape: () => setDetailsOpen(false),
    };
    const action = keys[ev.key];
    if (action !== undefined) {
      ev.preventDefault();
      action();
    }
  };

  // Recomputed when the selection changes and, while open, a few times a second at
  // most: a connection's script output can arrive after its request row.
  const detailsTick = detailsOpen ? Math.floor(Date.now() / 250) : 0;
  const details = useMemo(
    () => (detailsOpen && selectedSeq !== null ? store.details(selectedSeq) : null),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [store, detailsOpen, selectedSeq, detailsTick],
  );

  const onFilter = useCallback((update: (f: LogFilter) => LogFilter) => store.updateFilter(update), [store]);
  const onPause = useCallback((p: boolean) => (p ? store.pause() : store.resume()), [store]);
  const onClear = useCallback(() => {
    store.clear();
    setSelectedSeq(null);
    setDetailsOpen(false);
  }, [store]);
  const onExport = useCallback((format: 'csv' | 'text') => {
    const base = exportBaseName();
    if (format === 'csv') downloadText(`${base}.csv`, '\ufeff' + toCsv(snapRef.current.entries()), 'text/csv;charset=utf-8');
    else downloadText(`${base}.log`, toCpythonText(store.textExportEntries()), 'text/plain;charset=utf-8');
  }, [store]);

  // While following, the rows to draw are the newest ones: derive them from the count so
  // a publish renders once, instead of once for the data and again after the scroll event.
  const visible = Math.ceil(viewport.height / ROW_HEIGHT);
  const first = follow.atEnd
    ? Math.max(0, snap.count - visible - 2)
    : Math.max(0, Math.floor((viewport.top - HEADER_HEIGHT) / ROW_HEIGHT) - OVERSCAN);
  const last = follow.atEnd
    ? snap.count
    : Math.min(snap.count, Math.ceil((viewport.top + viewport.height - HEADER_HEIGHT) / ROW_HEIGHT) + OVERSCAN);
  const rows = [];
  for (let i = first; i < last; i++) {
    const seq = snap.seqAt(i);
    rows.push(
      <LogRow
        // Keyed by place on screen, not by seq: at 5,000 requests/s every batch brings more
        // rows than the view holds, so seq keys would unmount and re-create every row each
        // frame; place keys reuse the same elements and only their text changes.
        key={i - first}
        entry={snap.entryAt(i)}
        index={i}
        top={i * ROW_HEIGHT}
        selected={seq !== undefined && seq === selectedSeq}
        domId={`log-row-${seq}`}
        onSelect={selectIndex}
      />,
    );
  }

  // Rows under the bottom edge of the view, for the "Latest" button.
  const below = follow.atEnd ? 0 : Math.max(0, snap.count - Math.floor((viewport.top + viewport.height - HEADER_HEIGHT) / ROW_HEIGHT));
  const c = snap.counters;
  const filtered = !isFilterEmpty(snap.filter);
  return (
    <section className="log" aria-labelledby="log-title">
      <header className="log-head">
        <h2 id="log-title">Requests</h2>
        {snap.paused && (
          <span className="notice-paused" role="status">
            Paused · {nf.format(snap.arrivedWhilePaused)} new {snap.arrivedWhilePaused === 1 ? 'entry' : 'entries'} waiting
          </span>
        )}
        <span className="toolbar-spacer" />
        <LogActions paused={snap.paused} onPause={onPause} onClear={onClear} onExport={onExport} />
      </header>
      <LogToolbar filter={snap.filter} methods={snap.methods} onFilter={onFilter} />
      <div className="log-body">
        <div
          ref={scrollRef}
          className="log-scroll"
          role="grid"
          aria-label="Request log"
          aria-rowcount={snap.count + 1}
          aria-activedescendant={selectedIndex >= 0 ? `log-row-${selectedSeq}` : undefined}
          tabIndex={0}
          onScroll={onScroll}
          onKeyDown={onKeyDown}
        >
          <div className="log-row log-header" role="row" aria-rowindex={1}>
            <div role="columnheader" className="c-time">Time</div>
            <div role="columnheader" className="c-client">Client</div>
            <div role="columnheader" className="c-method">Method</div>
            <div role="columnheader" className="c-path">Path</div>
            <div role="columnheader" className="c-status">Status</div>
            <div role="columnheader" className="c-bytes">Size</div>
            <div role="columnheader" className="c-dur">Took</div>
            <div role="columnheader" className="c-ua">User agent</div>
          </div>
          <div className="log-rows" style={{ height: snap.count * ROW_HEIGHT }}>
            {rows}
          </div>
          {snap.count === 0 && (
            <div className="log-empty">
              {snap.held > 0
                ? 'No rows match the filter.'
                : sharing
                  ? 'Waiting for visitors. Each file someone opens appears here.'
                  : 'When you share a folder, every file someone opens appears here.'}
            </div>
          )}
        </div>
        {!follow.atEnd && snap.count > 0 && (
          <button type="button" className={`btn btn-latest${detailsOpen ? ' beside-details' : ''}`} onClick={follow.scrollToEnd}>
            Latest ↓{below > 0 && <span className="latest-count"> · {nf.format(below)} below</span>}
          </button>
        )}
        {detailsOpen && selectedSeq !== null && (
          <LogDetails
            details={details}
            takeFocus={focusDetails}
            onOpenFolder={onOpenFolder}
            onClose={() => {
              setDetailsOpen(false);
              scrollRef.current?.focus();
            }}
          />
        )}
      </div>
      <footer className="log-foot">
        <dl className="counters" aria-label="Totals since the log was cleared">
          <div><dd data-testid="count-requests">{nf.format(c.requests)}</dd><dt>{c.requests === 1 ? 'request' : 'requests'}</dt></div>
          <div><dd data-testid="count-errors" className={c.errors > 0 ? 'has-errors' : ''}>{nf.format(c.errors)}</dd><dt>{c.errors === 1 ? 'error' : 'errors'}</dt></div>
          <div><dd data-testid="count-bytes">{formatBytes(c.bytesSent)}</dd><dt>sent</dt></div>
        </dl>
        <div className="log-notices" aria-live="polite">
          {filtered && <span>{nf.format(snap.count)} shown of {nf.format(snap.held)} kept</span>}
          {snap.droppedOld > 0 && (
            <span>
              <span data-testid="count-dropped-old">{nf.format(snap.droppedOld)}</span> older rows removed to save memory
            </span>
          )}
          {snap.notReceived > 0 && (
            <span className="notice-warn">
              <span data-testid="count-not-received">{nf.format(snap.notReceived)}</span> not received (too many at once)
            </span>
          )}
        </div>
      </footer>
    </section>
  );
}
