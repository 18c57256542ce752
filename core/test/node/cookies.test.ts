// Cookies in Node (`cookieFetch` and `nodeWebSocket(WebSocket, { cookieJar })` from `@hubrx/core/node`) with
// tough-cookie's CookieJar, against a real HTTP + `ws` server: cookies set by one answer go with the next request
// and with the WebSocket upgrade, cookies set by the upgrade are kept, redirects are followed with their cookies,
// and a 404 to a negotiated connection's upgrade is a ConnectionNotFoundError. Also the full client: negotiate and
// the WebSocket, Server-Sent Events and Long Polling requests all carry the cookie of the first answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { EventSource } from 'eventsource';
import { CookieJar } from 'tough-cookie';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createHubConnection, noReconnect } from '../../src/index.js';
import { ConnectionNotFoundError } from '../../src/errors.js';
import { cookieFetch, nodeWebSocket } from '../../src/node/index.js';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly cookie: string | undefined;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server whose routes the test writes; every request and upgrade is recorded with its Cookie header. */
async function startServer(
  route: (request: IncomingMessage, response: ServerResponse) => void,
  upgrade?: (request: IncomingMessage, socket: Duplex, head: Buffer, wss: WebSocketServer) => void,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const wss = new WebSocketServer({ noServer: true });
  const http: Server = createServer((request, response) => {
    seen.push({ method: request.method!, url: request.url!, cookie: request.headers.cookie });
    route(request, response);
  });
  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    seen.push({ method: 'UPGRADE', url: request.url!, cookie: request.headers.cookie });
    if (upgrade !== undefined) upgrade(request, socket, head, wss);
    else wss.handleUpgrade(request, socket, head, (ws) => ws.close(1000));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  });
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, seen };
}

describe('cookieFetch', () => {
  it('sends the cookies earlier answers set, merged with a Cookie header the caller gives', async () => {
    const { url, seen } = await startServer((request, response) => {
      if (request.url === '/login')
        response.setHeader('Set-Cookie', ['session=s1; Path=/; HttpOnly', 'lb=a']);
      response.end('ok');
    });
    const jar = new CookieJar();
    const fetch = cookieFetch(jar);
    await fetch(`${url}/login`, { method: 'POST', body: 'x' });
    const response = await fetch(new URL(`${url}/hub/negotiate`), {
      method: 'POST',
      headers: { Cookie: 'own=1' },
    });
    expect(await response.text()).toBe('ok');
    expect(seen.map((s) => s.cookie)).toEqual([undefined, 'own=1; session=s1; lb=a']);
    expect(jar.getCookieStringSync(url)).toBe('session=s1; lb=a');
  });

  it('follows redirects itself, keeping the cookies of every answer (303 and 302 after a POST go on as GET)', async () => {
    const { url, seen } = await startServer((request, response) => {
      if (request.url === '/start') {
        response.writeHead(302, { Location: '/next', 'Set-Cookie': 'hop=1' }).end();
      } else if (request.url === '/next') {
        response.writeHead(307, { Location: '/end', 'Set-Cookie': 'hop2=2' }).end();
      } else {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => response.end(`${request.method} ${body}`));
      }
    });
    const fetch = cookieFetch(new CookieJar());
    const followed = await fetch(`${url}/start`, { method: 'POST', body: 'payload' });
    expect(await followed.text()).toBe('GET ');
    expect(seen.map((s) => `${s.method} ${s.url} ${s.cookie ?? '-'}`)).toEqual([
      'POST /start -',
      'GET /next hop=1',
      'GET /end hop=1; hop2=2',
    ]);
    // 307 repeats the request with its body; `manual` gives the redirect itself; `error` refuses it.
    expect(await (await fetch(`${url}/next`, { method: 'PUT', body: 'again' })).text()).toBe('PUT again');
    expect((await fetch(`${url}/start`, { redirect: 'manual' })).status).toBe(302);
    await expect(fetch(`${url}/start`, { redirect: 'error' })).rejects.toThrow(TypeError);
  });

  it('refuses what is not a cookie jar, saying what to pass', () => {
    expect(() => cookieFetch({} as CookieJar)).toThrow(
      "cookieFetch() takes a cookie jar with getCookieStringSync and setCookieSync: `new CookieJar()` from 'tough-cookie'.",
    );
    expect(() => nodeWebSocket(WebSocket, { cookieJar: {} as CookieJar })).toThrow(
      /nodeWebSocket\(\) takes a cookie jar/,
    );
  });
});

describe('nodeWebSocket with a cookie jar', () => {
  it("sends the jar's cookies on the upgrade and keeps those the upgrade answer sets", async () => {
    const { url, seen } = await startServer(
      (_request, response) => response.writeHead(200, { 'Set-Cookie': 'lb=b; Path=/' }).end(),
      (request, socket, head, wss) => {
        wss.once('headers', (headers) => headers.push('Set-Cookie: upgraded=yes; Path=/'));
        wss.handleUpgrade(request, socket, head, (ws) => ws.close(1000));
      },
    );
    const jar = new CookieJar();
    await cookieFetch(jar)(`${url}/hub/negotiate`, { method: 'POST' });
    const Socket = nodeWebSocket(WebSocket, { cookieJar: jar });
    expect(nodeWebSocket(WebSocket, { cookieJar: jar })).toBe(Socket); // one class per ws class and jar
    const socket = new Socket(`${url.replace('http', 'ws')}/hub?id=t`, { Cookie: 'own=1' }, 'token');
    await new Promise<void>((resolve) => (socket.onclose = () => resolve()));
    expect(seen.at(-1)).toEqual({ method: 'UPGRADE', url: '/hub?id=t', cookie: 'own=1; lb=b' });
    expect(jar.getCookieStringSync(url)).toBe('lb=b; upgraded=yes');
  });

  it('reports a 404 to the upgrade of a negotiated connection as a ConnectionNotFoundError', async () => {
    const { url } = await startServer(
      (_request, response) => response.end(),
      (_request, socket) =>
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'),
    );
    const Socket = nodeWebSocket(WebSocket);
    const closed = (target: string) =>
      new Promise<Error | undefined>((resolve) => {
        const socket = new Socket(target, {}, undefined);
        socket.onclose = ({ error }) => resolve(error);
      });
    const notFound = await closed(`${url.replace('http', 'ws')}/hub?id=gone`);
    expect(notFound).toBeInstanceOf(ConnectionNotFoundError);
    expect(notFound).toMatchObject({ name: 'ConnectionNotFoundError', statusCode: 404 });
    // Without `id=` (skipNegotiation), a 404 is a wrong hub URL: an HttpError.
    expect(await closed(`${url.replace('http', 'ws')}/hub`)).toMatchObject({
      name: 'HttpError',
      statusCode: 404,
    });
  });
});

describe('a Node client with a cookie jar', () => {
  // A hub that sets a sticky cookie on negotiate and refuses (404) every connection request without it.
  async function stickyHub() {
    const connections = new Set<string>();
    const { url, seen } = await startServer(
      (request, response) => {
        const sticky = request.headers.cookie?.includes('lb=one') === true;
        if (request.url!.startsWith('/hub/negotiate')) {
          const id = `c${connections.size + 1}`;
          connections.add(id);
          response.writeHead(200, { 'Set-Cookie': 'lb=one; Path=/', 'Content-Type': 'application/json' });
          response.end(
            JSON.stringify({
              negotiateVersion: 1,
              connectionId: id,
              connectionToken: id,
              availableTransports: [
                { transport: 'WebSockets', transferFormats: ['Text'] },
                { transport: 'ServerSentEvents', transferFormats: ['Text'] },
                { transport: 'LongPolling', transferFormats: ['Text'] },
              ],
            }),
          );
          return;
        }
        if (!sticky) return void response.writeHead(404).end('No Connection with that ID');
        if (request.method === 'POST') return void response.end(); // the handshake request
        if (request.headers.accept === 'text/event-stream') {
          response.writeHead(200, { 'Content-Type': 'text/event-stream' });
          response.write('data: {}\x1e\n\n');
          return;
        }
        if (request.method === 'DELETE') return void response.writeHead(202).end();
        const first = seen.filter((s) => s.method === 'GET').length === 1;
        if (first) response.end('{}\x1e');
        else setTimeout(() => response.writeHead(204).end(), 50); // the server ends the connection
      },
      (request, socket, head, wss) => {
        if (request.headers.cookie?.includes('lb=one') !== true) {
          socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
          return;
        }
        wss.handleUpgrade(request, socket, head, (ws) => ws.once('message', () => ws.send('{}\x1e')));
      },
    );
    return { url, seen };
  }

  for (const transport of ['webSockets', 'serverSentEvents', 'longPolling'] as const) {
    it(`sends the negotiate answer's cookie with every ${transport} request`, async () => {
      const { url, seen } = await stickyHub();
      const cookieJar = new CookieJar();
      const connection = createHubConnection({
        url: `${url}/hub`,
        transports: [transport],
        fetch: cookieFetch(cookieJar),
        WebSocket: nodeWebSocket(WebSocket, { cookieJar }),
        EventSource,
        reconnect: noReconnect(),
      });
      cleanups.push(() => connection.stop());
      await connection.start();
      expect(connection.state.status).toBe('connected');
      await connection.stop();
      const [negotiate, ...rest] = seen;
      expect(negotiate).toMatchObject({ method: 'POST', cookie: undefined });
      expect(rest.length).toBeGreaterThan(0);
      for (const request of rest) expect(request.cookie).toBe('lb=one');
    });

    it(`without the jar, the ${transport} request fails with a ConnectionNotFoundError`, async () => {
      const { url } = await stickyHub();
      const connection = createHubConnection({
        url: `${url}/hub`,
        transports: [transport],
        WebSocket: nodeWebSocket(WebSocket),
        EventSource,
        reconnect: noReconnect(),
      });
      cleanups.push(() => connection.stop());
      const error = await connection.start().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(ConnectionNotFoundError);
      expect((error as Error).message).toMatch(
        /answered 404: this server does not know the connection \(is the load balancer sticky\?\)/,
      );
    });
  }
});
