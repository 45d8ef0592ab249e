/**
 * Test helper (not shipped code): builds RequestLogEntry values for the unit tests.
 */
import type { RequestLogEntry } from '../../../server/log';

let nextId = 1;

/** A request entry with sensible defaults; override any field. */
export function entry(over: Partial<RequestLogEntry> = {}): RequestLogEntry {
  const id = nextId++;
  return {
    id,
    kind: 'request',
    time: Date.UTC(2026, 10, 22, 14, 0, 0),
    connectionId: id,
    clientAddress: '192.168.1.20',
    clientPort: 50000 + (id % 1000),
    method: 'GET',
    path: `/file-${id}.txt`,
    protocol: 'HTTP/1.1',
    status: 200,
    bytesSent: 100,
    bodyBytes: 40,
    headerBytes: 60,
    expectedBytes: 40,
    outcome: 'done',
    durationMs: 1.5,
    userAgent: 'curl/8.5.0',
    referer: null,
    message: `"GET /file-${id}.txt HTTP/1.1" 200 -`,
    ...over,
  };
}
