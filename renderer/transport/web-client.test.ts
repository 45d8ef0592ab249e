/**
 * Unit tests of the web transport with a FAKE fetch and a FAKE EventSource (test-only
 * stand-ins; the real control server is exercised by test/e2e/app.e2e.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { createWebClient, TransportError } from './web-client';

class FakeEventSource {
  static last: FakeEventSource | null = null;
  static count = 0;
  readonly handlers = new Map<string, Array<(ev: unknown) => void>>();
  closed = false;
  constructor(readonly url: string) {
    FakeEventSource.last = this;
    FakeEventSource.count++;
  }
  addEventListener(type: string, h: (ev: unknown) => void) {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), h]);
  }
  close() {
    this.closed = true;
  }
  emit(type: string, ev: unknown = {}) {
    for (const h of this.handlers.get(type) ?? []) h(ev);
  }
}

function setup(respond: (url: string, init: RequestInit) => Response | Promise<Response> = () => Response.json({ ok: true, value: 42 })) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const timers: Array<() => void> = [];
  const client = createWebClient({
    fetch: (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return respond(url, init);
    }) as unknown as typeof fetch,
    EventSource: FakeEventSource as unknown as typeof EventSource,
    setTimeout: (cb) => timers.push(cb),
  });
  return { client, calls, timers };
}

describe('web-client', () => {
  it('invokes with POST, same-origin credentials (the session cookie), no secret of its own, and {args}', async () => {
    const { client, calls } = setup();
    await expect(client.invoke['folder:check']('/srv/share')).resolves.toBe(42);
    expect(calls[0]!.url).toBe('/api/invoke/folder:check');
    expect(calls[0]!.init.method).toBe('POST');
    expect(calls[0]!.init.credentials).toBe('same-origin');
    expect(calls[0]!.init.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual({ args: ['/srv/share'] });
  });

  it('turns transport failures into plain TransportErrors', async () => {
    const forbidden = setup(() => new Response('{}', { status: 403 }));
    await expect(forbidden.client.invoke['settings:get']()).rejects.toThrow(/not signed in to Servedir\. Open the address Servedir printed/);
    expect(forbidden.client.connection.getState().state).toBe('broken');
    // Broken stays broken: no more requests are sent.
    await expect(forbidden.client.invoke['settings:get']()).rejects.toThrow(/not signed in/);
    expect(forbidden.calls).toHaveLength(1);
    const down = setup(() => Promise.reject(new TypeError('Failed to fetch')));
    await expect(down.client.invoke['settings:get']()).rejects.toBeInstanceOf(TransportError);
    const bug = setup(() => Response.json({ ok: false, error: 'boom' }, { status: 500 }));
    await expect(bug.client.invoke['settings:get']()).rejects.toThrow(/Something went wrong inside Servedir \(boom\)/);
  });

  it('delivers events, and reconnects with backoff after an error', () => {
    const { client, timers } = setup();
    const got: unknown[] = [];
    const reconnects: number[] = [];
    client.connection.onReconnect(() => reconnects.push(1));
    client.on('server:status', (s) => got.push(s));
    const es = FakeEventSource.last!;
    expect(es.url).toBe('/api/events');
    es.emit('open');
    es.emit('server:status', { data: '{"state":"stopped"}' });
    expect(got).toEqual([{ state: 'stopped' }]);
    es.emit('error');
    expect(es.closed).toBe(true);
    expect(client.connection.getState().state).toBe('reconnecting');
    expect(timers).toHaveLength(1);
    timers[0]!();
    const es2 = FakeEventSource.last!;
    expect(es2).not.toBe(es);
    es2.emit('open');
    expect(client.connection.getState().state).toBe('connected');
    expect(reconnects).toHaveLength(1);
    es2.emit('server:status', { data: '{"state":"starting"}' });
    expect(got).toHaveLength(2);
  });

  it('stays "broken" after a refused session instead of reconnecting forever', async () => {
    const { client, timers } = setup(() => new Response('{}', { status: 403 }));
    client.on('log:batch', () => {});
    const es = FakeEventSource.last!;
    await expect(client.invoke['app:info']()).rejects.toThrow(/not signed in/);
    expect(es.closed).toBe(true);
    es.emit('error');
    expect(client.connection.getState()).toEqual({ state: 'broken', message: expect.stringMatching(/not signed in/) });
    expect(timers).toHaveLength(0);
  });

  it('pathForFile is null in the browser', () => {
    expect(setup().client.pathForFile({} as File)).toBeNull();
  });
});
