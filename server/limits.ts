/**
 * Pure Node. Resource limits of the engine and their defaults.
 *
 * CPython's http.server has none of these (it trusts its clients: "only implements basic
 * security checks"). PORT NOTE: every limit here is new, applies to the CLI and the app
 * alike, and is set so that nothing CPython-compatible a client does is cut short: the
 * defaults are generous (minutes, gigabytes, thousands), only hostile clients meet them.
 * They are listed in server/README.md (PORT NOTEs) and SECURITY.md.
 */

/**
 * Longest wait for the first byte of a request (a new connection, or a kept-alive one
 * between requests). CPython keeps an idle connection forever; browsers keep idle
 * keep-alive connections for minutes, so this is minutes too.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 300_000;

/**
 * Longest time from the first byte of a request to the end of its headers (slowloris: a
 * client dripping one header line every few seconds never meets a per-read timeout).
 */
export const DEFAULT_HEADER_TIMEOUT_MS = 60_000;

/** Longest a CGI script may run before it is killed. */
export const DEFAULT_CGI_TIMEOUT_MS = 300_000;

/** Largest request body passed to a CGI script; a larger Content-Length gets 413. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024 * 1024;

/**
 * Most connections served at once; the next one gets a 503 and is closed. Well above what
 * any LAN uses (a browser opens about 6 per server), well below the descriptor limit.
 */
export const DEFAULT_MAX_CONNECTIONS = 2048;

/**
 * Most connections one client address may hold at once in the hardened profile (the app,
 * `--hardened`); its next one gets the 503 while other addresses are served. Half the global
 * cap: one host can never take it all, and at the cap the busiest address gives way to a
 * newcomer (PORT NOTE 31). A browser opens about 6 per server; benchmarks and tests hold 1,000
 * from one address. The CLI's default has none (CPython's).
 */
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 1024;

/** Bytes of one CGI run's stderr passed to the log; the rest is counted and dropped. */
export const MAX_CGI_STDERR_BYTES = 64 * 1024;

/**
 * Hardened profile: an unread request body up to this size is read and thrown away so the
 * connection can be kept alive; a larger one closes the connection instead.
 */
export const MAX_DISCARDED_BODY_BYTES = 1024 * 1024;

/** After the client half-closes during a CGI run, the script gets this long to finish. */
export const CGI_CLIENT_GONE_GRACE_MS = 2_000;

/**
 * Not the engine's: the folder browser of the window in browser mode (server/host/folder-list.ts)
 * lists at most this many folders of one folder, sorted; the window says how many it left out
 * and that typing the path reaches any of them. A list longer than this is scrolled, not read.
 */
export const MAX_LISTED_FOLDERS = 1000;

/**
 * Uploads (the `upload` setting, PORT NOTE 33): the most bytes of one part's header lines in a
 * `multipart/form-data` body, and of a form field that is not a file (both only ever hold a
 * name or two); a longer one gets 400.
 */
export const MAX_UPLOAD_PART_HEADER_BYTES = 16 * 1024;
export const MAX_UPLOAD_FIELD_BYTES = 64 * 1024;

/** Uploads: most files one form may carry (a phone's "select all" of a camera roll stays far below). */
export const MAX_UPLOAD_FILES_PER_REQUEST = 10_000;

/** Uploads: the most numbered names (" (1)" … ) tried for a name that is taken before giving up with 409. */
export const MAX_UPLOAD_NAME_TRIES = 10_000;

/**
 * Uploads: bytes read from the connection and written to the file at a time. Together with the
 * reader's 1 MiB high-water mark (connection-io.ts) this bounds what one upload holds in memory,
 * however slow the disk or the client.
 */
export const UPLOAD_CHUNK_BYTES = 256 * 1024;

/**
 * The app's live log: a response still going out after this long is reported as in progress,
 * then again at most this often (one timer per server; a shorter response costs no extra
 * entry). The host sends what piled up in its ~50 ms batches.
 */
export const LOG_PROGRESS_INTERVAL_MS = 250;

/** The app's host looks at the shared folder this often (a stat) to tell it vanished or came back. */
export const FOLDER_CHECK_INTERVAL_MS = 3_000;

// The password of a share (server/auth.ts)

/** A login session ends after this long unused (a visitor's phone logs in again the next day). */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** Most live sessions per server; the least recently used ends first. */
export const MAX_SESSIONS = 4096;
/** A one-time login key (QR code, copied link) works for this long. */
export const LOGIN_KEY_TTL_MS = 10 * 60 * 1000;
/** Most used keys remembered (until they expire) per server; beyond, new keys are refused. */
export const MAX_USED_LOGIN_KEYS = 4096;
/** Wrong passwords an address may send in a minute before it must wait. */
export const LOGIN_TRIES_PER_MINUTE = 10;
/** The longest wait the growing waits reach (1 min, 2, 4, ... after each 10 wrong tries). */
export const LOGIN_WAIT_MAX_MS = 60 * 60 * 1000;
/** Client addresses whose wrong tries are remembered; the oldest forgotten beyond. */
export const MAX_THROTTLED_ADDRESSES = 10_000;
/** Largest login form body read. */
export const MAX_LOGIN_BODY_BYTES = 4096;
/** HTTP Basic headers remembered as checked (one scrypt per script, not per request). */
export const MAX_BASIC_CACHE = 64;
