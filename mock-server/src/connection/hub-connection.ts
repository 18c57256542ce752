import { MessageType, type HubMessage, type HubProtocol } from '@hubrx/core';
import { CallerContext, type ContextSource } from '../hub/context.js';
import { HubDispatcher } from '../hub/dispatcher.js';
import * as text from '../hub/error-messages.js';
import type { ConnectionEndpoint } from '../hub/lifetime.js';
import type { ConnectionRequest, HubUser, TransportName } from '../hub/types.js';
import { handshakeResponse } from '../server/dotnet-json.js';
import type { HubRuntime } from '../server/hub-runtime.js';
import { DelayQueue } from './delay-queue.js';
import { readHandshake } from './handshake.js';
import { IncomingMessages } from './incoming.js';
import { jsonFrameError } from './json-errors.js';
import { messagePackFrameError } from './messagepack-errors.js';
import { MessageBuffer } from './message-buffer.js';
import type { ConnectionApplication, TransportLink } from './transport-link.js';

const utf8 = new TextEncoder();
const HANDSHAKE_OK = handshakeResponse();
const HANDSHAKE_OK_BYTES = utf8.encode(HANDSHAKE_OK);
const ACK_INTERVAL_MS = 1000;

/** A parse failure shows as ASP.NET Core's `InvalidDataException` in detailed Close errors. */
class InvalidDataError extends Error {
  override readonly name = 'InvalidDataException' as const;
}

/** How the HTTP layer describes a new connection to the hub layer. */
export interface HubConnectionInit {
  readonly connectionId: string;
  readonly user: HubUser | undefined;
  readonly request: ConnectionRequest;
  readonly transport: TransportName;
  readonly statefulReconnect: boolean;
  readonly link: TransportLink;
}

type Phase = 'handshake' | 'connecting' | 'connected' | 'closed';

/**
 * One client's hub connection (ASP.NET Core's `HubConnectionContext` + `HubConnectionHandler`): handshake, message
 * parsing and dispatch, keep-alive and client timeout, stateful reconnect, and the rules for what Close is sent.
 */
export class HubConnection implements ConnectionEndpoint, ContextSource, ConnectionApplication {
  readonly connectionId: string;
  readonly user: HubUser | undefined;
  readonly request: ConnectionRequest;
  readonly transport: TransportName;
  readonly groups = new Set<string>();
  readonly context: CallerContext;
  readonly createdAt = Date.now();
  protocol!: HubProtocol;
  /** Test controls: swallow everything both ways and stop pinging, as a half-open TCP connection does. */
  halfOpen = false;
  /** Test controls: delay every outgoing frame by this much (order kept). */
  latencyMs = 0;
  private phase: Phase = 'handshake';
  private handshakeData: Uint8Array | string | undefined;
  private incoming: IncomingMessages | undefined;
  private queued: (string | Uint8Array)[] = [];
  private readonly dispatcher: HubDispatcher;
  private buffer: MessageBuffer | undefined;
  private lastReceivedAt = Date.now();
  private lastPingAt = 0;
  private ackTimer: ReturnType<typeof setInterval> | undefined;
  private clientTimeoutStarted = false;
  private readonly delayed = new DelayQueue<{ frame: string | Uint8Array; message: HubMessage }>(
    ({ frame, message }) => {
      if (this.phase !== 'closed') this.deliver(frame, message);
    },
  );

  private readonly statefulReconnect: boolean;

  constructor(
    readonly runtime: HubRuntime,
    init: HubConnectionInit,
    private readonly link: TransportLink,
  ) {
    this.connectionId = init.connectionId;
    this.user = init.user;
    this.request = init.request;
    this.transport = init.transport;
    this.statefulReconnect = init.statefulReconnect;
    this.context = new CallerContext(this);
    const options = runtime.options;
    this.dispatcher = new HubDispatcher({
      endpoint: this,
      context: this.context,
      hub: runtime.hub,
      lifetime: runtime.lifetime,
      detailedErrors: options.detailedErrors,
      maximumParallelInvocations: options.maximumParallelInvocationsPerClient,
      streamBufferCapacity: options.streamBufferCapacity,
      strictArguments: options.strictArguments,
      send: (message) => this.send(message),
      closeWithError: (error) => this.closeWithError(error),
      // The client is leaving: answer with an empty Close (no reconnect), as ASP.NET Core does.
      closeRequested: () => this.closeWith({ type: MessageType.Close }, undefined),
    });
  }

  get lifetime() {
    return this.runtime.lifetime;
  }
  get clientsOptions() {
    return this.runtime.options;
  }
  get protocolName(): string {
    return this.phase === 'handshake' ? '' : this.protocol.name;
  }
  get userIdentifier(): string | undefined {
    return this.user?.id;
  }
  get closed(): boolean {
    return this.phase === 'closed';
  }
  get connected(): boolean {
    return this.phase === 'connected';
  }

  // ---- receiving -------------------------------------------------------------------------------------------

  receive(data: string | Uint8Array): void {
    if (this.phase === 'closed' || this.halfOpen) return;
    this.lastReceivedAt = Date.now();
    if (this.phase === 'handshake') return this.receiveHandshake(data);
    if (this.phase === 'connecting') {
      this.queued.push(data);
      return;
    }
    this.receiveMessages(data);
  }

  private receiveMessages(data: string | Uint8Array): void {
    let messages: HubMessage[];
    let complete: string | Uint8Array | undefined;
    try {
      complete = this.incoming!.push(data);
      if (complete === undefined) return;
      messages = this.protocol.parse(complete);
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ProtocolError')) return this.closeWithError(error);
      // Named as ASP.NET Core's protocols name the problem: their exception types and words.
      if (this.protocol.name === 'json') {
        return this.closeWithError(
          new InvalidDataError(complete === undefined ? error.message : jsonFrameError(complete)),
        );
      }
      const fallback = new InvalidDataError(error.message);
      const bytes = complete ?? (typeof data === 'string' ? undefined : data);
      return this.closeWithError(
        bytes instanceof Uint8Array ? messagePackFrameError(bytes, fallback) : fallback,
      );
    }
    for (const message of messages) {
      if (this.phase !== 'connected') return;
      this.handle(message);
    }
  }

  private handle(message: HubMessage): void {
    this.runtime.events.received(this, message);
    if (this.buffer !== undefined && !this.buffer.shouldProcess(message)) return;
    switch (message.type) {
      case MessageType.Ping:
        this.clientTimeoutStarted = true;
        return;
      case MessageType.Ack:
        this.buffer?.ack(message.sequenceId);
        return;
      case MessageType.Sequence:
        try {
          this.buffer?.resetSequence(message.sequenceId);
        } catch (error) {
          this.closeWithError(error);
        }
        return;
      default:
        this.dispatcher.dispatch(message);
    }
  }

  private receiveHandshake(data: string | Uint8Array): void {
    const options = this.runtime.options;
    const outcome = readHandshake(this.handshakeData, data, {
      protocols: this.runtime.protocols,
      supportsBinary: this.link.supportsBinary,
      maximumSize: options.maximumReceiveMessageSize,
      detailedErrors: options.detailedErrors,
      rejection: () => this.runtime.faults.takeHandshakeRejection(),
    });
    if (outcome.kind === 'incomplete') {
      this.handshakeData = outcome.buffered;
      return;
    }
    this.handshakeData = undefined;
    if (outcome.kind === 'refused') return this.failHandshake(outcome.error);
    const { protocol, version, remaining } = outcome;
    const binary = protocol.transferFormat === 'binary';
    this.protocol = protocol;
    this.incoming = new IncomingMessages(binary, options.maximumReceiveMessageSize);
    if (this.statefulReconnect && version >= 2) {
      this.buffer = new MessageBuffer(
        options.statefulReconnectBufferSize,
        (frame) => this.link.write(frame),
        (message) => protocol.write(message),
      );
      // One timer per stateful connection, started with it, as ASP.NET Core's: Acks come about 1 s after data.
      this.ackTimer = setInterval(() => this.sendAck(), ACK_INTERVAL_MS);
      (this.ackTimer as { unref?: () => void }).unref?.();
    }
    // With a binary protocol the (JSON) handshake response already goes in a binary frame.
    this.link.write(binary ? HANDSHAKE_OK_BYTES : HANDSHAKE_OK);
    this.lastPingAt = Date.now();
    this.phase = 'connecting';
    if (remaining !== undefined) this.queued.push(remaining);
    this.runtime.lifetime.add(this);
    this.runtime.events.connected(this);
    void this.runOnConnected();
  }

  private async runOnConnected(): Promise<void> {
    try {
      await this.runtime.hub.definition.onConnected?.(this.context);
    } catch (error) {
      // OnConnectedAsync threw: Close with the error, no reconnect, and no OnDisconnectedAsync.
      const close: HubMessage = {
        type: MessageType.Close,
        error: text.connectionClosedWithError(error, this.runtime.options.detailedErrors),
      };
      return this.closeWith(close, error instanceof Error ? error : new Error(String(error)), false);
    }
    if (this.phase !== 'connecting') return;
    this.phase = 'connected';
    const queued = this.queued;
    this.queued = [];
    for (const data of queued) {
      if (this.phase !== 'connected') break;
      this.receiveMessages(data);
    }
  }

  private failHandshake(error: string): void {
    // The handshake error goes out as text and no Close follows.
    this.link.write(handshakeResponse(error));
    this.link.end();
    this.finish(undefined, false);
  }

  // ---- sending ---------------------------------------------------------------------------------------------

  /** Encodes and sends one message to this connection. */
  send(message: HubMessage): void {
    if (this.phase === 'closed' || this.phase === 'handshake') return;
    this.sendFrame(this.protocol.write(message), message);
  }

  sendFrame(frame: string | Uint8Array, message: HubMessage): void {
    if (this.phase === 'closed' || this.phase === 'handshake') return;
    this.runtime.events.sent(this, message);
    if (this.halfOpen) return;
    const latency = this.latencyMs || this.runtime.faults.latencyMs;
    // Once anything is delayed, later frames queue behind it, to keep the order.
    if (latency > 0 || this.delayed.size > 0) return this.delayed.push({ frame, message }, latency);
    this.deliver(frame, message);
  }

  private deliver(frame: string | Uint8Array, message: HubMessage): void {
    if (this.buffer !== undefined) this.buffer.send(frame, message);
    else this.link.write(frame);
  }

  // ---- timers (driven by the server's heartbeat) -----------------------------------------------------------

  /** One heartbeat: handshake timeout, keep-alive Ping, client timeout, stateful-reconnect Ack. */
  tick(now: number): void {
    const options = this.runtime.options;
    if (this.phase === 'handshake') {
      if (now - this.createdAt >= options.handshakeTimeoutMs) this.failHandshake(text.handshake.canceled);
      return;
    }
    if (this.phase !== 'connected' || this.halfOpen) return;
    if (this.clientTimeoutStarted && now - this.lastReceivedAt >= options.clientTimeoutIntervalMs) {
      return this.closeWithError(new text.ClientTimeoutError());
    }
    // ASP.NET Core pings every interval whatever else was sent (it does not track other writes).
    if (!this.link.inherentKeepAlive && now - this.lastPingAt >= options.keepAliveIntervalMs) {
      this.lastPingAt = now;
      this.send({ type: MessageType.Ping });
    }
  }

  /** Stateful reconnect: acknowledge what arrived, on a timer of its own (ASP.NET Core's 1 s `PeriodicTimer`). */
  private sendAck(): void {
    if (this.phase !== 'connected' || this.halfOpen) return;
    const sequenceId = this.buffer?.pendingAck();
    if (sequenceId !== undefined) this.send({ type: MessageType.Ack, sequenceId });
  }

  // ---- closing ---------------------------------------------------------------------------------------------

  /** A server-side error: Close with `Connection closed with an error.` and reconnect allowed. */
  closeWithError(error: unknown): void {
    const close: HubMessage = {
      type: MessageType.Close,
      error: text.connectionClosedWithError(error, this.runtime.options.detailedErrors),
      allowReconnect: true,
    };
    this.closeWith(close, error instanceof Error ? error : new Error(String(error)));
  }

  /** `Context.Abort()`: an empty Close, no reconnect. */
  abort(): void {
    this.closeWith({ type: MessageType.Close }, undefined);
  }

  /** Test control: Close with exactly this error text and `allowReconnect`. */
  closeWithMessage(error: string | undefined, allowReconnect: boolean): void {
    const close: HubMessage = {
      type: MessageType.Close,
      ...(error !== undefined && { error }),
      ...(allowReconnect && { allowReconnect: true }),
    };
    this.closeWith(close, error === undefined ? undefined : new Error(error));
  }

  /** Test control: the TCP connection vanishes, nothing is sent. */
  drop(): void {
    if (this.phase === 'closed') return;
    this.link.drop();
  }

  private closeWith(close: HubMessage, error: Error | undefined, callOnDisconnected = true): void {
    if (this.phase === 'closed') return;
    if (this.phase !== 'handshake') {
      this.runtime.events.sent(this, close);
      // The Close goes out even on a half-open or delayed connection: it is what ends it.
      this.link.write(this.protocol.write(close));
    }
    this.link.end();
    this.finish(error, callOnDisconnected);
  }

  transportClosed(error: Error | undefined, reconnectable: boolean): void {
    if (reconnectable && this.buffer !== undefined && this.phase === 'connected') return;
    this.finish(error, true);
  }

  transportRestored(): void {
    if (this.phase === 'closed') return;
    this.buffer?.resend();
  }

  transportLost(error: Error | undefined): void {
    this.finish(error, true);
  }

  /**
   * The client ended the transport (long polling's DELETE): as ASP.NET Core, the hub layer's input completes and it
   * writes `{"type":7,"allowReconnect":true}`, which the pending poll delivers.
   */
  transportEndedByClient(): void {
    if (this.phase === 'closed') return;
    if (this.phase === 'connected') {
      const close: HubMessage = { type: MessageType.Close, allowReconnect: true };
      this.runtime.events.sent(this, close);
      this.link.write(this.protocol.write(close));
    }
    this.finish(undefined, true);
  }

  private finish(error: Error | undefined, callOnDisconnected: boolean): void {
    if (this.phase === 'closed') return;
    const wasConnected = this.phase === 'connected';
    this.phase = 'closed';
    if (this.ackTimer !== undefined) clearInterval(this.ackTimer);
    this.delayed.clear();
    this.dispatcher.close();
    this.runtime.lifetime.remove(this);
    this.runtime.events.disconnected(this, error);
    if (wasConnected && callOnDisconnected) {
      void Promise.resolve()
        .then(() => this.runtime.hub.definition.onDisconnected?.(this.context, error))
        .catch((failure: unknown) => this.runtime.events.hookFailed(this, failure));
    }
  }
}
