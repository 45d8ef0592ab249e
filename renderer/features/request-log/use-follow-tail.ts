/**
 * Follow-the-newest-row behaviour for the virtualized log (chat-style `followOnAppend`).
 *
 * Runs in: the renderer. The view sticks to the bottom only while the user is already
 * there; once they scroll up it stays put (and keeps showing the same rows even while
 * old rows are dropped from the top), and the caller shows a "Latest" button.
 */
import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from 'react';

export interface FollowTail {
  /** True while the view is at the newest row. */
  readonly atEnd: boolean;
  /** Call from the scroll handler; returns whether the view is at the newest row. */
  readonly onScroll: () => boolean;
  readonly scrollToEnd: () => void;
}

/**
 * @param version changes on every publish
 * @param viewKey identity of the row index (filter/pause); a change means "new list"
 * @param startPos logical position of the first row; its growth = rows dropped at the top
 */
export function useFollowTail(
  ref: RefObject<HTMLElement | null>,
  version: number,
  viewKey: object,
  startPos: number,
  rowHeight: number,
): FollowTail {
  const atEndRef = useRef(true);
  const [atEnd, setAtEnd] = useState(true);
  const prev = useRef({ viewKey, startPos });

  const measure = useCallback((): boolean => {
    const el = ref.current;
    if (el === null) return atEndRef.current;
    const end = el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight / 2;
    atEndRef.current = end;
    setAtEnd(end);
    return end;
  }, [ref, rowHeight]);

  useLayoutEffect(() => {
    const el = ref.current;
    const p = prev.current;
    prev.current = { viewKey, startPos };
    if (el === null) return;
    if (atEndRef.current) {
      el.scrollTop = el.scrollHeight;
    } else if (p.viewKey === viewKey && startPos > p.startPos) {
      // Rows left the top of the list: move up by as much so the rows under the
      // user's eyes stay where they are.
      el.scrollTop = Math.max(0, el.scrollTop - (startPos - p.startPos) * rowHeight);
    }
  }, [ref, version, viewKey, startPos, rowHeight]);

  const scrollToEnd = useCallback(() => {
    const el = ref.current;
    atEndRef.current = true;
    setAtEnd(true);
    if (el !== null) el.scrollTop = el.scrollHeight;
  }, [ref]);

  return { atEnd, onScroll: measure, scrollToEnd };
}
