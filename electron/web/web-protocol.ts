/**
 * Wire format of the browser fallback (`npm run web`): the same InvokeChannels and
 * EventChannels as Electron IPC, carried over HTTP + server-sent events by a control
 * server bound to 127.0.0.1 only.
 *
 * Runs in: imported by the control server (Node) and by the renderer's web transport
 * (browser). No imports, so it is safe on both sides.
 *
 * - The page is opened as `http://127.0.0.1:PORT/#token=TOKEN`. The token sits in the
 *   fragment so it never appears in a request line or a Referer; the renderer reads it
 *   from `location.hash` and sends it with every call.
 * - Invoke: `POST /api/invoke/<channel>` with header `X-Servedir-Token: TOKEN`,
 *   `Content-Type: application/json`, body `{"args": [...]}`.
 *   200 → `{"ok": true, "value": <the channel's return value>}` (the value may itself be
 *   a Result with ok:false: that is an expected failure, not a transport one).
 *   400 → invalid JSON, unknown channel or args failing the validator;
 *   403 → missing/wrong token, foreign Host or Origin; 413 → body over the cap;
 *   500 → `{"ok": false, "error": "<message>"}` when the handler threw (a bug).
 * - Events: `GET /api/events?token=TOKEN` (EventSource cannot send headers) →
 *   `text/event-stream`; each message has `event: <channel>` and `data: <JSON payload>`.
 *   A `log:batch` payload's typed-array columns travel as JSON arrays of numbers
 *   (control-server.ts `logBatchAsJson`); the window reads either form.
 * - Static files of the built renderer for every other GET path. No CORS headers ever.
 */
export const TOKEN_HEADER = 'X-Servedir-Token';
export const TOKEN_FRAGMENT_KEY = 'token';
export const INVOKE_PATH_PREFIX = '/api/invoke/';
export const EVENTS_PATH = '/api/events';
/** Largest invoke body the control server reads. */
export const MAX_INVOKE_BODY_BYTES = 64 * 1024;

export type InvokeResponse = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };
