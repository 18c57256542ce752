import { AbortError, ConnectionClosedError, TimeoutError } from '../errors.js';
import { writeHandshakeRequest } from '../protocol/handshake.js';
import {
  ACK,
  CLOSE,
  COMPLETION,
  INVOCATION,
  PING,
  SEQUENCE,
  STREAM_ITEM,
  type CloseMessage,
  type CompletionMessage,
  type HubMessage,
  type HubProtocol,
  type InvocationMessage,
  type StreamItemMessage,
} from '../protocol/messages.js';
import { SendQueue } from '../transports/send-queue.js';
import type { TransportEvents } from '../transports/transport.js';
import { settleWithin, type Clock } from '../common/clock.js';
import { connectTransport, type ConnectedTransport, type ConnectSettings } from './connect.js';
import { deferred, type Deferred } from '../common/deferred.js';
import { readHandshake, TextFrames } from './frames.js';
import { KeepAlive } from './keep-alive.js';
import type { Log } from '../common/logger.js';
import type { MessageBuffer } from './message-buffer.js';
import type { StatefulReconnectFeature } from './stateful-reconnect.js';

/** Everything a link needs to reach the server and speak the hub protocol. */
export interface LinkSettings extends ConnectSettings {
  readonly protocol: HubProtocol;
  readonly keepAliveIntervalMs: number;
  readonly serverTimeoutMs: number;
  /** Stateful reconnect, when enabled. */
  readonly stateful: StatefulReconnectFeature | undefined;
  readonly clock: Clock;
  readonly log: Log;
}

/** Why a link stopped carrying messages. */
export interface LinkLoss {
  readonly error: Error | null;
  /** `false` after a server Close without `allowReconnect`: the server does not want this client back. */
  readonly allowReconnect: boolean;
  /** The server keeps the connection for a while (stateful reconnect): `reattach()` can resume it. */
  readonly resumable: boolean;
}

/** The messages a link hands to its connection. */
export type InboundMessage = InvocationMessage | StreamItemMessage | CompletionMessage;

/** Receives the link's messages for the application. */
export type Deliver = (message: InboundMessage) => void;

type Phase = 'opening' | 'open' | 'detached' | 'closed';

/** How long `close()` gives the Close message to leave before stopping the transport. */
const CLOSE_MESSAGE_WAIT_MS = 1000;

/**
 * One server-side connection: the negotiated transport, the handshake, keep-alive, and (with stateful reconnect)
 * the message buffer that lets a new transport resume it. Receiving parses each frame once and routes every
 * message synchronously; sending serializes into a coalescing queue.
 */
export class Link {
  #phase: Phase = 'opening';
  #connected!: ConnectedTransport;
  #queue!: SendQueue;
  #keepAlive: KeepAlive | undefined;
  #buffer: MessageBuffer | undefined;
  #handshake: Deferred | undefined;
  #held: InboundMessage[] | undefined = [];
  readonly #text = new TextFrames();
  #replayed: Deferred | undefined;
  #loss = deferred<LinkLoss>();
  #openingFailure: Error | undefined;

  readonly #settings: LinkSettings;
  readonly #deliver: Deliver;

  private constructor(settings: LinkSettings, deliver: Deliver) {
    this.#settings = settings;
    this.#deliver = deliver;
  }

  /** Negotiates, connects a transport and completes the handshake. Messages are held until `activate()`. */
  static async open(settings: LinkSettings, deliver: Deliver, signal: AbortSignal): Promise<Link> {
    const link = new Link(settings, deliver);
    await link.#start(signal);
    return link;
  }

  get connectionId(): string | null {
    return this.#connected.connectionId;
  }

  get transportName(): string {
    return this.#connected.transport.name;
  }

  /** Whether messages can be written (sent now, or buffered for the reattach). */
  get writable(): boolean {
    return this.#phase === 'open' || this.#phase === 'detached';
  }

  /** Settles when the link stops carrying messages (not after `close()`); renewed by each reattach. */
  whenLost(): Promise<LinkLoss> {
    return this.#loss.promise;
  }

  /** Delivers the messages that arrived with the handshake; from now on messages are delivered as they arrive. */
  activate(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const message of held) {
      if (this.#phase === 'closed') return;
      this.#deliver(message);
    }
  }

  /** Serializes and queues a message. Throws a `ProtocolError` for unserializable arguments. */
  write(message: HubMessage): void {
    if (!this.writable) throw new ConnectionClosedError('The connection is closed.');
    const data = this.#settings.protocol.write(message);
    this.#buffer?.track(message.type, data);
    if (this.#phase === 'detached') return; // sequenced messages are replayed on reattach; the rest is moot
    this.#queue.push(data);
    this.#keepAlive?.sent();
  }

  /** Settles once everything written so far has been handed to the transport (after a reattach, if detached). */
  sent(): Promise<void> {
    const ready = this.ready();
    return ready === undefined ? this.#queue.sent() : ready.then(() => this.#queue.sent());
  }

  /** `undefined` when more can be written now; else a Promise of when (buffer full, or waiting to reattach). */
  ready(): Promise<void> | undefined {
    if (this.#phase === 'detached') return (this.#replayed ??= deferred()).promise;
    if (this.#phase !== 'open') return Promise.reject(new ConnectionClosedError('The connection is closed.'));
    return this.#buffer?.pressure();
  }

  /** Stateful reconnect: resumes the connection on a new transport, then replays what the server has not acked. */
  async reattach(signal: AbortSignal): Promise<void> {
    if (this.#phase !== 'detached') throw new ConnectionClosedError('The connection cannot be resumed.');
    const { transport, url } = this.#connected;
    await this.#settings.context.tokens.acquire();
    await transport.connect(url, this.#settings.format, this.#events, signal);
    if (this.#phase !== 'detached') {
      await transport.stop();
      throw new ConnectionClosedError('The connection was closed while resuming.');
    }
    this.#phase = 'open';
    this.#loss = deferred();
    this.#queue = this.#createQueue();
    const { protocol } = this.#settings;
    this.#buffer!.replay(
      (sequenceId) => this.#queue.push(protocol.write({ type: SEQUENCE, sequenceId })),
      (data) => this.#queue.push(data),
    );
    this.#startKeepAlive();
    this.#replayed?.resolve();
    this.#replayed = undefined;
  }

  /**
   * Sends Close (best effort) and stops the transport. No `lost` follows. Writes waiting for a reattach fail
   * with `reason`.
   */
  async close(reason: Error = new ConnectionClosedError('The connection was stopped.')): Promise<void> {
    if (this.#phase === 'closed') return;
    const wasOpen = this.#phase === 'open';
    this.#shutDown(reason);
    if (wasOpen) {
      try {
        this.#queue.push(this.#settings.protocol.write({ type: CLOSE }));
        await settleWithin(this.#settings.clock, CLOSE_MESSAGE_WAIT_MS, this.#queue.sent());
      } catch {
        // Best effort: the transport is going away anyway.
      }
    }
    this.#queue.close(reason);
    await this.#connected.transport.stop().catch((error: unknown) => {
      this.#settings.log('debug', `Stopping the transport failed: ${(error as Error).message}`);
    });
  }

  readonly #events: TransportEvents = {
    receive: (data) => this.#receive(data),
    close: (error) =>
      this.#end({
        error: error ?? new ConnectionClosedError('The server closed the connection.'),
        allowReconnect: true,
        resumable: true,
      }),
  };

  async #start(signal: AbortSignal): Promise<void> {
    const settings = this.#settings;
    const { clock, protocol } = settings;
    const handshake = (this.#handshake = deferred());
    this.#connected = await connectTransport(settings, this.#events, signal);
    this.#queue = this.#createQueue();
    if (this.#connected.stateful) {
      this.#buffer = settings.stateful?.createBuffer(clock, (sequenceId) =>
        this.#tryWrite({ type: ACK, sequenceId }),
      );
    }
    const timer = clock.setTimeout(() => {
      handshake.reject(
        new TimeoutError(
          `The server did not answer the handshake within ${settings.serverTimeoutMs} ms.`,
          settings.serverTimeoutMs,
        ),
      );
    }, settings.serverTimeoutMs);
    const onAbort = () =>
      handshake.reject(new AbortError('Connecting was aborted.', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      // Version 1 unless stateful reconnect needs 2, so that servers older than .NET 8 accept it.
      await this.#connected.transport.send(
        writeHandshakeRequest({ protocol: protocol.name, version: this.#buffer === undefined ? 1 : 2 }),
      );
      await handshake.promise;
      if (this.#openingFailure !== undefined) throw this.#openingFailure;
    } catch (error) {
      this.#phase = 'closed';
      this.#buffer?.dispose();
      await this.#connected.transport.stop().catch(() => undefined);
      throw error;
    } finally {
      clock.clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      this.#handshake = undefined;
    }
    this.#phase = 'open';
    this.#startKeepAlive();
    // The server starts its client timeout on the first ping; long polling needs none.
    if (this.#keepAlive !== undefined) this.#tryWrite({ type: PING });
  }

  #createQueue(): SendQueue {
    return new SendQueue(
      (data) => this.#connected.transport.send(data),
      (error) => this.#end({ error, allowReconnect: true, resumable: true }),
    );
  }

  #startKeepAlive(): void {
    if (this.#connected.transport.inherentKeepAlive) return;
    const { clock, keepAliveIntervalMs, serverTimeoutMs } = this.#settings;
    this.#keepAlive = new KeepAlive(
      clock,
      keepAliveIntervalMs,
      serverTimeoutMs,
      () => this.#tryWrite({ type: PING }),
      () =>
        this.#end({
          error: new TimeoutError(
            `Server timeout: no message from the server for ${serverTimeoutMs} ms.`,
            serverTimeoutMs,
          ),
          allowReconnect: true,
          resumable: true,
        }),
    );
    this.#keepAlive.start();
  }

  #tryWrite(message: HubMessage): void {
    try {
      this.write(message);
    } catch (error) {
      this.#settings.log('debug', `Could not send a ${message.type} message: ${(error as Error).message}`);
    }
  }

  #receive(data: string | ArrayBuffer | Uint8Array): void {
    if (this.#phase === 'closed') return;
    this.#keepAlive?.received();
    let messages: HubMessage[];
    try {
      let input: string | ArrayBuffer | Uint8Array | undefined =
        typeof data === 'string' ? this.#text.complete(data) : data;
      if (input === '') return;
      if (this.#handshake !== undefined) {
        const handshake = this.#handshake;
        try {
          input = readHandshake(input);
        } catch (error) {
          handshake.reject(error as Error);
          return;
        }
        this.#handshake = undefined;
        handshake.resolve();
        if (input === undefined) return;
      }
      messages = this.#settings.protocol.parse(input);
    } catch (error) {
      this.#end({ error: error as Error, allowReconnect: true, resumable: false });
      return;
    }
    for (let i = 0; i < messages.length; i++) this.#route(messages[i]!);
  }

  #route(message: HubMessage): void {
    if (this.#phase === 'closed') return;
    const buffer = this.#buffer;
    switch (message.type) {
      case CLOSE:
        return this.#closedByServer(message);
      case ACK:
        buffer?.ack(message.sequenceId);
        return;
      case SEQUENCE:
        try {
          buffer?.resetSequence(message.sequenceId);
        } catch (error) {
          this.#end({ error: error as Error, allowReconnect: true, resumable: false });
        }
        return;
    }
    if (buffer !== undefined && !buffer.accept(message)) return;
    if (message.type === INVOCATION || message.type === STREAM_ITEM || message.type === COMPLETION) {
      if (this.#held !== undefined) this.#held.push(message);
      else this.#deliver(message);
    }
  }

  #closedByServer(message: CloseMessage): void {
    const error =
      message.error === undefined
        ? null
        : new ConnectionClosedError(`The server closed the connection: ${message.error}`);
    this.#end({
      error:
        error ??
        (message.allowReconnect === true
          ? new ConnectionClosedError('The server closed the connection.')
          : null),
      allowReconnect: message.allowReconnect === true,
      resumable: false,
    });
  }

  #end(loss: LinkLoss): void {
    if (this.#phase === 'closed') return;
    if (this.#phase === 'opening') {
      // Before the handshake completes it fails the handshake; after (a Close or bad data in the same frame as
      // the handshake answer) it fails the opening just the same, once the handshake step resumes.
      const error =
        loss.error ?? new ConnectionClosedError('The server closed the connection while connecting.');
      if (this.#handshake !== undefined) this.#handshake.reject(error);
      else this.#openingFailure ??= error;
      return;
    }
    const resumable = loss.resumable && this.#buffer !== undefined && this.#phase === 'open';
    const reason = loss.error ?? new ConnectionClosedError('The server closed the connection.');
    if (resumable) {
      this.#phase = 'detached';
      this.#keepAlive?.stop();
      this.#keepAlive = undefined;
      this.#queue.close(reason);
      this.#buffer!.detached();
    } else {
      const wasOpen = this.#phase === 'open';
      this.#shutDown(reason);
      this.#queue.close(reason);
      // While detached, the reattach under way notices and fails; nobody else needs telling.
      if (!wasOpen) {
        void this.#connected.transport.stop().catch(() => undefined);
        return;
      }
    }
    void this.#connected.transport.stop().catch(() => undefined);
    this.#loss.resolve({ ...loss, resumable });
  }

  #shutDown(reason: Error): void {
    this.#phase = 'closed';
    this.#keepAlive?.stop();
    this.#keepAlive = undefined;
    this.#buffer?.dispose();
    this.#replayed?.reject(reason);
    this.#replayed = undefined;
    this.#held = undefined;
  }
}
