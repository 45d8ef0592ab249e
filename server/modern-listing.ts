/**
 * Pure Node. The "modern" directory listing (the `listing` setting: the app's default, the
 * CLI's `--listing modern`; not in CPython: PORT NOTE 27): a page made for a visitor's phone.
 * Folders first; name, size and date of each entry; sorting by name, size or date through
 * plain links (`?sort=size&order=desc`: no JavaScript at all); breadcrumbs; rows that are
 * large tap targets; light and dark (`prefers-color-scheme`); everything inline, under a
 * strict Content-Security-Policy (the one stylesheet allowed by its hash, images only as
 * `data:` URLs, nothing else).
 *
 * Names are quoted and escaped as CPython's `list_directory` does (listing.ts `quoteName`,
 * `escapeName`: `quote(errors='surrogatepass')` in hrefs, `html.escape(quote=False)` in text,
 * the page encoded with `surrogateescape`, so a name that is not valid UTF-8 links to itself),
 * and never appear in any other attribute; each name is also isolated (`<bdi>`), so a
 * right-to-left mark in one cannot reorder the text around it, and an explicit direction
 * control in it is shown as a tag (`U+202E`) rather than applied (`displayName`).
 *
 * This module renders; `modern-listing-cache.ts` reads the folder, keeps its rows and
 * rendered rows, and knows when they are stale.
 */
import { createHash } from 'node:crypto';
import { escapeName, quoteName } from './listing.js';
import { normpath, unquoteSurrogatePassOrReplace } from './py-text.js';

/** What a listing can be sorted by. */
export type SortKey = 'name' | 'size' | 'date';
export type SortOrder = 'asc' | 'desc';

/** How a listing is shown: its sort, from the query (`?sort=…&order=…`). */
export interface ListingView {
  readonly sort: SortKey;
  readonly order: SortOrder;
}

export const DEFAULT_VIEW: ListingView = { sort: 'name', order: 'asc' };

/** The order a column starts in when its link is first followed: A→Z, largest and newest first. */
const FIRST_ORDER: Readonly<Record<SortKey, SortOrder>> = { name: 'asc', size: 'desc', date: 'desc' };

/**
 * The view a query string asks for (`sort=name|size|date`, `order=asc|desc`; anything else
 * is ignored and the default taken: the links only ever make these).
 */
export function parseListingQuery(query: string): ListingView {
  let sort: SortKey = DEFAULT_VIEW.sort;
  let order: SortOrder | null = null;
  if (query !== '') {
    for (const pair of query.split('&')) {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      if (key === 'sort' && (value === 'name' || value === 'size' || value === 'date')) sort = value;
      else if (key === 'order' && (value === 'asc' || value === 'desc')) order = value;
    }
  }
  return { sort, order: order ?? FIRST_ORDER[sort] };
}

/** The query of a view, `&` escaped for an attribute; '' for the default view (clean URLs). */
export function viewQuery(view: ListingView): string {
  if (view.sort === DEFAULT_VIEW.sort && view.order === DEFAULT_VIEW.order) return '';
  return `?sort=${view.sort}&amp;order=${view.order}`;
}

/** A key for a view (the rendered rows are kept per view). */
export const viewKey = (view: ListingView): string => view.sort + ':' + view.order;

// ---------------------------------------------------------------------------------------
// One entry

/** One entry of a folder as the modern listing shows it. */
export interface ListingRow {
  /** The name (decoded from its bytes with `surrogateescape`). */
  readonly name: string;
  /** A symbolic link (shown with its target's kind, size and date). */
  readonly link: boolean;
  /** A folder (for a link: one that leads to a folder). */
  dir: boolean;
  /** Bytes; -1 when unknown (the stat failed: a dangling link, no permission). */
  size: number;
  /** Modification time in ms since the epoch; -1 when unknown. */
  mtimeMs: number;
}

const SIZE_UNITS = ['KB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/**
 * A size in plain units: bytes below 1 KB, else one decimal of the largest unit that keeps
 * the number below 1024 (1 KB = 1024 bytes, as Windows and nginx count).
 */
export function formatSize(bytes: number): string {
  if (bytes < 0) return '—';
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (unit < SIZE_UNITS.length - 1 && Number(value.toFixed(1)) >= 1024) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${SIZE_UNITS[unit]}`;
}

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

/**
 * A date as `2026-12-06 14:03`, in the time zone of the computer sharing the folder (its
 * visitors are on the same network, nearly always in the same zone; the page says which).
 */
export function formatDate(ms: number): string {
  if (ms < 0 || !Number.isFinite(ms)) return '—';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** The time zone the dates are in, as `UTC+01:00` (at `ms`). */
export function formatZone(ms: number): string {
  const off = -new Date(ms).getTimezoneOffset();
  const sign = off < 0 ? '−' : '+';
  const abs = Math.abs(off);
  return `UTC${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/**
 * The parts of one entry's line, rendered once per state of the entry: `head` up to the end
 * of its href, `tail` after it. A folder's href takes the view's query in between, so the
 * sort carries on into it.
 */
export interface RenderedRow {
  readonly head: string;
  readonly tail: string;
}

/**
 * The explicit direction controls (embeddings, overrides, isolates: U+202A–U+202E,
 * U+2066–U+2069). Inside a name they reorder its own letters: `U+202E gpj.exe` shows as
 * "exe.jpg" and is an .exe file.
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;
const HAS_BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

/**
 * A name as the page shows it: escaped as CPython escapes it (`html.escape(quote=False)`),
 * with each explicit direction control shown as a visible `U+202E` tag instead of applied,
 * so a name reads in the order of its characters (the href keeps every byte). The `<bdi>`
 * around it keeps the rest of the line out of its direction.
 */
export function displayName(name: string): string {
  const escaped = escapeName(name);
  if (!HAS_BIDI_CONTROL.test(escaped)) return escaped;
  return escaped.replace(BIDI_CONTROLS, (c) => `<span class="ctl">U+${c.charCodeAt(0).toString(16).toUpperCase()}</span>`);
}

/** The entry's line without the view (see `RenderedRow`). */
export function renderRow(row: ListingRow): RenderedRow {
  const kind = row.dir ? 'd' : 'f';
  const cls = row.link ? kind + ' l' : kind;
  const href = quoteName(row.dir ? row.name + '/' : row.name);
  const size = row.dir ? 'Folder' : formatSize(row.size);
  return {
    head: '<li><a href="' + href,
    tail: `" class="${cls}"><bdi>${displayName(row.name)}</bdi><span>${size}</span><time>${formatDate(row.mtimeMs)}</time></a></li>\n`,
  };
}

// ---------------------------------------------------------------------------------------
// Sorting

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** By name as people read them (`file 2` before `file 10`, case aside), then by code point. */
export function compareNames(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * `rows` in the order of `view`: folders first, then by the key (ties by name); a size sort
 * keeps folders by name (they have none). Returns a new array.
 */
export function sortRows<R extends ListingRow>(rows: readonly R[], view: ListingView, byName?: readonly R[]): R[] {
  const names = byName ?? [...rows].sort((a, b) => compareNames(a.name, b.name));
  const rank = new Map<R, number>();
  names.forEach((r, i) => rank.set(r, i));
  const dirSign = view.order === 'desc' ? -1 : 1;
  const out = [...names];
  out.sort((a, b) => {
    if (a.dir !== b.dir) return a.dir ? -1 : 1;
    let c = 0;
    if (view.sort === 'size' && !a.dir) c = a.size - b.size;
    else if (view.sort === 'date') c = a.mtimeMs - b.mtimeMs;
    else if (view.sort === 'name') c = rank.get(a)! - rank.get(b)!;
    if (c !== 0) return c * dirSign;
    return rank.get(a)! - rank.get(b)!;
  });
  return out;
}

// ---------------------------------------------------------------------------------------
// The page

/** The stylesheet: the page's only one, allowed by the CSP through its hash. */
export const LISTING_CSS = `:root{color-scheme:light dark;--bg:#fff;--fg:#1b1d21;--muted:#5f6672;--line:#e3e6ea;--hover:#f3f5f8;--link:#0b57d0;--chip:#eef2f8;--dir:#e0a030;--file:#98a2b3}
@media (prefers-color-scheme:dark){:root{--bg:#16181b;--fg:#e8eaed;--muted:#a2a9b4;--line:#2c3036;--hover:#20242a;--link:#8ab4f8;--chip:#252a31;--dir:#e9b650;--file:#8892a3}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0 auto;max-width:60rem;background:var(--bg);color:var(--fg);font:16px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
a{color:inherit;text-decoration:none}
header{padding:12px 16px 8px}
.crumbs{display:flex;flex-wrap:wrap;align-items:center;margin:0;padding:0;list-style:none;font-size:15px;color:var(--muted)}
.crumbs li{display:flex;align-items:center;min-width:0}
.crumbs li+li::before{content:"›";margin:0 6px;color:var(--muted)}
.crumbs a{display:inline-flex;align-items:center;min-height:44px;padding:0 8px;margin:0 -8px;border-radius:8px;color:var(--link);overflow-wrap:anywhere}
.crumbs a:hover,.crumbs a:focus-visible{background:var(--hover)}
.crumbs [aria-current]{min-height:44px;overflow-wrap:anywhere}
h1{margin:2px 0 0;font-size:24px;line-height:1.25;font-weight:650;overflow-wrap:anywhere}
.actions{display:flex;flex-wrap:wrap;gap:8px;margin-top:12px}
.actions a{display:inline-flex;align-items:center;min-height:44px;padding:0 16px;border-radius:22px;background:var(--chip);color:var(--link);font-weight:600}
.sort{display:flex;gap:4px;padding:4px 12px;border-bottom:1px solid var(--line);position:sticky;top:0;background:var(--bg);z-index:1}
.sort a{display:inline-flex;align-items:center;min-height:44px;padding:0 12px;border-radius:22px;color:var(--muted);font-size:15px}
.sort a:hover,.sort a:focus-visible{background:var(--hover)}
.sort a[aria-current]{background:var(--chip);color:var(--fg);font-weight:600}
ul.entries{list-style:none;margin:0;padding:0}
.entries a{display:grid;grid-template-columns:40px minmax(0,1fr) auto;grid-template-areas:"i n n" "i s t";column-gap:12px;align-items:center;min-height:64px;padding:10px 16px;border-bottom:1px solid var(--line)}
.entries a:hover,.entries a:focus-visible{background:var(--hover)}
.entries a::before{content:"";grid-area:i;width:32px;height:32px;justify-self:center;background:var(--file);-webkit-mask:var(--icon) center/contain no-repeat;mask:var(--icon) center/contain no-repeat}
.entries .f{--icon:url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'%3E%3Cpath d='M6 2h8l6 6v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm7 1.5V9h5.5z'/%3E%3C/svg%3E")}
.entries .d{--icon:url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'%3E%3Cpath d='M2 6a2 2 0 0 1 2-2h5l2 2h9a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2z'/%3E%3C/svg%3E")}
.entries .d::before{background:var(--dir)}
.entries .up{--icon:url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'%3E%3Cpath d='M11 20V7.8l-5.6 5.6L4 12l8-8 8 8-1.4 1.4L13 7.8V20z'/%3E%3C/svg%3E")}
.entries bdi{grid-area:n;font-weight:500;overflow-wrap:anywhere;color:var(--fg);text-align:left}
.ctl{display:inline-block;margin:0 2px;padding:0 4px;border:1px solid var(--line);border-radius:4px;color:var(--muted);font-size:12px;font-weight:400;line-height:1.4}
.entries .d bdi{font-weight:600}
.entries .l bdi::after{content:" ↪";color:var(--muted);font-weight:400}
.entries span,.entries time{font-size:14px;color:var(--muted);font-variant-numeric:tabular-nums;white-space:nowrap}
.entries span{grid-area:s}
.entries time{grid-area:t;text-align:right}
.entries .up{grid-template-areas:"i n n";min-height:56px}
.entries .up::before{background:var(--link)}
.entries .up bdi{color:var(--link)}
.empty,footer{padding:16px;color:var(--muted);font-size:14px}
.notice{margin:12px 0 0;padding:10px 14px;border-radius:10px;background:var(--chip)}
.upload{margin-top:12px;display:flex;flex-wrap:wrap;align-items:center;gap:8px}
.upload label{display:flex;flex-wrap:wrap;align-items:center;gap:8px;font-weight:600}
.upload button,.upload.js label span{display:inline-flex;align-items:center;min-height:44px;padding:0 16px;border:0;border-radius:22px;background:var(--link);color:var(--bg);font:inherit;font-weight:600;cursor:pointer}
.upload.js input{position:absolute;width:1px;height:1px;opacity:0}
.upload.js label:focus-within span{outline:2px solid var(--fg);outline-offset:2px}
.upload.js button{display:none}
.upload small{flex-basis:100%;color:var(--muted);font-size:14px}
.upload progress{flex-basis:100%;height:10px}
.upload [role=status]{flex-basis:100%;margin:0}
.upload [role=status]:empty{display:none}
body.drop{outline:4px dashed var(--link);outline-offset:-8px}
@media (min-width:40rem){.entries a{grid-template-columns:32px minmax(0,1fr) 7rem 9.5rem;grid-template-areas:"i n s t";min-height:52px;padding:6px 16px}
.entries a::before{width:24px;height:24px}
.entries span{text-align:right}}
`;

/** The Content-Security-Policy of a modern listing: the stylesheet above and `data:` images, nothing else. */
export const LISTING_CSP =
  "default-src 'none'; style-src 'sha256-" +
  createHash('sha256').update(LISTING_CSS, 'utf8').digest('base64') +
  "'; img-src data:; base-uri 'none'; form-action 'none'";

/**
 * PORT NOTE 33: the script of the "Add files" form (only on a page with the `upload` setting),
 * allowed by its hash like the stylesheet. Without it the form works as a plain form (choose,
 * then Send); with it, choosing or dropping files on the page sends them at once, in one
 * request, with a progress bar, a size check before sending, and the problem in words in
 * place when the computer refuses them.
 */
export const UPLOAD_SCRIPT = `(function(){
var f=document.querySelector('form.upload');if(!f||!window.FormData||!window.XMLHttpRequest)return;
var input=f.querySelector('input[type=file]'),bar=f.querySelector('progress'),st=f.querySelector('[role=status]'),max=+f.getAttribute('data-max'),busy=false;
f.className+=' js';
function say(t){st.textContent=t;}
function send(files){
if(busy||!files||!files.length)return;
for(var i=0;i<files.length;i++)if(files[i].size>max){say('\u201c'+files[i].name+'\u201d is too big: the largest file this computer accepts is '+f.getAttribute('data-max-words')+'. Nothing was sent.');return;}
var fd=new FormData();for(var j=0;j<files.length;j++)fd.append('file',files[j],files[j].name);
var x=new XMLHttpRequest();x.open('POST',location.pathname);busy=true;
bar.hidden=false;bar.removeAttribute('value');say('Sending '+(files.length===1?'1 file':files.length+' files')+'\u2026');
x.upload.onprogress=function(e){if(e.lengthComputable&&e.total>0){bar.max=e.total;bar.value=e.loaded;say('Sending '+(files.length===1?'1 file':files.length+' files')+'\u2026 '+Math.floor(100*e.loaded/e.total)+'%');}};
x.onload=function(){busy=false;if(x.status>=200&&x.status<300&&x.responseURL){location.href=x.responseURL;return;}
var p=null;try{p=new DOMParser().parseFromString(x.responseText,'text/html').getElementById('problem');}catch(e){}
bar.hidden=true;input.value='';say(p?p.textContent:'The files could not be added (error '+x.status+').');};
x.onerror=function(){busy=false;bar.hidden=true;input.value='';say('The connection was lost, so the files may not all have been added. Check the Wi-Fi and try again.');};
x.send(fd);}
input.addEventListener('change',function(){send(input.files);});
f.addEventListener('submit',function(e){e.preventDefault();send(input.files);});
document.addEventListener('dragover',function(e){e.preventDefault();document.body.className='drop';});
document.addEventListener('dragleave',function(e){if(!e.relatedTarget)document.body.className='';});
document.addEventListener('drop',function(e){e.preventDefault();document.body.className='';if(e.dataTransfer)send(e.dataTransfer.files);});
})();`;

/**
 * The Content-Security-Policy of a modern listing with the "Add files" form: the listing's,
 * plus its one script (by hash), requests to this server from it, and the form posting here.
 */
export const UPLOAD_LISTING_CSP =
  "default-src 'none'; style-src 'sha256-" +
  createHash('sha256').update(LISTING_CSS, 'utf8').digest('base64') +
  "'; script-src 'sha256-" +
  createHash('sha256').update(UPLOAD_SCRIPT, 'utf8').digest('base64') +
  "'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'self'";

/** What the "Add files" form shows: the largest file accepted, and the result of the last upload. */
export interface UploadForm {
  readonly maxBytes: number;
  /** The largest file in words (`4 GB`). */
  readonly maxWords: string;
  /** The plain-words result of the upload that led here (`?added=3&renamed=1`), or ''. */
  readonly notice: string;
}

/**
 * The result of an upload, from the query of the listing it was sent back to (`added=N`,
 * `renamed=M`: numbers only, so nothing of the query reaches the page but a count), or ''.
 */
export function uploadNotice(query: string): string {
  let added = -1;
  let renamed = 0;
  for (const pair of query.split('&')) {
    const m = /^(added|renamed)=([0-9]{1,6})$/.exec(pair);
    if (!m) continue;
    if (m[1] === 'added') added = Number(m[2]);
    else renamed = Number(m[2]);
  }
  if (added < 0) return '';
  if (added === 0) return 'No file was chosen, so nothing was added.';
  const files = added === 1 ? '1 file' : `${thousands(added)} files`;
  if (renamed === 0) return `${files} added.`;
  const which = renamed === 1 ? (added === 1 ? 'it' : 'one') : thousands(renamed);
  return `${files} added. A file with the same name was already here, so ${which} got a number added to ${renamed === 1 ? 'its' : 'their'} name${renamed === 1 ? '' : 's'}.`;
}

const SORT_LABELS: Readonly<Record<SortKey, string>> = { name: 'Name', size: 'Size', date: 'Modified' };

/** One crumb: the folder's display name and the href of its page. */
interface Crumb {
  readonly name: string;
  readonly href: string;
}

/**
 * The folders of a URL path, for the breadcrumbs: decoded and normalised as `translatePath`
 * does (so the crumbs name the folder actually listed), each with the quoted path of its page.
 */
export function crumbsOf(urlPath: string, backslashSeparates: boolean): Crumb[] {
  let p = urlPath.split('?', 1)[0]!.split('#', 1)[0]!;
  p = unquoteSurrogatePassOrReplace(p);
  if (backslashSeparates) p = p.replace(/\\/g, '/');
  const words = normpath(p).split('/').filter((w) => w !== '' && w !== '.' && w !== '..');
  let prefix = '/';
  return words.map((name) => {
    prefix += name + '/';
    return { name, href: quoteName(prefix) };
  });
}

/** What a page needs besides the rendered rows: where it is and how it is sorted. */
export interface PageContext {
  /** The request's path (`self.path`), for the title and the breadcrumbs. */
  readonly urlPath: string;
  readonly backslashSeparates: boolean;
  readonly view: ListingView;
  /** Folders and files shown. */
  readonly folders: number;
  readonly files: number;
  /** Links for the folder's actions (HTML, already escaped), or '' for none. */
  readonly actions: string;
  /** The clock, for the time zone the page names. */
  readonly now: number;
  /** PORT NOTE 33: the "Add files" form (the `upload` setting), or absent. */
  readonly upload?: UploadForm;
}

/** The "Add files" form: a plain form that works without JavaScript, made livelier by `UPLOAD_SCRIPT`. */
function renderUploadForm(u: UploadForm): string {
  return (
    (u.notice === '' ? '' : `<p class="notice" role="status">${u.notice}</p>\n`) +
    `<form class="upload" method="post" enctype="multipart/form-data" data-max="${u.maxBytes}" data-max-words="${u.maxWords}">` +
    '<label><span>Add files</span><input type="file" name="file" multiple></label>' +
    '<button type="submit">Send</button>' +
    `<small>Files are added to this folder, up to ${u.maxWords} each.</small>` +
    '<progress hidden></progress><p role="status" aria-live="polite"></p></form>\n' +
    `<script>${UPLOAD_SCRIPT}</script>\n`
  );
}

/** Lone surrogates (from percent-escapes of bytes that are not UTF-8): shown as U+FFFD. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text from the request path, for the page: escaped as CPython escapes it, with any lone
 * surrogate shown as U+FFFD (CPython's page cannot be encoded then, and the connection drops;
 * a name read from the disk keeps its bytes instead, as in CPython's rows).
 */
const pathText = (s: string): string => displayName(s.replace(LONE_SURROGATE, '\ufffd'));

const thousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const plural = (n: number, one: string, many: string): string => `${thousands(n)} ${n === 1 ? one : many}`;

/** The part of the page above the rows (built per request: it names the request path). */
export function renderPageHead(ctx: PageContext): string {
  const crumbs = crumbsOf(ctx.urlPath, ctx.backslashSeparates);
  const query = viewQuery(ctx.view);
  const titlePath = pathText(unquoteSurrogatePassOrReplace(ctx.urlPath.split('?', 1)[0]!.split('#', 1)[0]!));
  const here = crumbs.length === 0 ? 'Home' : crumbs[crumbs.length - 1]!.name;
  // At the top there is nothing to go back to: the heading alone says where the visitor is.
  let nav = crumbs.length === 0 ? '' : `<li><a href="/${query}">Home</a></li>`;
  crumbs.forEach((c, i) => {
    nav +=
      i === crumbs.length - 1
        ? `<li aria-current="page"><bdi>${pathText(c.name)}</bdi></li>`
        : `<li><a href="${c.href}${query}"><bdi>${pathText(c.name)}</bdi></a></li>`;
  });
  let sort = '';
  for (const key of ['name', 'size', 'date'] as const) {
    const current = ctx.view.sort === key;
    const order = current ? (ctx.view.order === 'asc' ? 'desc' : 'asc') : FIRST_ORDER[key];
    const href = viewQuery({ sort: key, order }) || './';
    const arrow = current ? (ctx.view.order === 'asc' ? ' ↑' : ' ↓') : '';
    sort += current
      ? `<a href="${href}" aria-current="true">${SORT_LABELS[key]}${arrow}</a>`
      : `<a href="${href}">${SORT_LABELS[key]}</a>`;
  }
  const up = crumbs.length === 0 ? '' : `<li><a href="../${query}" class="d up"><bdi>Parent folder</bdi></a></li>\n`;
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<meta name="color-scheme" content="light dark">\n' +
    `<title>${titlePath}</title>\n<link rel="icon" href="data:,">\n<style>${LISTING_CSS}</style>\n</head>\n<body>\n` +
    '<header>\n' +
    (nav === '' ? '' : `<nav aria-label="Folders"><ol class="crumbs">${nav}</ol></nav>\n`) +
    `<h1><bdi>${pathText(here)}</bdi></h1>\n` +
    (ctx.actions === '' ? '' : `<div class="actions">${ctx.actions}</div>\n`) +
    (ctx.upload === undefined ? '' : renderUploadForm(ctx.upload)) +
    `</header>\n<main>\n<nav class="sort" aria-label="Sort by">${sort}</nav>\n` +
    (ctx.folders + ctx.files === 0 ? `<ul class="entries">\n${up}</ul>\n<p class="empty">This folder is empty.</p>\n` : `<ul class="entries">\n${up}`)
  );
}

/** The part of the page below the rows. */
export function renderPageTail(ctx: PageContext): string {
  const counts = [ctx.folders > 0 ? plural(ctx.folders, 'folder', 'folders') : '', ctx.files > 0 ? plural(ctx.files, 'file', 'files') : '']
    .filter((c) => c !== '')
    .join(', ');
  return (
    (ctx.folders + ctx.files === 0 ? '' : '</ul>\n') +
    `</main>\n<footer>${counts === '' ? '' : counts + '. '}Times are in the sharing computer’s time zone (${formatZone(ctx.now)}).</footer>\n</body>\n</html>\n`
  );
}

/** The rows of a view, in its order, as one string (folder hrefs carry the view's query). */
export function renderRows(rows: readonly { readonly rendered: RenderedRow; readonly dir: boolean }[], view: ListingView): string {
  const query = viewQuery(view);
  let html = '';
  for (const r of rows) html += r.rendered.head + (r.dir ? query : '') + r.rendered.tail;
  return html;
}
