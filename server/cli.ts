#!/usr/bin/env node
/**
 * Pure Node, command line. Port of CPython v3.13.0 `python -m http.server`
 * (`Lib/http/server.py`: `test()` and the argparse `__main__` block):
 *
 *   node dist/server/cli.js [-h] [--cgi] [-b ADDRESS] [-d DIRECTORY] [-p VERSION] [port]
 *
 * Same defaults (port 8000; no -b = dual-stack on every interface; current directory;
 * HTTP/1.0), same banner on stdout, same stderr log lines, same Ctrl-C message and exit
 * status, argparse-style usage errors (exit 2). PORT NOTE: a busy port, a bad address or a
 * missing folder print one plain sentence (exit 1) instead of a Python traceback.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AccessGate, hashPassword, readPasswordFile } from './auth.js';
import { CGIHTTPRequestHandler } from './cgi-handler.js';
import { serveErrorForListen } from './errors.js';
import { HTTPServer } from './http-server.js';
import { escapeControlChars, formatNcsaLine } from './log.js';
import { useCpythonMimeTable } from './mime.js';
import type { RequestLogEntry } from './log.js';
import { pyInt, pyRepr } from './py-text.js';
import {
  CLI_EXTRA_FLAGS, SETTING_KEYS, SHARE_SETTINGS, type HandlerSettings, type ServeSettings, type SettingKey, type ShareSettingsTable,
} from './share-settings.js';
import { validateDirectory } from './serve.js';
import { SimpleHTTPRequestHandler } from './simple-handler.js';
import { capOldGenerationGrowth } from './old-generation.js';
import { capYoungGeneration } from './young-generation.js';

/** The settings of the table with a flag of ours (server/share-settings.ts), as the CLI parsed them. */
export type CliSettings = { readonly [K in CliFlagKey]: ServeSettings[K] };
type CliFlagKey = { [K in SettingKey]: ShareSettingsTable[K]['cli'] extends { kind: 'switch' | 'option' } ? K : never }[SettingKey];
/** The settings of the table given as a file the CLI reads when it starts (`--password-file`). */
type CliFileKey = { [K in SettingKey]: ShareSettingsTable[K]['cli'] extends { kind: 'file' } ? K : never }[SettingKey];

/** Parsed command line (`argparse.Namespace`): CPython's arguments, `--hardened`, and the table's flags. */
export type CliArgs = CliSettings & {
  readonly cgi: boolean;
  readonly bind: string | null;
  readonly directory: string;
  readonly protocol: string;
  readonly port: number;
  /** `--hardened`: the desktop app's profile (see HandlerOptions.hardened). PORT NOTE: new. */
  readonly hardened: boolean;
  /** The files named by the table's file options (`--password-file FILE`), read by `main()`. */
  readonly files: { readonly [K in CliFileKey]?: string };
};

/** Result of parsing: arguments, or text to print and an exit status. */
export type ParseResult =
  | { readonly ok: true; readonly args: CliArgs }
  | { readonly ok: false; readonly exitCode: number; readonly stdout?: string; readonly stderr?: string };

/** `usage:` line, as argparse formats it. */
export function usage(prog: string): string {
  return `usage: ${prog} [-h] [--cgi] [-b ADDRESS] [-d DIRECTORY] [-p VERSION] [port]\n`;
}

/** `--hardened`: the app's profile. Not a setting of the table: a profile of the engine. */
const HARDENED_HELP = "refuse request smuggling and links out of the directory, discard unread request bodies (the desktop app's behaviour)";

/**
 * One option of argparse's help: the invocation in a column of 24 (help on the next line when
 * the invocation is longer than 20), the help wrapped at 78 columns, as argparse formats it
 * for an 80-column terminal.
 */
function helpEntry(invocation: string, help: string): string {
  const width = 78 - 24;
  const lines: string[] = [];
  let line = '';
  for (const word of help.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  const head = `  ${invocation}`;
  const pad = ' '.repeat(24);
  if (head.length <= 22) return `${head.padEnd(24)}${lines.join(`\n${pad}`)}\n`;
  return `${head}\n${lines.map((l) => pad + l).join('\n')}\n`;
}

/**
 * `--help` text, as CPython 3.13's argparse formats it, plus this port's flags (the table's,
 * then `--hardened`). PORT NOTE: those flags are new; they are left out of the usage line
 * (which stays CPython's, byte for byte, in every error message) and must be spelled in full
 * (an abbreviation like `--h` keeps meaning `--help`, as in CPython).
 */
export function helpText(prog: string): string {
  return (
    usage(prog) +
    `
positional arguments:
  port                  bind to this port (default: 8000)

options:
  -h, --help            show this help message and exit
  --cgi                 run as CGI server
  -b, --bind ADDRESS    bind to this address (default: all interfaces)
  -d, --directory DIRECTORY
                        serve this directory (default: current directory)
  -p, --protocol VERSION
                        conform to this HTTP version (default: HTTP/1.0)
` +
    CLI_EXTRA_FLAGS.map((f) => helpEntry(f.kind === 'option' || f.kind === 'file' ? `${f.flag} ${f.metavar}` : f.flag, f.help)).join('') +
    helpEntry('--hardened', HARDENED_HELP)
  );
}

const LONG_OPTIONS = ['--help', '--cgi', '--bind', '--directory', '--protocol'] as const;
type Dest = 'help' | 'cgi' | 'bind' | 'directory' | 'protocol';
const SHORT: Record<string, Dest> = { '-h': 'help', '-b': 'bind', '-d': 'directory', '-p': 'protocol' };
const DISPLAY: Record<Dest, string> = {
  help: '-h/--help',
  cgi: '--cgi',
  bind: '-b/--bind',
  directory: '-d/--directory',
  protocol: '-p/--protocol',
};

/** The CLI's value of every setting with a flag of ours when no flag is given: CPython's. */
function cpythonSettings(): Record<CliFlagKey, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of CLI_EXTRA_FLAGS) if (f.kind !== 'file') out[f.key] = f.cpython;
  return out as Record<CliFlagKey, unknown>;
}

/** argparse's parse_args for this parser (prefix matching, `--opt=value`, `-xVALUE`, `--`). */
export function parseArgs(argv: readonly string[], prog: string, cwd: string): ParseResult {
  const fail = (message: string): ParseResult => ({ ok: false, exitCode: 2, stderr: usage(prog) + `${prog}: error: ${message}\n` });
  const values: { cgi: boolean; bind: string | null; directory: string; protocol: string; hardened: boolean } = {
    cgi: false,
    hardened: false,
    bind: null,
    directory: cwd,
    protocol: 'HTTP/1.0',
  };
  const settings = cpythonSettings();
  const files: Partial<Record<CliFileKey, string>> = {};
  /** Settings given by their own flag: `--hardened` does not override them. */
  const given = new Set<string>();
  const positionals: string[] = [];
  const unrecognized: string[] = [];
  let onlyPositionals = false;
  const looksNegativeNumber = (s: string): boolean => /^-\d+$|^-\d*\.\d+$/.test(s);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyPositionals || !arg.startsWith('-') || arg === '-' || looksNegativeNumber(arg)) {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    let dest: Dest | undefined;
    let explicit: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(0, eq) : arg;
      if (eq >= 0) explicit = arg.slice(eq + 1);
      if (name === '--hardened') {
        if (explicit !== undefined) return fail(`argument ${name}: ignored explicit argument ${pyRepr(explicit)}`);
        values.hardened = true;
        continue;
      }
      const extra = CLI_EXTRA_FLAGS.find((f) => f.flag === name);
      if (extra !== undefined) {
        given.add(extra.key);
        if (extra.kind === 'switch') {
          if (explicit !== undefined) return fail(`argument ${name}: ignored explicit argument ${pyRepr(explicit)}`);
          settings[extra.key as CliFlagKey] = extra.value;
          continue;
        }
        let text = explicit;
        if (text === undefined) {
          const next = argv[i + 1];
          if (next === undefined || (next.startsWith('-') && next !== '-' && !looksNegativeNumber(next))) {
            return fail(`argument ${name}: expected one argument`);
          }
          text = next;
          i++;
        }
        if (extra.kind === 'file') {
          files[extra.key as CliFileKey] = text;
          continue;
        }
        const value = extra.parse(text);
        if (value === undefined) {
          // argparse's words (3.13.0): choices are listed as reprs, joined by ', '.
          const why = extra.choices ? `invalid choice: ${pyRepr(text)} (choose from ${extra.choices.map(pyRepr).join(', ')})` : `invalid value: ${pyRepr(text)}`;
          return fail(`argument ${name}: ${why}`);
        }
        settings[extra.key as CliFlagKey] = value;
        continue;
      }
      const matches = LONG_OPTIONS.filter((o) => o.startsWith(name));
      if (matches.length > 1 && !matches.includes(name as (typeof LONG_OPTIONS)[number])) {
        return fail(`ambiguous option: ${name} could match ${matches.join(', ')}`);
      }
      const match = matches.length === 1 ? matches[0] : matches.find((m) => m === name);
      if (!match) {
        unrecognized.push(arg);
        continue;
      }
      dest = match.slice(2) as Dest;
    } else {
      const flag = arg.slice(0, 2);
      dest = SHORT[flag];
      if (!dest) {
        unrecognized.push(arg);
        continue;
      }
      if (arg.length > 2) explicit = arg.slice(2);
    }
    if (dest === 'help') {
      if (explicit !== undefined) return fail(`argument -h/--help: ignored explicit argument ${pyRepr(explicit)}`);
      return { ok: false, exitCode: 0, stdout: helpText(prog) };
    }
    if (dest === 'cgi') {
      if (explicit !== undefined) return fail(`argument --cgi: ignored explicit argument ${pyRepr(explicit)}`);
      values.cgi = true;
      continue;
    }
    let value = explicit;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('-') && next !== '-' && !looksNegativeNumber(next))) {
        return fail(`argument ${DISPLAY[dest]}: expected one argument`);
      }
      value = next;
      i++;
    }
    values[dest as 'bind' | 'directory' | 'protocol'] = value;
  }
  if (positionals.length > 1) unrecognized.push(...positionals.slice(1));
  let port = 8000;
  if (positionals.length >= 1) {
    const n = pyInt(positionals[0]!);
    if (n === null) return fail(`argument port: invalid int value: ${pyRepr(positionals[0]!)}`);
    port = n;
  }
  if (unrecognized.length > 0) return fail(`unrecognized arguments: ${unrecognized.join(' ')}`);
  if (values.hardened) {
    // The app's profile: its value for every setting that hardens, unless a flag set it.
    for (const f of CLI_EXTRA_FLAGS) if (f.kind === 'switch' && f.hardened && !given.has(f.key)) settings[f.key as CliFlagKey] = f.value;
  }
  return { ok: true, args: { ...values, ...(settings as CliSettings), port, files } };
}

/**
 * Log lines formatted but not yet written. PORT NOTE: CPython writes each line at once; here
 * the lines of one turn of the event loop go out in one write (stderr is synchronous on
 * Linux, and a write per request was a tenth of a small request's cost). Same bytes, same
 * order; flushed before every other stderr or stdout message and at exit.
 */
let pendingLog = '';
let logFlushScheduled = false;

function flushLog(): void {
  logFlushScheduled = false;
  if (pendingLog === '') return;
  const text = pendingLog;
  pendingLog = '';
  process.stderr.write(text);
}

/** Write log entries to stderr as CPython does (one NCSA line each). */
function stderrSink(entry: RequestLogEntry): void {
  pendingLog += formatNcsaLine(entry);
  if (pendingLog.length >= 64 * 1024) flushLog();
  else if (!logFlushScheduled) {
    logFlushScheduled = true;
    setImmediate(flushLog);
  }
}

/**
 * The handler options of the table's settings for the CLI: each row the engine passes to
 * handlers, with the value its flag gave or CPython's (CPython's own arguments, directory
 * and protocol, are set by the caller).
 */
function cliHandlerSettings(args: CliArgs): HandlerSettings {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const row = SHARE_SETTINGS[key];
    if (row.engine !== 'handler' || row.cli.kind === 'cpython') continue;
    out[key] = Object.hasOwn(args, key) ? (args as Record<string, unknown>)[key] : row.cli.cpython;
  }
  return out as HandlerSettings;
}

/** Run the command line; resolves once listening (the process then lives until Ctrl-C). */
export async function main(argv: readonly string[]): Promise<void> {
  const prog = path.basename(process.argv[1] ?? 'cli.js');
  const parsed = parseArgs(argv, prog, process.cwd());
  if (!parsed.ok) {
    if (parsed.stdout) process.stdout.write(parsed.stdout);
    if (parsed.stderr) process.stderr.write(parsed.stderr);
    process.exitCode = parsed.exitCode;
    return;
  }
  const args = parsed.args;
  const fail = (sentence: string): void => {
    process.stderr.write(sentence + '\n');
    process.exitCode = 1;
  };
  if (args.port < 0 || args.port > 65535) {
    fail(`The port must be a whole number from 0 to 65535, not ${args.port}.`);
    return;
  }
  // PORT NOTE: CPython starts on a missing folder and answers 404 to everything.
  try {
    await validateDirectory(args.directory);
  } catch (err) {
    fail((err as Error).message);
    return;
  }
  // Memory: V8's young generation kept at 2 × 4 MiB instead of growing to 2 × 16 MiB under
  // load (the effect of --max-semi-space-size=4, which `node cli.js` cannot be given).
  // PORT NOTE 32: `--password-file FILE`: its first line, hashed here; the clear text goes no further.
  let access: AccessGate | undefined;
  if (args.files.password !== undefined) {
    const read = readPasswordFile(args.files.password);
    if (!read.ok) {
      fail(read.message);
      return;
    }
    access = new AccessGate(await hashPassword(read.password));
  }
  capYoungGeneration();
  capOldGenerationGrowth();
  // Content-type as `python -m http.server` answers on this machine: CPython's built-in
  // table plus the machine's mime.types files (`mimetypes.init()`), not mime-db (PORT NOTE 8).
  useCpythonMimeTable();
  const handlerClass = args.cgi ? CGIHTTPRequestHandler : SimpleHTTPRequestHandler;
  const server = new HTTPServer(handlerClass, {
    onLog: stderrSink,
    handlerOptions: {
      ...cliHandlerSettings(args),
      directory: args.directory,
      protocolVersion: args.protocol,
      hardened: args.hardened,
      ...(access ? { access } : {}),
    },
  });
  // No -b: getaddrinfo(None, port, AI_PASSIVE) picks IPv6 '::' first, dual-stack.
  const host = args.bind ?? '::';
  try {
    await server.listen(args.port, host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    let listenError: unknown = err;
    if (args.bind === null && (code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL')) {
      try {
        await server.listen(args.port, '0.0.0.0');
        listenError = null;
      } catch (err2) {
        listenError = err2;
      }
    }
    if (listenError) {
      fail(serveErrorForListen(listenError, args.port, args.bind ?? '').message);
      return;
    }
  }
  const { address, port } = server.address();
  const urlHost = address.includes(':') ? `[${address}]` : address;
  // PORT NOTE: the last line of defence of "the server never dies". Every handler is
  // already wrapped (http-server.ts); an error escaping from a stray callback is logged as
  // one escaped line instead of ending the process (CPython's threads die alone, too).
  const lastResort = (err: unknown): void => {
    const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    flushLog();
    process.stderr.write(`${escapeControlChars(`Unexpected error (the server keeps running): ${detail}`)}\n`);
  };
  process.on('uncaughtException', lastResort);
  process.on('unhandledRejection', lastResort);
  process.on('exit', flushLog);
  process.once('SIGINT', () => {
    flushLog();
    process.stdout.write('\nKeyboard interrupt received, exiting.\n', () => process.exit(0));
  });
  // The banner last: whoever reads it may press Ctrl-C at once, and a SIGINT that arrives
  // before the handler above exists ends the process the default way (killed, no message).
  process.stdout.write(`Serving HTTP on ${address} port ${port} (http://${urlHost}:${port}/) ...\n`);
}

const invokedDirectly = (() => {
  try {
    return fs.realpathSync(process.argv[1] ?? '') === fs.realpathSync(new URL(import.meta.url).pathname);
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  void main(process.argv.slice(2));
}
