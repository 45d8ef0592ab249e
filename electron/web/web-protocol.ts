/**
 * Wire format of the browser fallback (`npm run web`): the same InvokeChannels and
 * EventChannels as Electron IPC, carried over HTTP + server-sent events by a control
 * server bound to 127.0.0.1 only.
 *
 * Runs in: imported by the control server (Node) and by the renderer's web transport
 * (browser). No imports, so it is safe on both sides.
 *
 * - Signing in: the page is opened as `http://127.0.0.1:PORT/?key=KEY`. The key works
 *   once, and only for a short time (a minute for the address handed to the system's
 *   browser opener, ten for the one printed in the terminal). `GET /?key=KEY` answers
 *   `303 See Other` to `/`, so the key leaves the address bar and never becomes a history
 *   entry, and, when the key is good, sets the session cookie
 *   `servedir-session-PORT=ID; Path=/api/; HttpOnly; SameSite=Strict` (the port in the
 *   name, since cookies are not kept apart by port). Page scripts never see a secret.
 *   A key that was used, expired or never issued signs nothing in; the terminal then
 *   gets a fresh address (at most one every 5 s).
 * - Invoke: `POST /api/invoke/<channel>` with the session cookie,
 *   `Content-Type: application/json`, body `{"args": [...]}`.
 *   200 → `{"ok": true, "value": <the channel's return value>}` (the value may itself be
 *   a Result with ok:false: that is an expected failure, not a transport one).
 *   400 → invalid JSON, unknown channel or args failing the validator;
 *   403 → no or unknown session, foreign Host or Origin, or a browser saying the request
 *   comes from another site (`Sec-Fetch-Site` other than `same-origin`); 413 → body over
 *   the cap; 500 → `{"ok": false, "error": "<message>"}` when the handler threw (a bug).
 * - Events: `GET /api/events` with the session cookie → `text/event-stream`; each message
 *   has `event: <channel>` and `data: <JSON payload>`. A `log:batch` payload's typed-array
 *   columns travel as JSON arrays of numbers (control-server.ts `logBatchAsJson`); the
 *   window reads either form.
 * - Static files of the built renderer for every other GET path, to anyone who names us
 *   in `Host` (they hold nothing secret). No CORS headers ever.
 */
/** The query parameter of a sign-in address. */
export const LINK_KEY_PARAM = 'key';
/**
 * How long the address handed to the system's browser opener works: the browser opens it
 * at once, and the opener's command line can be read by other local users while it runs.
 */
export const OPENER_LINK_TTL_MS = 60_000;
/** How long the address printed in the terminal works: time to read, copy and switch windows. */
export const PRINTED_LINK_TTL_MS = 10 * 60_000;
/** The session cookie's name: this prefix and the control server's port. */
export const SESSION_COOKIE_PREFIX = 'servedir-session-';
export const INVOKE_PATH_PREFIX = '/api/invoke/';
export const EVENTS_PATH = '/api/events';
/** Largest invoke body the control server reads. */
export const MAX_INVOKE_BODY_BYTES = 64 * 1024;

export type InvokeResponse = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };
