// What a row and its details say about a response that is not simply done (log-row.tsx,
// log-details.tsx).
import { describe, expect, it } from 'vitest';
import { bytesOf, outcomeBadge } from './log-row';
import { outcomeText, scriptErrorOutput } from './log-details';
import { entry } from './test-entries';

describe('outcome in a row', () => {
  it('says bytes so far of expected, the unit once when shared', () => {
    expect(bytesOf(4_200_000, 67_108_864)).toBe('4.2 of 67 MB');
    expect(bytesOf(512_000, 67_108_864)).toBe('512 kB of 67 MB');
    expect(bytesOf(6, null)).toBe('6 B');
  });

  it('badges in progress, incomplete and a failed script; none when done', () => {
    expect(outcomeBadge(entry({ outcome: 'in-progress', bodyBytes: 5_800_000, expectedBytes: 67_108_864 }))).toEqual({
      text: 'In progress: 5.8 of 67 MB',
      title: 'Still sending: 5.8 MB of 67 MB so far',
      tone: 'progress',
    });
    expect(outcomeBadge(entry({ outcome: 'incomplete', bodyBytes: 4_200_000, expectedBytes: null }))).toMatchObject({ text: 'Incomplete: 4.2 MB', tone: 'error' });
    expect(outcomeBadge(entry({ outcome: 'failed' }))).toMatchObject({ text: 'Script error', tone: 'error' });
    expect(outcomeBadge(entry({ outcome: 'done' }))).toBeNull();
  });
});

describe('outcome in the details', () => {
  it('says the state in words with exact bytes', () => {
    expect(outcomeText(entry({ outcome: 'done', bodyBytes: 6, expectedBytes: 6 }))).toBe('Complete: 6 of 6 bytes');
    expect(outcomeText(entry({ outcome: 'incomplete', bodyBytes: 1000, expectedBytes: 5000 }))).toMatch(/^Incomplete: only 1,000 of 5,000 bytes were sent/);
    expect(outcomeText(entry({ outcome: 'in-progress', bodyBytes: 10, expectedBytes: null }))).toBe('Still sending: 10 bytes so far');
  });

  it('the script error output of a request: its stderr and exit code, up to the next request on the connection', () => {
    const a = entry({ outcome: 'failed' });
    const err1 = entry({ kind: 'cgi-stderr', message: 'Traceback (most recent call last):' });
    const code = entry({ kind: 'error', message: 'CGI script exit code 1' });
    const note = entry({ kind: 'error', message: 'code 404, message File not found' });
    const b = entry();
    const err2 = entry({ kind: 'cgi-stderr', message: 'not this one' });
    expect(scriptErrorOutput([a, err1, code, note, b, err2], a).map((e) => e.message)).toEqual(['Traceback (most recent call last):', 'CGI script exit code 1']);
  });
});
