// Raw-protocol helpers for the wire conformance suites (test/interop/wire-*.test.ts): plain `fetch` and `ws`, no
// SignalR client. Everything a test opens goes through a `WireSession`, which closes it when the test finishes.
//
// - `WireRecordReader` splits a received byte stream into records: the handshake response (JSON up to 0x1E), then
//   hub messages (JSON: up to 0x1E; MessagePack: VarInt length prefix + body), each with its exact bytes.
// - `WireSocket`: a raw WebSocket hub client (frames as received, records, waits with timeouts, close info).
// - `SseStream`: a Server-Sent Events reader over a streaming `fetch` body (raw text, `data:` payloads, records).
// - `LongPollingClient`: GET polls, POST sends and DELETE on one connection.

import type { TestContext } from 'vitest';
import WebSocket from 'ws';

import { jsonHubProtocol, type HubMessage } from '@hubrx/core';
import { messagePackHubProtocol } from '@hubrx/core/msgpack';

/** The JSON record separator. */
export const RS = '\x1e';

/** How long a wait for something the server should send promptly may take before the test fails. */
export const DEFAULT_WAIT_MS = 2000;

export type WireProtocol = 'json' | 'messagepack';

/** A message as read off the wire: its exact bytes and what they decode to. */
export interface WireRecord {
  /** The exact bytes, separator or length prefix included. */
  readonly bytes: Buffer;
  /** `bytes` as UTF-8 text (meaningful for JSON records). */
  readonly text: string;
  /** `bytes` as lowercase hex (handy for MessagePack records). */
  readonly hex: string;
  /**
   * The decoded message: for JSON (and the handshake response) the object `JSON.parse` produced, untouched; for
   * MessagePack the hub message `@hubrx/core` decoded (undefined for a type it skips).
   */
  readonly message: Record<string, unknown> | undefined;
  /** Whether this is the handshake response (the first record). */
  readonly handshake: boolean;
}

/** A WebSocket frame (message) as received. */
export interface WireFrame {
  readonly binary: boolean;
  readonly data: Buffer;
}

/** A complete HTTP response. */
export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
  readonly text: string;
}

/** The response to a rejected WebSocket upgrade. */
export interface UpgradeRejection {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** The close of a WebSocket as seen by the client. */
export interface WireClose {
  readonly code: number;
  readonly reason: string;
}

// ---- encoding ------------------------------------------------------------------------------------------------------

const json = jsonHubProtocol();
const messagePack = messagePackHubProtocol();

/** A JSON record: `JSON.stringify(value)` + 0x1E (no validation, so anything can be sent). */
export function jsonRecord(value: unknown): string {
  return JSON.stringify(value) + RS;
}

/** A MessagePack record (length prefix + body) written by `@hubrx/core`. */
export function messagePackRecord(message: HubMessage): Buffer {
  const written = messagePack.write(message);
  return typeof written === 'string' ? Buffer.from(written, 'utf8') : Buffer.from(written);
}

/** A record of `protocol` for `message`. */
export function hubRecord(protocol: WireProtocol, message: HubMessage): string | Buffer {
  return protocol === 'json' ? (json.write(message) as string) : messagePackRecord(message);
}

/** The handshake request, e.g. `{"protocol":"json","version":1}\x1e`. */
export function handshakeRequest(protocol: string, version: number): string {
  return `{"protocol":"${protocol}","version":${version}}${RS}`;
}

/** The VarInt length prefix of the binary message format. */
export function varint(length: number): Buffer {
  const bytes: number[] = [];
  let rest = length;
  do {
    let byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return Buffer.from(bytes);
}

/** A binary record: VarInt length prefix + `body`. */
export function lengthPrefixed(body: Uint8Array): Buffer {
  return Buffer.concat([varint(body.length), body]);
}

/** Bytes from a hex string; spaces are ignored (`hexBytes('02 91 06')`). */
export function hexBytes(text: string): Buffer {
  return Buffer.from(hex(text), 'hex');
}

/** A hex string without spaces, lower case (`hex('02 91 06')` is `'029106'`), as in `WireRecord.hex`. */
export function hex(text: string): string {
  return text.replace(/\s+/g, '').toLowerCase();
}

// ---- decoding ------------------------------------------------------------------------------------------------------

/**
 * Splits received bytes into records. The first record is the handshake response (JSON up to 0x1E, whatever the
 * protocol); after it, records follow the hub protocol. Incomplete data waits for more.
 */
export class WireRecordReader {
  private pending = Buffer.alloc(0);
  private handshakeDone: boolean;

  constructor(
    public protocol: WireProtocol = 'json',
    options: { afterHandshake?: boolean } = {},
  ) {
    this.handshakeDone = options.afterHandshake ?? false;
  }

  /** Adds received bytes; returns the records they complete. */
  push(chunk: Uint8Array): WireRecord[] {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const records: WireRecord[] = [];
    for (;;) {
      const record = this.take();
      if (record === undefined) break;
      records.push(record);
    }
    return records;
  }

  /** Bytes received but not yet part of a complete record. */
  get remainder(): Buffer {
    return this.pending;
  }

  private take(): WireRecord | undefined {
    if (this.pending.length === 0) return undefined;
    if (!this.handshakeDone || this.protocol === 'json') {
      const end = this.pending.indexOf(0x1e);
      if (end === -1) return undefined;
      const bytes = this.cut(end + 1);
      const handshake = !this.handshakeDone;
      this.handshakeDone = true;
      const text = bytes.toString('utf8');
      return { bytes, text, hex: bytes.toString('hex'), message: parseJson(text.slice(0, -1)), handshake };
    }
    // MessagePack: VarInt length prefix (at most 5 bytes), then the body.
    let length = 0;
    let shift = 0;
    let index = 0;
    for (;;) {
      if (index >= this.pending.length) return undefined;
      const byte = this.pending[index] ?? 0;
      length += (byte & 0x7f) * 2 ** shift;
      index += 1;
      shift += 7;
      if ((byte & 0x80) === 0) break;
      if (index >= 5) throw new Error(`Invalid VarInt length prefix: ${this.pending.toString('hex')}`);
    }
    if (this.pending.length < index + length) return undefined;
    const bytes = this.cut(index + length);
    const [message] = messagePack.parse(bytes);
    return {
      bytes,
      text: bytes.toString('utf8'),
      hex: bytes.toString('hex'),
      message: message as Record<string, unknown> | undefined,
      handshake: false,
    };
  }

  private cut(length: number): Buffer {
    const bytes = this.pending.subarray(0, length);
    this.pending = this.pending.subarray(length);
    return Buffer.from(bytes);
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The texts of `records` (readable in assertion failures, unlike the records' buffers). */
export function texts(records: readonly WireRecord[]): string[] {
  return records.map((record) => record.text);
}

// ---- predicates ----------------------------------------------------------------------------------------------------

export type RecordPredicate = (record: WireRecord) => boolean;

/** A record of hub message type `type` (1 Invocation … 9 Sequence). */
export function ofType(type: number): RecordPredicate {
  return (record) => !record.handshake && record.message?.type === type;
}

/** The Completion of invocation `id`. */
export function completionOf(id: string): RecordPredicate {
  return (record) => ofType(3)(record) && record.message?.invocationId === id;
}

/** An Invocation of client method `target`. */
export function invocationOf(target: string): RecordPredicate {
  return (record) => ofType(1)(record) && record.message?.target === target;
}

// ---- waiting -------------------------------------------------------------------------------------------------------

/** Collects records and lets a test wait for them in order. */
class RecordQueue {
  readonly all: WireRecord[] = [];
  private cursor = 0;
  private waiters = new Set<() => void>();
  private endedWith: string | undefined;

  constructor(private readonly describe: () => string) {}

  add(records: readonly WireRecord[]): void {
    if (records.length === 0) return;
    this.all.push(...records);
    this.wake();
  }

  /** No more records will come (`why` is used in error messages). */
  end(why: string): void {
    this.endedWith ??= why;
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Records received and not yet consumed by `next`/`waitFor`. */
  unread(): WireRecord[] {
    return this.all.slice(this.cursor);
  }

  /**
   * The first unread record matching `predicate`; the ones before it are consumed too. Rejects after `timeoutMs`,
   * or when the stream ends without one.
   */
  waitFor(
    predicate: RecordPredicate,
    timeoutMs = DEFAULT_WAIT_MS,
    what = 'a matching record',
  ): Promise<WireRecord> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        while (this.cursor < this.all.length) {
          const record = this.all[this.cursor++];
          if (record !== undefined && predicate(record)) {
            finish();
            resolve(record);
            return true;
          }
        }
        if (this.endedWith !== undefined) {
          finish();
          reject(new Error(`Stream ended (${this.endedWith}) before ${what}; ${this.describe()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; ${this.describe()}`));
      }, timeoutMs);
      const waiter = (): void => void check();
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
      check();
    });
  }

  /** The next unread record. */
  next(timeoutMs = DEFAULT_WAIT_MS): Promise<WireRecord> {
    return this.waitFor(() => true, timeoutMs, 'the next record');
  }

  /** Waits `ms`, then returns (and consumes) every record that arrived and was still unread. */
  async drain(ms: number): Promise<WireRecord[]> {
    await delay(ms);
    const records = this.unread();
    this.cursor = this.all.length;
    return records;
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects after `ms` unless `promise` settles first. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function summarize(records: readonly WireRecord[]): string {
  const shown = records.slice(-8).map((record) => JSON.stringify(record.text.slice(0, 200)));
  return `received ${records.length} record(s)${shown.length > 0 ? `, last: ${shown.join(' ')}` : ''}`;
}

// ---- WebSocket -----------------------------------------------------------------------------------------------------

/** A raw WebSocket to a hub: frames and records as received, nothing interpreted. */
export class WireSocket {
  readonly frames: WireFrame[] = [];
  readonly reader: WireRecordReader;
  private readonly queue: RecordQueue;
  /** Resolves when the socket has closed (never rejects). */
  readonly closed: Promise<WireClose>;
  private closeInfo: WireClose | undefined;

  constructor(
    readonly socket: WebSocket,
    protocol: WireProtocol,
    options: { resume?: boolean } = {},
  ) {
    this.reader = new WireRecordReader(protocol, { afterHandshake: options.resume ?? false });
    this.queue = new RecordQueue(() => summarize(this.queue.all));
    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const bytes = toBuffer(data);
      this.frames.push({ binary: isBinary, data: bytes });
      try {
        this.queue.add(this.reader.push(bytes));
      } catch (error) {
        this.queue.end(`undecodable data: ${String(error)}`);
      }
    });
    socket.on('error', () => {
      // Reported through 'close'.
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code: number, reason: Buffer) => {
        this.closeInfo = { code, reason: reason.toString('utf8') };
        this.queue.end(`socket closed with ${code}`);
        resolve(this.closeInfo);
      });
    });
  }

  /** The hub protocol the records are read with after the handshake. */
  get protocol(): WireProtocol {
    return this.reader.protocol;
  }

  set protocol(value: WireProtocol) {
    this.reader.protocol = value;
  }

  /** Every record received so far. */
  get records(): readonly WireRecord[] {
    return this.queue.all;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends one WebSocket message: strings as text frames, bytes as binary frames unless `binary` says otherwise. */
  send(data: string | Uint8Array, options: { binary?: boolean } = {}): Promise<void> {
    const binary = options.binary ?? typeof data !== 'string';
    return new Promise((resolve, reject) => {
      this.socket.send(data, { binary }, (error) =>
        error === undefined || error === null ? resolve() : reject(error),
      );
    });
  }

  /** Sends a hub message in this socket's protocol. */
  sendMessage(message: HubMessage): Promise<void> {
    return this.send(hubRecord(this.protocol, message));
  }

  /**
   * Sends the handshake request and waits for the handshake response record. `protocol` may be any name (to test
   * refusals); `json` and `messagepack` also set how later records are read.
   */
  async handshake(protocol: string = 'json', version = 1): Promise<WireRecord> {
    if (protocol === 'json' || protocol === 'messagepack') this.protocol = protocol;
    await this.send(handshakeRequest(protocol, version));
    return this.queue.waitFor((record) => record.handshake, DEFAULT_WAIT_MS, 'the handshake response');
  }

  /** Invokes `target` (blocking, with `id`) and waits for its Completion. */
  async invoke(
    target: string,
    args: readonly unknown[],
    id: string,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<WireRecord> {
    await this.sendMessage({ type: 1, invocationId: id, target, arguments: args });
    return this.waitFor(completionOf(id), timeoutMs, `the Completion of ${target} (${id})`);
  }

  waitFor(predicate: RecordPredicate, timeoutMs = DEFAULT_WAIT_MS, what?: string): Promise<WireRecord> {
    return this.queue.waitFor(predicate, timeoutMs, what);
  }

  next(timeoutMs = DEFAULT_WAIT_MS): Promise<WireRecord> {
    return this.queue.next(timeoutMs);
  }

  /** Waits `ms`, then returns the records that arrived unread meanwhile. */
  drain(ms: number): Promise<WireRecord[]> {
    return this.queue.drain(ms);
  }

  /** Records received and not yet consumed. */
  unread(): WireRecord[] {
    return this.queue.unread();
  }

  /** Waits for the socket to close (the server's close frame, or the connection dropping). */
  waitForClose(timeoutMs = DEFAULT_WAIT_MS): Promise<WireClose> {
    return within(this.closed, timeoutMs, `the WebSocket to close; ${summarize(this.records)}`);
  }

  /** Sends a close frame (no status code when `code` is undefined). */
  close(code?: number, reason?: string): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(code, reason);
    }
  }

  /** Destroys the TCP connection without a close frame. */
  terminate(): void {
    this.socket.terminate();
  }

  /** Closes and, if the server does not answer the close within a moment, drops the connection. */
  async dispose(): Promise<void> {
    if (this.closeInfo !== undefined) return;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000);
    else this.socket.terminate();
    try {
      await within(this.closed, 1000, 'close');
    } catch {
      this.socket.terminate();
      await this.closed;
    }
  }
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

type UpgradeOutcome =
  { kind: 'open'; socket: WireSocket } | { kind: 'rejected'; rejection: UpgradeRejection };

interface UpgradeOptions {
  readonly headers?: Record<string, string>;
  /** Offer permessage-deflate (off by default). */
  readonly perMessageDeflate?: boolean;
}

interface SocketOptions extends UpgradeOptions {
  /** The hub protocol records are read with (default `json`). */
  readonly protocol?: WireProtocol;
  /**
   * The handshake was made on an earlier socket of this connection (stateful reconnect): records are hub messages
   * from the first byte.
   */
  readonly resume?: boolean;
}

function upgrade(url: string, options: SocketOptions): Promise<UpgradeOutcome> {
  const webSocket = new WebSocket(url.replace(/^http/, 'ws'), {
    headers: options.headers ?? {},
    perMessageDeflate: options.perMessageDeflate ?? false,
  });
  // Errors after the outcome (e.g. the abort of a rejected handshake) are expected: never let them go unhandled.
  webSocket.on('error', () => undefined);
  // Listen from the start: what the server sends together with its 101 response (e.g. the Sequence of a stateful
  // reconnect) is emitted right after 'open', before anyone awaiting the upgrade could add a listener.
  const socket = new WireSocket(webSocket, options.protocol ?? 'json', { resume: options.resume ?? false });
  return new Promise((resolve, reject) => {
    webSocket.once('open', () => resolve({ kind: 'open', socket }));
    webSocket.once('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        webSocket.terminate();
        resolve({
          kind: 'rejected',
          rejection: {
            status: response.statusCode ?? 0,
            headers: { ...response.headers },
            body: Buffer.concat(chunks).toString('utf8'),
          },
        });
      });
      response.on('error', reject);
    });
    webSocket.once('error', (error) => reject(error));
  });
}

// ---- Server-Sent Events --------------------------------------------------------------------------------------------

/** A Server-Sent Events response read as it streams. */
export class SseStream {
  /** Every chunk of text as it arrived. */
  readonly chunks: string[] = [];
  /** The `data:` payloads of the complete events so far (lines joined with `\n`). */
  readonly events: string[] = [];
  readonly reader = new WireRecordReader('json');
  private readonly queue: RecordQueue;
  private rawText = '';
  private parsedUpTo = 0;
  private rawWaiters = new Set<() => void>();
  private endedFlag = false;
  /** Resolves when the response body ends (or the stream is aborted or fails). */
  readonly ended: Promise<void>;

  constructor(
    readonly status: number,
    readonly headers: Headers,
    body: ReadableStream<Uint8Array> | null,
    private readonly controller: AbortController,
  ) {
    this.queue = new RecordQueue(
      () => `${summarize(this.queue.all)}; raw ${JSON.stringify(this.rawText.slice(-400))}`,
    );
    this.ended = this.pump(body);
  }

  /** Everything received so far. */
  get raw(): string {
    return this.rawText;
  }

  get hasEnded(): boolean {
    return this.endedFlag;
  }

  private async pump(body: ReadableStream<Uint8Array> | null): Promise<void> {
    if (body === null) return this.finish('no body');
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    const reader = body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const text = decoder.decode(value, { stream: true });
        this.chunks.push(text);
        this.rawText += text;
        this.parseEvents();
        for (const waiter of [...this.rawWaiters]) waiter();
      }
      this.finish('the response ended');
    } catch (error) {
      this.finish(`the response failed: ${String(error)}`);
    }
  }

  private finish(why: string): void {
    this.endedFlag = true;
    this.queue.end(why);
    for (const waiter of [...this.rawWaiters]) waiter();
  }

  private parseEvents(): void {
    for (;;) {
      const end = this.rawText.indexOf('\r\n\r\n', this.parsedUpTo);
      if (end === -1) return;
      const block = this.rawText.slice(this.parsedUpTo, end);
      this.parsedUpTo = end + 4;
      const data = block
        .split('\r\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice('data: '.length));
      if (data.length === 0) continue;
      const payload = data.join('\n');
      this.events.push(payload);
      this.queue.add(this.reader.push(Buffer.from(payload, 'utf8')));
    }
  }

  /** Waits until the raw text satisfies `predicate`. */
  waitForRaw(predicate: (raw: string) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (predicate(this.rawText)) {
          finish();
          resolve(this.rawText);
        } else if (this.endedFlag) {
          finish();
          reject(new Error(`SSE stream ended; raw ${JSON.stringify(this.rawText)}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`Timed out after ${timeoutMs} ms; raw ${JSON.stringify(this.rawText.slice(-400))}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.rawWaiters.delete(check);
      };
      this.rawWaiters.add(check);
      check();
    });
  }

  waitFor(predicate: RecordPredicate, timeoutMs = DEFAULT_WAIT_MS, what?: string): Promise<WireRecord> {
    return this.queue.waitFor(predicate, timeoutMs, what);
  }

  /** Every record received so far. */
  get records(): readonly WireRecord[] {
    return this.queue.all;
  }

  waitForEnd(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return within(
      this.ended,
      timeoutMs,
      `the SSE response to end; raw ${JSON.stringify(this.rawText.slice(-400))}`,
    );
  }

  abort(): void {
    this.controller.abort();
  }
}

// ---- long polling --------------------------------------------------------------------------------------------------

/** GET polls, POST sends and DELETE on one connection (`{hub}?id=…`). */
export class LongPollingClient {
  readonly reader = new WireRecordReader('json');

  constructor(
    private readonly session: WireSession,
    /** The connection URL, `{hub}?id=…`. */
    readonly url: string,
  ) {}

  /** One poll: resolves with the complete response. */
  poll(): Promise<HttpResult> {
    return this.session.request(this.url);
  }

  /** One poll whose body is fed to `reader`; returns the response and the records it completed. */
  async pollRecords(): Promise<{ response: HttpResult; records: WireRecord[] }> {
    const response = await this.poll();
    return { response, records: this.reader.push(response.body) };
  }

  send(body: string | Uint8Array): Promise<HttpResult> {
    return this.session.request(this.url, {
      method: 'POST',
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
  }

  delete(): Promise<HttpResult> {
    return this.session.request(this.url, { method: 'DELETE' });
  }
}

// ---- session -------------------------------------------------------------------------------------------------------

/** The negotiate response, parsed, plus the raw HTTP response. */
export interface Negotiation {
  readonly response: HttpResult;
  readonly body: Record<string, unknown>;
  /** `connectionToken` (v1) or `connectionId` (v0): what goes into `id=`. */
  readonly id: string;
}

type Cleanup = () => Promise<void> | void;

/**
 * Opens sockets and requests against one server and closes every one of them when the test finishes. Pass the
 * test context (`it('…', async (ctx) => { const wire = wireSession(target.url, ctx); … })`), which also works
 * for concurrent tests.
 */
export class WireSession {
  private cleanups: Cleanup[] = [];

  constructor(
    /** Base URL of the server, no trailing slash. */
    readonly baseUrl: string,
    context: Pick<TestContext, 'onTestFinished'>,
  ) {
    context.onTestFinished(() => this.dispose());
  }

  /** `${baseUrl}${path}`. */
  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  /** A complete HTTP exchange (the body is read to the end); aborted when the test finishes. */
  async request(pathOrUrl: string, init: RequestInit = {}): Promise<HttpResult> {
    const controller = new AbortController();
    const cleanup = (): void => controller.abort();
    this.cleanups.push(cleanup);
    try {
      const response = await fetch(this.absolute(pathOrUrl), { ...init, signal: controller.signal });
      const body = Buffer.from(await response.arrayBuffer());
      return { status: response.status, headers: response.headers, body, text: body.toString('utf8') };
    } finally {
      this.cleanups = this.cleanups.filter((each) => each !== cleanup);
    }
  }

  /** POST `{hub}/negotiate?{query}`. */
  async negotiate(hub: string, query = 'negotiateVersion=1'): Promise<Negotiation> {
    const response = await this.request(`${hub}/negotiate${query === '' ? '' : `?${query}`}`, {
      method: 'POST',
    });
    if (response.status !== 200)
      throw new Error(`negotiate ${hub}?${query}: ${response.status} ${response.text}`);
    const body = JSON.parse(response.text) as Record<string, unknown>;
    const id = body.connectionToken ?? body.connectionId;
    if (typeof id !== 'string') throw new Error(`negotiate ${hub}?${query}: ${response.text}`);
    return { response, body, id };
  }

  /** `{hub}?id={id}` as an absolute URL. */
  connectionUrl(hub: string, id: string): string {
    return this.url(`${hub}?id=${encodeURIComponent(id)}`);
  }

  /** Opens a WebSocket (`path` may carry `?id=`); fails if the upgrade is rejected. */
  async socket(pathOrUrl: string, options: SocketOptions = {}): Promise<WireSocket> {
    const outcome = await upgrade(this.absolute(pathOrUrl), options);
    if (outcome.kind === 'rejected') {
      const { status, body } = outcome.rejection;
      throw new Error(`WebSocket upgrade to ${pathOrUrl} rejected: ${status} ${JSON.stringify(body)}`);
    }
    const { socket } = outcome;
    this.cleanups.push(() => socket.dispose());
    return socket;
  }

  /** A WebSocket upgrade that the server must refuse: its HTTP response. */
  async rejectedUpgrade(pathOrUrl: string, options: UpgradeOptions = {}): Promise<UpgradeRejection> {
    const outcome = await upgrade(this.absolute(pathOrUrl), options);
    if (outcome.kind === 'open') {
      outcome.socket.terminate();
      throw new Error(`WebSocket upgrade to ${pathOrUrl} was accepted`);
    }
    return outcome.rejection;
  }

  /** Opens a WebSocket to `{hub}` with a fresh connection and completes the handshake. */
  async hubSocket(hub = '/testhub', protocol: WireProtocol = 'json', version = 1): Promise<WireSocket> {
    const socket = await this.socket(hub, { protocol });
    const response = await socket.handshake(protocol, version);
    if (response.text !== `{}${RS}`) throw new Error(`handshake refused: ${response.text}`);
    return socket;
  }

  /** GET with `Accept: text/event-stream`; the body is read as it streams until the test finishes. */
  async sse(pathOrUrl: string): Promise<SseStream> {
    const controller = new AbortController();
    this.cleanups.push(() => controller.abort());
    const response = await fetch(this.absolute(pathOrUrl), {
      headers: { Accept: 'text/event-stream' },
      signal: controller.signal,
    });
    return new SseStream(response.status, response.headers, response.body, controller);
  }

  /** A long-polling client for `{hub}?id={id}`. */
  longPolling(hub: string, id: string): LongPollingClient {
    return new LongPollingClient(this, this.connectionUrl(hub, id));
  }

  private absolute(pathOrUrl: string): string {
    return /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : this.url(pathOrUrl);
  }

  /** Closes everything still open. */
  async dispose(): Promise<void> {
    const cleanups = this.cleanups.reverse();
    this.cleanups = [];
    await Promise.all(cleanups.map(async (cleanup) => cleanup()));
  }
}

/** A session against `baseUrl` whose sockets and requests are closed when the test of `context` finishes. */
export function wireSession(baseUrl: string, context: Pick<TestContext, 'onTestFinished'>): WireSession {
  return new WireSession(baseUrl, context);
}
