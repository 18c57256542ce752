// msw mode, raw connections (no hub protocol): text comes back exactly as sent, a leading U+FEFF included, whether
// the handler echoes the string (the test preset's `/echo`) or its UTF-8 bytes (`/bytes-echo`, which msw's
// WebSocket and SSE paths decode for a text connection: a default TextDecoder would drop U+FEFF as a byte order mark).

import { createRequire } from 'node:module';
import { HttpTransportType, LogLevel, TransferFormat } from '@microsoft/signalr';
import type { IHttpConnectionOptions } from '@microsoft/signalr';
import { EventSource } from 'eventsource';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPreset } from '@hubrx/mock-server';
import { createMswHub } from '@hubrx/mock-server/msw';

/** The client's HttpConnection (not exported by the package; upstream's tests import it from dist too). */
interface RawConnection {
  onreceive: ((data: string | ArrayBuffer) => void) | null;
  start(transferFormat: TransferFormat): Promise<void>;
  send(data: string | ArrayBuffer): Promise<void>;
  stop(): Promise<void>;
}
const require = createRequire(import.meta.url);
const { HttpConnection } = require('@microsoft/signalr/dist/cjs/HttpConnection.js') as {
  HttpConnection: new (url: string, options?: IHttpConnectionOptions) => RawConnection;
};

const URL_BASE = 'http://hubs.test';
const preset = testPreset();
const utf8 = new TextEncoder();
const hub = createMswHub({
  url: URL_BASE,
  ...preset,
  connections: {
    ...preset.connections,
    '/bytes-echo': {
      onMessage: (connection, data) => connection.send(typeof data === 'string' ? utf8.encode(data) : data),
    },
  },
});
const server = setupServer(...hub.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => {
  hub.close();
  server.close();
});

describe.each(['/echo', '/bytes-echo'])('raw %s through msw', (path) => {
  for (const transport of [HttpTransportType.WebSockets, HttpTransportType.ServerSentEvents]) {
    it(`echoes text starting with U+FEFF over ${HttpTransportType[transport]}`, async () => {
      // `WebSocket` and `EventSource` are options the official client reads but does not declare in its types.
      const options: IHttpConnectionOptions & { WebSocket: unknown; EventSource: unknown } = {
        transport,
        logger: LogLevel.None,
        WebSocket: globalThis.WebSocket,
        EventSource,
      };
      const connection = new HttpConnection(`${URL_BASE}${path}`, options);
      const received = new Promise<string | ArrayBuffer>((resolve) => (connection.onreceive = resolve));
      await connection.start(TransferFormat.Text);
      try {
        const message = '\uFEFFhello\uFEFF';
        await connection.send(message);
        expect(await received).toBe(message);
      } finally {
        await connection.stop();
      }
    });
  }
});
