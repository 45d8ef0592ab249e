// Reconciles the conformance report with CPython 3.13.
//
// The harness's oracle is this machine's python3 (3.11). Servedir follows 3.13, which
// renamed four status phrases to RFC 9110's wording (gh-108078 era `HTTPStatus` update):
// 413, 414, 416, 422. A run that failed ONLY because of that rename is re-checked here,
// byte for byte: the reference answer with the 3.11 phrase replaced by the 3.13 phrase
// (status line, the error page's "Message:" line, Content-Length) must equal the
// candidate's answer exactly (same SHA-256 of the body, same headers, same connection
// state). Anything else stays a failure.
import { createHash } from 'node:crypto';

/** 3.11 phrase → 3.13 phrase. */
export const PHRASES_313 = new Map([
  [413, ['Request Entity Too Large', 'Content Too Large']],
  [414, ['Request-URI Too Long', 'URI Too Long']],
  [416, ['Requested Range Not Satisfiable', 'Range Not Satisfiable']],
  [422, ['Unprocessable Entity', 'Unprocessable Content']],
]);

const sha256 = (s) => createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex');

/** The reference response as CPython 3.13 would have sent it, or null if not derivable. */
function as313(resp) {
  const m = /^(HTTP\/\d\.\d) (\d{3}) (.*)$/.exec(resp.status_line);
  if (!m) return null;
  const rename = PHRASES_313.get(Number(m[2]));
  if (!rename || m[3] !== rename[0]) return null;
  const [oldPhrase, newPhrase] = rename;
  // Only bodies the report carries whole can be checked byte for byte.
  if (Buffer.byteLength(resp.body_preview, 'utf8') !== resp.body_length) return null;
  if (sha256(resp.body_preview) !== resp.body_sha256) return null;
  const body = resp.body_preview.replace(`<p>Message: ${oldPhrase}.</p>`, `<p>Message: ${newPhrase}.</p>`);
  const length = Buffer.byteLength(body, 'utf8');
  return {
    ...resp,
    status_line: `${m[1]} ${m[2]} ${newPhrase}`,
    headers: resp.headers.map(([k, v]) => (k.toLowerCase() === 'content-length' ? [k, String(length)] : [k, v])),
    body_length: length,
    body_sha256: sha256(body),
    body_preview: body,
  };
}

const sameResponse = (a, b) =>
  a.status_line === b.status_line &&
  JSON.stringify(a.headers) === JSON.stringify(b.headers) &&
  a.header_block_terminated === b.header_block_terminated &&
  a.body_length === b.body_length &&
  a.body_sha256 === b.body_sha256;

/** True when a failed run differs from the 3.11 reference only by the 3.13 phrase rename. */
export function matches313(run) {
  const ref = run.reference;
  const cand = run.candidate;
  if (!ref || !cand || !ref.responses || !cand.responses) return false;
  if (ref.responses.length !== cand.responses.length || ref.responses.length === 0) return false;
  if (ref.connection !== cand.connection || ref.extra_length !== cand.extra_length) return false;
  let renamed = 0;
  for (let i = 0; i < ref.responses.length; i++) {
    const expected = as313(ref.responses[i]);
    if (expected) renamed++;
    if (!sameResponse(expected ?? ref.responses[i], cand.responses[i])) return false;
  }
  return renamed > 0;
}
