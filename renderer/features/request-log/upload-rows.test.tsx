// Files visitors sent (the `upload` log kind, server/log.ts): how a row, the filter and the
// details show them (log-row.tsx, filters.ts, log-details.tsx).
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { compileFilter, EMPTY_FILTER } from './filters';
import { LogDetails, outcomeText } from './log-details';
import { LogRow, outcomeBadge } from './log-row';
import { entry } from './test-entries';

const upload = (over: Parameters<typeof entry>[0] = {}) =>
  entry({ kind: 'upload', method: 'PUT', path: '/Photos/IMG%201.jpg', status: null, message: 'Saved “IMG 1.jpg” in /Photos/', ...over });

describe('upload rows', () => {
  it('badge bytes received while arriving, cut off and not saved; none once saved', () => {
    expect(outcomeBadge(upload({ outcome: 'in-progress', bodyBytes: 5_800_000, expectedBytes: 67_108_864 }))).toEqual({
      text: 'Receiving: 5.8 of 67 MB',
      title: 'Still arriving: 5.8 MB of 67 MB so far',
      tone: 'progress',
    });
    expect(outcomeBadge(upload({ outcome: 'incomplete', bodyBytes: 1000, expectedBytes: null }))).toMatchObject({ text: 'Cut off: 1.0 kB', tone: 'error' });
    expect(outcomeBadge(upload({ outcome: 'failed' }))).toMatchObject({ text: 'Not saved', tone: 'error' });
    expect(outcomeBadge(upload({ outcome: 'done' }))).toBeNull();
    expect(outcomeText(upload({ outcome: 'done', bodyBytes: 11 }))).toBe('Saved: 11 bytes');
    expect(outcomeText(upload({ outcome: 'in-progress', bodyBytes: 10, expectedBytes: 20 }))).toBe('Still arriving: 10 of 20 bytes so far');
  });

  it('a row says "upload", where the file went, its size and time', () => {
    const html = renderToStaticMarkup(
      <LogRow entry={upload({ bodyBytes: 2_400_000, durationMs: 850 })} index={0} top={0} selected={false} domId="r0" onSelect={() => {}} />,
    );
    expect(html).toContain('>upload<');
    expect(html).toContain('Saved “IMG 1.jpg” in /Photos/');
    expect(html).toContain('2.4 MB');
    expect(html).not.toContain('is-message');
  });

  it('are shown like requests when notes are hidden', () => {
    const keep = compileFilter({ ...EMPTY_FILTER, showMessages: false });
    expect(keep(upload())).toBe(true);
    expect(keep(entry({ kind: 'error', message: 'code 404' }))).toBe(false);
  });

  it('the details of a saved file offer Open folder (only with a way to open it, only once saved)', () => {
    const details = (e: ReturnType<typeof upload>) => ({ entry: e, connection: [e], truncated: false });
    const withOpen = renderToStaticMarkup(<LogDetails details={details(upload())} onClose={() => {}} takeFocus={false} onOpenFolder={async () => null} />);
    expect(withOpen).toContain('File received');
    expect(withOpen).toContain('Open folder');
    const without = renderToStaticMarkup(<LogDetails details={details(upload())} onClose={() => {}} takeFocus={false} />);
    expect(without).not.toContain('Open folder');
    const cut = renderToStaticMarkup(<LogDetails details={details(upload({ outcome: 'incomplete' }))} onClose={() => {}} takeFocus={false} onOpenFolder={async () => null} />);
    expect(cut).not.toContain('Open folder');
  });
});
