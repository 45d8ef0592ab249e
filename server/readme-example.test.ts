/**
 * The subclassing example of server/README.md ("How to subclass"), kept as a test so the
 * README cannot drift from the API: a `do_PUT` that stores the request body as a file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, rawRequest, startServer, statusLines } from './test-support/harness.js';

// --- README example begins ---
import { HTTPServer } from './http-server.js';
import { formatNcsaLine } from './log.js';
import { SimpleHTTPRequestHandler } from './simple-handler.js';

/** Answers PUT by saving the body under the shared folder; GET and HEAD are inherited. */
class PutHandler extends SimpleHTTPRequestHandler {
  override async do_PUT(): Promise<void> {
    const length = Number(this.headers.get('Content-Length'));
    if (!Number.isInteger(length) || length < 0) {
      this.sendError(411); // Length Required
      return;
    }
    const body = await this.rfile.read(length);
    await fs.promises.writeFile(this.translatePath(this.path), body);
    this.sendResponse(201); // Created
    this.sendHeader('Content-Length', '0');
    this.endHeaders();
  }
}

async function startPutServer(directory: string, port: number): Promise<HTTPServer> {
  const server = new HTTPServer(PutHandler, {
    handlerOptions: { directory, protocolVersion: 'HTTP/1.1' },
    onLog: (entry) => process.stderr.write(formatNcsaLine(entry)),
  });
  await server.listen(port, '127.0.0.1');
  return server;
}
// --- README example ends ---

describe('README example: do_PUT subclass', () => {
  let dir: string;
  let server: HTTPServer;
  beforeAll(async () => {
    dir = makeTempDir();
    server = await startPutServer(dir, 0);
  });
  afterAll(async () => {
    await server.close();
  });

  it('PUT stores the body, GET serves it back, a PUT without length is 411', async () => {
    const port = server.address().port;
    const put = (await rawRequest(port, 'PUT /note.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello')).toString('latin1');
    expect(put.startsWith('HTTP/1.1 201 Created\r\n')).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'note.txt'), 'utf8')).toBe('hello');
    const res = await fetch(`http://127.0.0.1:${port}/note.txt`);
    expect(await res.text()).toBe('hello');
    const noLength = (await rawRequest(port, 'PUT /x HTTP/1.1\r\nHost: x\r\n\r\n')).toString('latin1');
    expect(noLength.startsWith('HTTP/1.1 411 Length Required\r\n')).toBe(true);
  });
});

describe('README example: do_PUT on a kept-alive, pipelined connection', () => {
  // One write: a PUT whose body the handler reads exactly (Content-Length bytes), then a GET.
  const pipelined = 'PUT /piped.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello' + 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';

  it.each([
    ['the CLI default', false],
    ['hardened (the app)', true],
  ])('%s: the PUT is stored and the GET that follows it is answered 200', async (_mode, hardened) => {
    const dir = makeTempDir();
    const live = await startServer(PutHandler, { directory: dir, protocolVersion: 'HTTP/1.1', hardened });
    try {
      const raw = await rawRequest(live.port, pipelined);
      expect(statusLines(raw)).toEqual(['HTTP/1.1 201 Created', 'HTTP/1.1 200 OK']);
      expect(raw.toString('latin1')).toContain('piped.txt</a>'); // the listing names the new file
      expect(fs.readFileSync(path.join(dir, 'piped.txt'), 'utf8')).toBe('hello');
      expect(live.logs.filter((e) => e.kind === 'request').map((e) => e.message)).toEqual([
        '"PUT /piped.txt HTTP/1.1" 201 -',
        '"GET / HTTP/1.1" 200 -',
      ]);
    } finally {
      await live.close();
    }
  });
});
