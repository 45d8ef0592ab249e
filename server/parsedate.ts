/**
 * Pure Node. Port of CPython v3.13.0 `Lib/email/_parseaddr.py` `_parsedate_tz` and of what
 * `email.utils.parsedate_to_datetime` plus `SimpleHTTPRequestHandler.send_head` make of its
 * result: the If-Modified-Since value as UTC epoch seconds, or null where CPython ignores it.
 */
import { pyInt } from './py-text.js';

const MONTHNAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec',
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october',
  'november', 'december'];
const DAYNAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const TIMEZONES: Record<string, number> = {
  UT: 0, UTC: 0, GMT: 0, Z: 0, AST: -400, ADT: -300, EST: -500, EDT: -400, CST: -600, CDT: -500,
  MST: -700, MDT: -600, PST: -800, PDT: -700,
};

/** `_parsedate_tz`: [yy, mm, dd, hh, mm, ss, tzoffset-seconds | null], or null. */
export function parsedateTz(input: string): [number, number, number, number, number, number, number | null] | null {
  if (!input) return null;
  let data = input.split(/[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0]+/).filter((w) => w !== '');
  if (data.length === 0) return null;
  if (data[0]!.endsWith(',') || DAYNAMES.includes(data[0]!.toLowerCase())) {
    data.shift();
  } else {
    const i = data[0]!.lastIndexOf(',');
    if (i >= 0) data[0] = data[0]!.slice(i + 1);
  }
  if (data.length === 3) {
    const stuff = data[0]!.split('-');
    if (stuff.length === 3) data = [...stuff, ...data.slice(1)];
  }
  if (data.length === 4) {
    const s = data[3]!;
    let i = s.indexOf('+');
    if (i === -1) i = s.indexOf('-');
    if (i > 0) data = [...data.slice(0, 3), s.slice(0, i), s.slice(i)];
    else data.push('');
  }
  if (data.length < 5) return null;
  let [dd, mm, yy, tm, tz] = data.slice(0, 5) as [string, string, string, string, string];
  if (!(dd && mm && yy)) return null;
  mm = mm.toLowerCase();
  if (!MONTHNAMES.includes(mm)) {
    [dd, mm] = [mm, dd.toLowerCase()];
    if (!MONTHNAMES.includes(mm)) return null;
  }
  let month = MONTHNAMES.indexOf(mm) + 1;
  if (month > 12) month -= 12;
  if (dd.endsWith(',')) dd = dd.slice(0, -1);
  if (yy.indexOf(':') > 0) [yy, tm] = [tm, yy];
  if (yy.endsWith(',')) {
    yy = yy.slice(0, -1);
    if (!yy) return null;
  }
  if (!/^[0-9]/.test(yy)) [yy, tz] = [tz, yy];
  if (tm.endsWith(',')) {
    tm = tm.slice(0, -1);
    if (!tm) return null;
  }
  let parts = tm.split(':');
  let thh: string, tmm: string, tss: string;
  if (parts.length === 2) [thh, tmm, tss] = [parts[0]!, parts[1]!, '0'];
  else if (parts.length === 3) [thh, tmm, tss] = parts as [string, string, string];
  else if (parts.length === 1 && parts[0]!.includes('.')) {
    parts = parts[0]!.split('.');
    if (parts.length === 2) [thh, tmm, tss] = [parts[0]!, parts[1]!, '0'];
    else if (parts.length === 3) [thh, tmm, tss] = parts as [string, string, string];
    else return null;
  } else return null;
  const nums = [yy, dd, thh, tmm, tss].map(pyInt);
  if (nums.some((n) => n === null)) return null;
  let [year, day, hh, mi, ss] = nums as number[];
  if (year! < 100) year! += year! > 68 ? 1900 : 2000;
  let tzoffset: number | null = null;
  const tzu = tz.toUpperCase();
  if (Object.prototype.hasOwnProperty.call(TIMEZONES, tzu)) tzoffset = TIMEZONES[tzu]!;
  else {
    tzoffset = pyInt(tzu);
    if (tzoffset === 0 && tzu.startsWith('-')) tzoffset = null;
  }
  if (tzoffset) {
    const sign = tzoffset < 0 ? -1 : 1;
    const t = Math.abs(tzoffset);
    tzoffset = sign * (Math.floor(t / 100) * 3600 + (t % 100) * 60);
  }
  return [year!, month, day!, hh!, mi!, ss!, tzoffset];
}

function daysInMonth(y: number, m: number): number {
  return [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/**
 * The If-Modified-Since value as UTC epoch seconds, or null when CPython ignores it
 * (unparseable, out of range, or a non-UTC offset). No zone and `-0000` count as UTC.
 */
export function imsEpochSeconds(value: string): number | null {
  const p = parsedateTz(value);
  if (!p) return null;
  const [y, mo, d, h, mi, s, tz] = p;
  // datetime(...) validation (ValueError / OverflowError are ignored by send_head).
  if (y < 1 || y > 9999 || d < 1 || d > daysInMonth(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return null;
  if (tz !== null) {
    if (Math.abs(tz) >= 86400) return null; // timezone() refuses offsets of a day or more
    if (tz !== 0) return null; // a non-UTC timezone is not compared
  }
  const dt = new Date(0);
  dt.setUTCFullYear(y, mo - 1, d);
  dt.setUTCHours(h, mi, s, 0);
  return dt.getTime() / 1000;
}
