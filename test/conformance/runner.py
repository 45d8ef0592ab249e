#!/usr/bin/env python3
"""Servedir's differential conformance runner: `python3 -m http.server` (the oracle) against
Servedir's command line (the candidate), byte for byte. Python 3 standard library only.

    python3 test/conformance/runner.py                 # oracle: CPython 3.13 if found, else python3
    python3 test/conformance/runner.py --only cgi/ -v  # some cases, every difference shown
    python3 test/conformance/runner.py --candidate oracle   # self-test: the oracle against itself

For each server configuration (--protocol HTTP/1.0 and HTTP/1.1, each with and without --cgi)
the oracle and the candidate are started with the same arguments
(`PORT -b 127.0.0.1 -d ROOT -p PROTO [--cgi]`) on free ports, each over its own copy of the
fixture (fixture.py). Every case's bytes go to both on fresh connections; the two answers are
split into responses and compared: status line, headers (names case-insensitive, values and
line ends exact), body, bytes after the last response, and whether the connection was left
open. Normalised first: Date and Server values, the server's port, root, outside and working
folders; and when a server is a CPython older than 3.13, its 414 reason phrase
('Request-URI Too Long' became 'URI Too Long'). Last, each pair gets SIGINT: the banner, the
Ctrl-C message and the exit status must match (cli/banner-and-sigint).

The oracle: --oracle, else $SERVEDIR_ORACLE_PYTHON, else $(pyenv root)/versions/3.13.0
(also ~/.pyenv and /root/.pyenv), else python3.13 on PATH, else python3 on PATH. With no
usable oracle the suite reports itself skipped, with the reason.

A case (caselib.case) has: name ('area/slug'), request (bytes, or a list of segments), and
optionally mode ('together': one write, the default; 'split': one write per segment, `gap`
seconds apart; 'sequential': each segment after the previous answer), protocols, cgi (False,
True or 'both'), shutdown (half-close after sending), timeout (wait for the first byte),
responses (how many to wait for), methods (for HEAD-aware parsing), expect
('safe-divergence-allowed' with allowed: candidate outcomes accepted in place of the oracle's,
status codes or 'no-response'), forbid (bytes the candidate must never send), notes, source.
A case file has CASES, and may have FIXTURE_EXTRA (fixture entries) and ORACLE_SINCE (case
name -> CPython version: a case pinning an answer CPython changed in that release is
skipped, and counted so, with an older oracle).
A run that fails is run once more after the others, alone (unless more than 20 failed): a pass
then is counted, marked RETRY with the first attempt's differences (--no-retry: no second try).
The last line printed is `N passed, M failed, K skipped`; the exit status is 0 when none failed.
"""

import argparse
import importlib.util
import os
import re
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import fixture  # noqa: E402

BIND = '127.0.0.1'
PROTOCOLS = ('HTTP/1.0', 'HTTP/1.1')
DEFAULT_CASES = [os.path.join(HERE, 'cases_core.py'), os.path.join(HERE, 'cases_extra.py')]
DEFAULT_CANDIDATE = 'node ' + shlex.quote(os.path.join(REPO, 'dist', 'server', 'cli.js'))
CASE_KEYS = {'name', 'request', 'mode', 'gap', 'protocols', 'cgi', 'shutdown', 'timeout',
             'responses', 'methods', 'expect', 'allowed', 'forbid', 'notes', 'source'}
MAX_BYTES = 64 << 20           # read per exchange, at most
TEXT_LIMIT = 2 << 20           # larger bodies are compared without token rewriting
IMF_DATE = re.compile(rb'^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug'
                      rb'|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$')
TEXTUAL = re.compile(rb'^\s*(text/|application/(json|javascript|xml)|[^;]*\+xml)', re.I)
OLD_414, NEW_414 = b'Request-URI Too Long', b'URI Too Long'


# ------------------------------------------------------------------ the oracle

def _python_version(python):
    """(major, minor, micro) of an interpreter that can import http.server, else None."""
    try:
        out = subprocess.run([python, '-c', 'import sys, http.server; print(*sys.version_info[:3])'],
                             capture_output=True, text=True, timeout=30)
        major, minor, micro = out.stdout.split()
        return int(major), int(minor), int(micro)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def find_oracle(explicit=None):
    """Returns (python, (major, minor, micro), None) or (None, None, reason)."""
    explicit = explicit or os.environ.get('SERVEDIR_ORACLE_PYTHON')
    if explicit:
        tried = [explicit]
    else:
        roots = [os.environ.get('PYENV_ROOT'), os.path.expanduser('~/.pyenv'), '/root/.pyenv']
        if shutil.which('pyenv'):
            try:
                roots.insert(0, subprocess.run(['pyenv', 'root'], capture_output=True, text=True,
                                               timeout=10).stdout.strip())
            except (OSError, subprocess.SubprocessError):
                pass
        tried = [os.path.join(r, 'versions', '3.13.0', 'bin', 'python3') for r in roots if r]
        tried += [shutil.which('python3.13') or 'python3.13', shutil.which('python3') or 'python3']
    for python in dict.fromkeys(tried):
        version = _python_version(python)
        if version is None:
            continue
        if not (3, 11) <= version:
            return None, None, '%s is Python %d.%d.%d; http.server -p needs 3.11 or later' % ((python,) + version)
        return python, version, None
    return None, None, 'no Python 3 to serve as the oracle (tried %s)' % ', '.join(dict.fromkeys(tried))


# ------------------------------------------------------------------ cases

def load_cases(paths):
    cases, extra, seen = [], [], set()
    for path in paths:
        spec = importlib.util.spec_from_file_location('cases_' + re.sub(r'\W', '_', path), path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        since = dict(getattr(module, 'ORACLE_SINCE', {}))
        for raw in getattr(module, 'CASES', []):
            c = _checked(raw, path)
            if c['name'] in seen:
                raise SystemExit('%s: case %s is defined twice' % (path, c['name']))
            seen.add(c['name'])
            c['oracle_since'] = tuple(since.pop(c['name'], ()))
            cases.append(c)
        if since:
            raise SystemExit('%s: ORACLE_SINCE names no case %s' % (path, sorted(since)))
        extra += getattr(module, 'FIXTURE_EXTRA', [])
    return cases, extra


def _checked(raw, path):
    def bad(why):
        raise SystemExit('%s: case %r: %s' % (path, raw.get('name'), why))
    if set(raw) - CASE_KEYS:
        bad('unknown keys %s' % sorted(set(raw) - CASE_KEYS))
    c = dict(raw)
    segments = c['request'] if isinstance(c['request'], list) else [c['request']]
    if not all(isinstance(s, bytes) for s in segments):
        bad('request must be bytes or a list of bytes')
    c['segments'] = segments
    c.setdefault('mode', 'together')
    if c['mode'] not in ('together', 'split', 'sequential'):
        bad('mode must be together, split or sequential')
    protocols = c.get('protocols', PROTOCOLS)
    c['protocols'] = [protocols] if isinstance(protocols, str) else list(protocols)
    if set(c['protocols']) - set(PROTOCOLS):
        bad('unknown protocol in %s' % c['protocols'])
    c['cgi'] = {False: [False], True: [True], 'both': [False, True]}[c.get('cgi', False)]
    c.setdefault('gap', 0.2)
    c.setdefault('shutdown', False)
    c.setdefault('expect', 'identical')
    if c['expect'] == 'safe-divergence-allowed' and not c.get('allowed'):
        bad('safe-divergence-allowed needs allowed')
    if c['expect'] not in ('identical', 'safe-divergence-allowed'):
        bad('expect must be identical or safe-divergence-allowed')
    first_word = lambda s: (s.split(None, 1) or [b''])[0]
    methods = c.get('methods') or [first_word(s) for s in (segments[:1] if c['mode'] == 'split' else segments)]
    c['methods'] = [m if isinstance(m, bytes) else m.encode() for m in methods]
    c.setdefault('responses', 1 if c['mode'] == 'split' else len(segments))
    forbid = c.get('forbid') or []
    c['forbid'] = [forbid] if isinstance(forbid, bytes) else list(forbid)
    c['area'] = c['name'].split('/', 1)[0]
    return c


# ------------------------------------------------------------------ answers

def parse(data, methods):
    """Splits a byte stream into responses. Returns (responses, trailing bytes, number of
    final responses whose end is known). Bytes that do not start a response (an HTTP/0.9
    answer, unframed output) are left as trailing bytes."""
    out, pos, finals, complete = [], 0, 0, 0
    while pos < len(data) and data.startswith(b'HTTP/', pos) and len(out) < 100:
        lines, cur, terminated = [], pos, False
        while True:
            nl = data.find(b'\n', cur)
            if nl < 0:
                break
            line, cur = data[cur:nl + 1], nl + 1
            if line in (b'\n', b'\r\n'):
                terminated = True
                break
            lines.append(line)
        if not lines:                                # not even a whole status line
            out.append({'status': data[pos:], 'code': None, 'headers': [], 'terminated': False,
                        'tail': b'', 'body': b'', 'interim': False})
            pos = len(data)
            break
        status = lines[0][:-1]                      # a CR before the LF stays: it is compared
        code = re.match(rb'HTTP/\S* (\d{3})(?: |\r|$)', status)
        code = int(code.group(1)) if code else None
        headers = []                                 # (lower-case name, raw value, line end)
        for line in lines[1:]:
            name, colon, value = line.partition(b':')
            eol = b'\r\n' if line.endswith(b'\r\n') else b'\n'
            if not colon:
                name, value = b'', line
            headers.append((name.lower(), value[:-len(eol)], eol))
        if not terminated:                           # the connection ended inside the head
            out.append({'status': status, 'code': code, 'headers': headers, 'terminated': False,
                        'tail': data[cur:], 'body': b'', 'interim': False})
            pos = len(data)
            break
        interim = code is not None and 100 <= code < 200 and code != 101
        method = methods[finals] if finals < len(methods) else b'GET'
        length = [v for n, v, _ in headers if n == b'content-length']
        if interim or method == b'HEAD' or code in (204, 304):
            body, done = b'', True
        elif length and re.fullmatch(rb'\s*\d+\s*', length[0]):
            body = data[cur:cur + int(length[0])]
            done = len(body) == int(length[0])
        else:
            body, done = data[cur:], False          # ends when the connection does
        out.append({'status': status, 'code': code, 'headers': headers, 'terminated': True,
                    'tail': b'', 'body': body, 'interim': interim})
        pos = cur + len(body)
        if not interim:
            finals += 1
            complete += done
        if not done:
            break
    return out, data[pos:], complete


class Tokens:
    """What legitimately differs between two servers, and its placeholder."""

    def __init__(self, port, server_value, folders):
        self.port = re.compile(rb'(?<!\d)%d(?!\d)' % port)
        self.server_value = server_value
        self.folders = sorted(((os.fsencode(f), tag) for f, tag in folders), key=lambda ft: -len(ft[0]))

    def text(self, data):
        for folder, tag in self.folders:
            data = data.replace(folder, tag)
        if self.server_value:
            data = data.replace(self.server_value, b'<SERVER>')
        return self.port.sub(b'{PORT}', data)


def normalise(data, closed, case, server):
    responses, trailing, _ = parse(data, case['methods'])
    tokens = server.tokens
    for r in responses:
        ctype = [v for n, v, _ in r['headers'] if n == b'content-type']
        body = r['body']
        if len(body) <= TEXT_LIMIT and (not ctype or TEXTUAL.match(ctype[0])):
            body = tokens.text(body)
        if r['code'] == 414 and server.version < (3, 13):
            r['status'] = r['status'].replace(OLD_414, NEW_414)
            body = body.replace(OLD_414, NEW_414)
        headers = []
        for name, value, eol in r['headers']:
            bare = value.strip()
            if name == b'date' and IMF_DATE.match(bare):
                value = value.replace(bare, b'<DATE>')
            elif name == b'server':
                value = value.replace(bare, b'<SERVER>')
            elif name == b'content-length' and body != r['body'] and bare == b'%d' % len(r['body']):
                value = value.replace(bare, b'%d' % len(body))
            else:
                value = tokens.text(value)
            headers.append((name, value, eol))
        r.update(status=tokens.text(r['status']), headers=headers, body=body, tail=tokens.text(r['tail']))
    if len(trailing) <= TEXT_LIMIT:
        trailing = tokens.text(trailing)
    return {'responses': responses, 'trailing': trailing, 'closed': closed, 'raw': data}


def _show(b, limit=200):
    r = repr(b)
    return r if len(r) <= limit else r[:limit] + '...'


def _bytes_diff(what, a, b):
    if len(a) + len(b) < 240:
        return '%s: oracle %s, candidate %s' % (what, _show(a), _show(b))
    k = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return ('%s: oracle %d bytes, candidate %d bytes, first difference at byte %d: oracle %s, '
            'candidate %s' % (what, len(a), len(b), k, _show(a[max(0, k - 30):k + 50]),
                              _show(b[max(0, k - 30):k + 50])))


def compare(a, b):
    """The differences between two normalised exchanges, as sentences."""
    diffs = []
    ra, rb = a['responses'], b['responses']
    if len(ra) != len(rb):
        diffs.append('responses: oracle %s, candidate %s' % ([r['code'] for r in ra], [r['code'] for r in rb]))
    for i, (x, y) in enumerate(zip(ra, rb)):
        at = 'response %d ' % (i + 1) if max(len(ra), len(rb)) > 1 else ''
        if x['status'] != y['status']:
            diffs.append('%sstatus line: oracle %s, candidate %s' % (at, _show(x['status']), _show(y['status'])))
        if x['terminated'] != y['terminated']:
            diffs.append('%sheader block ended: oracle %s, candidate %s' % (at, x['terminated'], y['terminated']))
        hx, hy = {}, {}
        for h, hm in ((x['headers'], hx), (y['headers'], hy)):
            for name, value, eol in h:
                hm.setdefault(name, []).append(value + (b'' if eol == b'\r\n' else b' <LF>'))
        for name in sorted(set(hx) | set(hy)):
            if hx.get(name) != hy.get(name):
                diffs.append('%sheader %s: oracle %s, candidate %s'
                             % (at, name.decode('latin-1'), hx.get(name, 'absent'), hy.get(name, 'absent')))
        if x['tail'] != y['tail']:
            diffs.append(_bytes_diff(at + 'unfinished header line', x['tail'], y['tail']))
        if x['body'] != y['body']:
            diffs.append(_bytes_diff(at + 'body', x['body'], y['body']))
    if a['trailing'] != b['trailing']:
        diffs.append(_bytes_diff('bytes after the last response', a['trailing'], b['trailing']))
    if a['closed'] != b['closed']:
        state = lambda closed: 'closed' if closed else 'open'
        diffs.append('connection: oracle %s, candidate %s' % (state(a['closed']), state(b['closed'])))
    return diffs


def judge(case, oracle, candidate):
    """('PASS' | 'PASS*' | 'FAIL', diffs)."""
    leaks = [f for f in case['forbid'] if f in candidate['raw'] and f not in oracle['raw']]
    diffs = compare(oracle, candidate)
    if leaks:
        return 'FAIL', ['the candidate sent forbidden bytes %r' % f for f in leaks] + diffs
    if not diffs:
        return 'PASS', []
    if case['expect'] == 'safe-divergence-allowed':
        finals = [r['code'] for r in candidate['responses'] if not r['interim']]
        outcome = finals[0] if finals else 'no-response' if not candidate['raw'] else 'no-status-line'
        if outcome in case['allowed'] and not any(f in candidate['raw'] for f in case['forbid']):
            return 'PASS*', ['allowed divergence: the candidate answered %s' % outcome] + diffs
    return 'FAIL', diffs


# ------------------------------------------------------------------ the client

class Timing:
    def __init__(self, scale):
        self.scale = scale
        self.first = 5.0 * scale       # before the first byte
        self.idle = 1.5 * scale        # quiet while a response is still missing
        self.grace = 0.3 * scale       # quiet once every expected response is complete
        self.script = 5.0 * scale      # quiet after CGI output: the script's exit, which closes
                                       # the connection, came up to 1 s after it on a busy machine
                                       # and over 3 s on an overloaded one (10 runs end open here)
        self.deadline = 30.0 * scale   # a whole exchange


def _quiet_limit(data, methods, expected, timing):
    """How long a silence ends the reading, given what has arrived."""
    responses, _, complete = parse(data, methods)
    if responses and not responses[-1]['terminated']:
        return timing.first             # inside a header block (a CGI script still starting)
    if any(r['status'].endswith(b' Script output follows') for r in responses):
        return timing.script            # a CGI answer ends when its script has exited
    if complete < expected:
        return timing.idle              # an answer without a known end, or one still missing
    return timing.grace


def _read(sock, buf, methods, expected, first_wait, timing, deadline):
    """Reads until the server closes (True) or has been quiet long enough (False)."""
    last, got = time.monotonic(), False
    while True:
        wait = _quiet_limit(bytes(buf), methods, expected, timing) if got else first_wait
        left = min(last + wait, deadline) - time.monotonic()
        if left <= 0 or len(buf) > MAX_BYTES:
            return False
        if not select.select([sock], [], [], left)[0]:
            continue
        try:
            chunk = sock.recv(1 << 18)
        except OSError:                 # a reset counts as closed
            return True
        if not chunk:
            return True
        buf += chunk
        last, got = time.monotonic(), True


def exchange(port, case, timing):
    """Sends the case's bytes to one server; returns (answer bytes, connection closed)."""
    segments = [s.replace(b'{{PORT}}', b'%d' % port) for s in case['segments']]
    first_wait = case['timeout'] * timing.scale if 'timeout' in case else timing.first
    deadline = time.monotonic() + timing.deadline
    buf, closed = bytearray(), False
    sock = socket.create_connection((BIND, port), timeout=10)

    def send(data, last):
        try:
            sock.sendall(data)
            if last and case['shutdown']:
                sock.shutdown(socket.SHUT_WR)
        except OSError:                 # the server may close before reading everything
            pass

    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if case['mode'] == 'sequential':
            for i, segment in enumerate(segments):
                send(segment, i == len(segments) - 1)
                closed = _read(sock, buf, case['methods'], i + 1, first_wait, timing, deadline)
                if closed:
                    break
        else:
            if case['mode'] == 'split':
                for i, segment in enumerate(segments[:-1]):
                    send(segment, False)
                    closed = _read(sock, buf, case['methods'], 1 << 30, case['gap'], timing,
                                   time.monotonic() + case['gap'])
                    if closed:
                        break
                segments = segments[-1:]
            if not closed:
                send(b''.join(segments), True)
                closed = _read(sock, buf, case['methods'], case['responses'], first_wait, timing, deadline)
    finally:
        sock.close()
    return bytes(buf), closed


# ------------------------------------------------------------------ servers

def _free_port():
    with socket.socket() as s:
        s.bind((BIND, 0))
        return s.getsockname()[1]


class Server:
    """One server process over its own fixture copy."""

    def __init__(self, role, command, proto, cgi, folders, env, logs):
        self.role, self.command, self.proto, self.cgi = role, command, proto, cgi
        self.root, self.outside, self.cwd = folders
        self.env, self.proc, self.port, self.tokens, self.version = env, None, None, None, None
        name = '%s-%s%s' % (role, proto[5:], '-cgi' if cgi else '')
        self.stdout_path = os.path.join(logs, name + '.out')
        self.stderr_path = os.path.join(logs, name + '.err')
        self.label = '%s%s' % (proto, ' --cgi' if cgi else '')

    def start(self):
        for _ in range(3):                       # a free port can be taken before we bind it
            self.port = _free_port()
            argv = self.command + [str(self.port), '-b', BIND, '-d', self.root, '-p', self.proto]
            with open(self.stdout_path, 'wb') as out, open(self.stderr_path, 'wb') as err:
                self.proc = subprocess.Popen(argv + ['--cgi'] * self.cgi, cwd=self.cwd, env=self.env,
                                             stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                             start_new_session=True)
            if self._wait_ready():
                self._probe()
                return
            self.stop()
        with open(self.stderr_path, 'rb') as f:
            raise RuntimeError('%s %s did not start: %s' % (self.role, self.label, f.read()[-500:]))

    def _wait_ready(self):
        end = time.monotonic() + 20
        while time.monotonic() < end and self.proc.poll() is None:
            try:
                socket.create_connection((BIND, self.port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.05)
        return False

    def _probe(self):
        """Learns the Server value (to find it in CGI output) and, for a CPython, its version."""
        probe = _checked({'name': 'probe', 'request': b'HEAD / HTTP/1.0\r\n\r\n'}, 'probe')
        data, _ = exchange(self.port, probe, Timing(1))
        server = next((v.strip() for r in parse(data, [b'HEAD'])[0] for n, v, _ in r['headers'] if n == b'server'), b'')
        python = re.search(rb'Python/(\d+)\.(\d+)\.(\d+)', server)
        self.version = tuple(int(n) for n in python.groups()) if python else (99, 0, 0)
        self.tokens = Tokens(self.port, server if len(server) >= 6 else None,
                             [(self.root, b'{root}'), (self.outside, b'{outside}'), (self.cwd, b'{cwd}')])

    def interrupt(self):
        """Ctrl-C: returns (exit status, normalised stdout)."""
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        with open(self.stdout_path, 'rb') as f:
            return self.proc.poll(), self.tokens.text(f.read())

    def stop(self):
        """Ends the server (by its pid), then whatever is left in the session it leads."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass


# ------------------------------------------------------------------ running

def run_case(case, pair, timing):
    answers = []
    for server in pair:
        data, closed = exchange(server.port, case, timing)
        answers.append(normalise(data, closed, case, server))
    return judge(case, *answers)


def lifecycle(pair):
    (rc_o, out_o), (rc_c, out_c) = (s.interrupt() for s in pair)
    diffs = []
    if out_o != out_c:
        diffs.append(_bytes_diff('stdout (banner, Ctrl-C message)', out_o, out_c))
    if rc_o != rc_c:
        diffs.append('exit status after SIGINT: oracle %s, candidate %s' % (rc_o, rc_c))
    return ('FAIL' if diffs else 'PASS'), diffs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--candidate', default=DEFAULT_CANDIDATE,
                    help="command that starts the candidate before the http.server arguments "
                         "(default: %(default)s); 'oracle' runs the oracle against itself")
    ap.add_argument('--oracle', help='the Python whose http.server is the oracle')
    ap.add_argument('--cases', nargs='+', default=DEFAULT_CASES, help='case files')
    ap.add_argument('--only', action='append', default=[], help='cases whose name contains this (repeatable)')
    ap.add_argument('--protocol', choices=PROTOCOLS, help='only this server protocol')
    ap.add_argument('--no-cgi', action='store_true', help='skip the --cgi servers')
    ap.add_argument('--jobs', type=int, default=12, help='exchanges at once (default 12)')
    ap.add_argument('--timeout-scale', type=float, default=1.0, help='multiply every wait')
    ap.add_argument('--no-retry', dest='retry', action='store_false',
                    help='do not run a failed exchange a second time (RETRY: passed then)')
    ap.add_argument('--keep-temp', action='store_true', help='keep the fixtures and server logs')
    ap.add_argument('--list', action='store_true', help='count the selected cases and runs, then exit')
    ap.add_argument('-v', '--verbose', action='store_true', help='print every run and every difference')
    args = ap.parse_args(argv)
    # Started in the background by a shell, we may inherit SIGINT ignored, and so would the
    # servers: CPython would then never see the Ctrl-C of the banner check. A handler is
    # reset to the default across exec, an ignored signal is not.
    signal.signal(signal.SIGINT, signal.default_int_handler)

    cases, extra = load_cases([os.path.abspath(p) for p in args.cases])
    cases = [c for c in cases if not args.only or any(s in c['name'] for s in args.only)]
    configs = [(p, cgi) for p in PROTOCOLS for cgi in (False, True)
               if (not args.protocol or p == args.protocol) and not (cgi and args.no_cgi)]
    runs = [(c, p, cgi) for c in cases for p, cgi in configs if p in c['protocols'] and cgi in c['cgi']]
    if args.list:
        print('%d cases, %d runs (+%d banner checks)' % (len(cases), len(runs), len(configs)))
        return 0

    python, version, why = find_oracle(args.oracle)
    if python is None:
        print('SKIPPED: ' + why)
        print('0 passed, 0 failed, 1 skipped')
        return 0
    oracle_cmd = [python, '-m', 'http.server']
    candidate_cmd = oracle_cmd if args.candidate == 'oracle' else [
        os.path.abspath(w) if '/' in w and os.path.exists(w) else w for w in shlex.split(args.candidate)]
    cgi_python, why = fixture.cgi_interpreter(python)
    print('oracle     : %s -m http.server (Python %d.%d.%d%s)' % ((python,) + version + (
        '; its 414 phrase is read as 3.13 says it' if version < (3, 13) else '',)))
    print('candidate  : %s' % ' '.join(map(shlex.quote, candidate_cmd)))
    print('CGI shebang: %s' % (cgi_python or why))
    skipped = 0
    if version >= (3, 15):      # CGIHTTPRequestHandler and --cgi are gone from 3.15 on
        skipped = sum(1 for r in runs if r[2]) + sum(1 for _p, cgi in configs if cgi)
        runs = [r for r in runs if not r[2]]
        configs = [(p, cgi) for p, cgi in configs if not cgi]
        print('SKIPPED %d CGI runs: Python %d.%d has no --cgi' % ((skipped,) + version[:2]))
    too_new = [r for r in runs if version < r[0]['oracle_since']]
    if too_new:                 # cases pinning answers that CPython changed in a later micro release
        skipped += len(too_new)
        runs = [r for r in runs if r not in too_new]
        print('SKIPPED %d runs of cases that need a later oracle: %s' % (len(too_new), ', '.join(sorted(
            {'%s (%s)' % (r[0]['name'], '.'.join(map(str, r[0]['oracle_since']))) for r in too_new}))))
    if cgi_python is None and any(cgi for _p, cgi in configs):
        print('FAILED to prepare the CGI runs: ' + why)
        print('0 passed, 1 failed, %d skipped' % skipped)
        return 1
    print('%d cases, %d runs, %d server pairs' % (len(cases), len(runs), len(configs)))

    # As root, both servers run CGI scripts as nobody, who must reach the fixture.
    parent = tempfile.gettempdir()
    if os.geteuid() == 0 and not fixture.world_usable(parent):
        parent = '/tmp'
    tmp = tempfile.mkdtemp(prefix='servedir-conformance-', dir=parent)
    os.chmod(tmp, 0o755)
    logs = os.path.join(tmp, 'logs')
    os.mkdir(logs)
    env = {k: v for k, v in os.environ.items() if not k.startswith('HTTP_')}
    env.update(PYTHONUNBUFFERED='1', PYTHONDONTWRITEBYTECODE='1', SERVEDIR_CONFORMANCE='inherited')
    folders = {role: fixture.build(os.path.join(tmp, role), cgi_python or python, extra)
               for role in ('oracle', 'candidate')}
    pairs, results, retried, started = {}, [], [], time.monotonic()
    try:
        try:
            for proto, cgi in configs:
                pair = tuple(Server(role, cmd, proto, cgi, folders[role], env, logs)
                             for role, cmd in (('oracle', oracle_cmd), ('candidate', candidate_cmd)))
                pairs[proto, cgi] = pair
                for server in pair:
                    server.start()
        except (OSError, RuntimeError) as exc:
            results.append(('cli', 'cli/start', '-', False, 'FAIL', ['a server did not start: %s' % exc]))
            runs, pairs_ready = [], False
        else:
            pairs_ready = True
        timing = Timing(args.timeout_scale)
        # CGI runs first: they are the slow ones (a script per exchange, idle waits).
        runs.sort(key=lambda r: not r[2])
        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            futures = [(r, pool.submit(run_case, r[0], pairs[r[1], r[2]], timing)) for r in runs]
            for (c, proto, cgi), future in futures:
                verdict, diffs = future.result()
                if verdict == 'FAIL' and args.retry:
                    # Once more, later and alone: waits for silence can run out on an
                    # overloaded machine. A pass then is reported, with the first differences.
                    retried.append((c, proto, cgi, diffs))
                    continue
                results.append((c['area'], c['name'], proto, cgi, verdict, diffs))
        for c, proto, cgi, first in retried:
            # Many failures are no accident of load: they are not run again.
            verdict, diffs = run_case(c, pairs[proto, cgi], timing) if len(retried) <= 20 else ('FAIL', first)
            if verdict != 'FAIL':
                verdict, diffs = 'RETRY', ['first attempt: ' + d for d in first]
            results.append((c['area'], c['name'], proto, cgi, verdict, diffs))
        for (proto, cgi), pair in pairs.items() if pairs_ready else ():
            verdict, diffs = lifecycle(pair)
            results.append(('cli', 'cli/banner-and-sigint', proto, cgi, verdict, diffs))
    finally:
        for pair in pairs.values():
            for server in pair:
                server.stop()
        if args.keep_temp:
            print('kept: %s' % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    areas = {}
    for area, name, proto, cgi, verdict, diffs in results:
        areas.setdefault(area, [0, 0])[verdict == 'FAIL'] += 1
        if verdict != 'PASS' or args.verbose:
            print('%-5s %-60s [%s%s]' % (verdict, name, proto, ' --cgi' if cgi else ''))
            for d in diffs if (verdict in ('FAIL', 'RETRY') or args.verbose) else diffs[:1]:
                print('        - ' + d)
    print('\n%-12s %6s %6s' % ('area', 'passed', 'failed'))
    for area, (ok, bad) in sorted(areas.items()):
        print('%-12s %6d %6d' % (area, ok, bad))
    failed = sum(1 for r in results if r[4] == 'FAIL')
    allowed = sum(1 for r in results if r[4] == 'PASS*')
    again = sum(1 for r in results if r[4] == 'RETRY')
    print('\n%.0f s; of the passes, %d are allowed divergences (PASS*), %d passed at a second attempt '
          '(RETRY)' % (time.monotonic() - started, allowed, again))
    print('%d passed, %d failed, %d skipped' % (len(results) - failed, failed, skipped))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
