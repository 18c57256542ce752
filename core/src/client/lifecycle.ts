import { Observable, type Subscriber } from 'rxjs';
import { AbortError, ConnectionClosedError, ConnectionNotFoundError } from '../errors.js';
import type { Clock } from '../common/clock.js';
import { deferred, type Deferred } from '../common/deferred.js';
import { waitToRetry } from './environment.js';
import { Link, type Deliver, type LinkSettings } from './link.js';
import type { Log } from '../common/logger.js';
import type { ReconnectPolicy } from './reconnect-policy.js';
import { initialState, reduceState, type ConnectionState, type StateEvent } from './state.js';

export interface LifecycleSettings {
  readonly link: LinkSettings;
  readonly reconnect: ReconnectPolicy;
  /** How long after a loss a stateful connection may still be resumed (the server's disconnect timeout). */
  readonly reattachWindowMs: number;
  readonly clock: Clock;
  readonly log: Log;
}

/** What the connection does when the lifecycle moves. */
export interface LifecycleHooks {
  readonly deliver: Deliver;
  /** Connected, or connected again (`resumed`: the same server connection, after a stateful reattach). */
  connected(link: Link, resumed: boolean): void;
  /** The server-side connection is gone; whatever depended on it fails with `error`. */
  connectionLost(error: Error): void;
  /** The connection is closed for good (stopped, refused, or out of retries). */
  closed(error: Error): void;
}

/** A connection that lived this long resets the backoff; one lost sooner continues it. */
const STABLE_AFTER_MS = 5000;

interface Run {
  readonly controller: AbortController;
  readonly started: Deferred;
  readonly stopped: Deferred<null>;
  done: Promise<void>;
  ended: boolean;
}

/**
 * Start, stop and reconnect: one loop per started connection owns every transition of the state, through
 * {@link reduceState}. Reconnects (stateful reattaches included) follow the policy; `stop()` aborts whatever is
 * under way and always completes.
 */
export class Lifecycle {
  #state: ConnectionState = initialState;
  /** Copied on change, so that a subscriber may unsubscribe (or subscribe) while the state is being emitted. */
  #observers: readonly Subscriber<ConnectionState>[] = [];
  #current: Link | undefined;
  #run: Run | undefined;
  #stopping: Promise<void> | undefined;
  /** Ends the wait between attempts under way (`retryNow()`). */
  #wake: (() => void) | undefined;
  /** The retries behind the current connection, and when it was made. */
  #streak: { readonly attempts: number; readonly since: number; readonly connectedAt: number } | undefined;

  readonly #settings: LifecycleSettings;
  readonly #hooks: LifecycleHooks;

  constructor(settings: LifecycleSettings, hooks: LifecycleHooks) {
    this.#settings = settings;
    this.#hooks = hooks;
  }

  /**
   * The current state on subscribe, then every change: a BehaviorSubject's behaviour, without the weight of
   * rxjs's Subject in every bundle.
   */
  readonly state$: Observable<ConnectionState> = new Observable((subscriber) => {
    subscriber.next(this.#state);
    this.#observers = [...this.#observers, subscriber];
    return () => {
      this.#observers = this.#observers.filter((observer) => observer !== subscriber);
    };
  });

  get state(): ConnectionState {
    return this.#state;
  }

  /** The link messages are written to: connected, or detached while a stateful reattach is possible. */
  get link(): Link | undefined {
    return this.#current;
  }

  async start(retry: boolean): Promise<void> {
    if (this.#stopping !== undefined) await this.#stopping;
    if (this.#run !== undefined) return this.#run.started.promise;
    const run: Run = {
      controller: new AbortController(),
      started: deferred(),
      stopped: deferred<null>(),
      done: Promise.resolve(),
      ended: false,
    };
    this.#run = run;
    run.done = this.#main(run, retry).catch((error: unknown) => {
      this.#settings.log('error', `Unexpected failure of the connection loop: ${String(error)}`);
      this.#end(run, error as Error);
    });
    return run.started.promise;
  }

  /** Ends the wait between attempts, if one is under way: the next attempt starts now. */
  retryNow(): void {
    this.#wake?.();
  }

  stop(): Promise<void> {
    const run = this.#run;
    if (run === undefined) return this.#stopping ?? Promise.resolve();
    return (this.#stopping ??= this.#halt(run).finally(() => (this.#stopping = undefined)));
  }

  async #halt(run: Run): Promise<void> {
    this.#dispatch({ type: 'stopping' });
    run.controller.abort(new AbortError('The connection was stopped.'));
    run.stopped.resolve(null);
    const link = this.#current;
    this.#current = undefined;
    await link?.close();
    await run.done;
    this.#end(run, null);
  }

  async #main(run: Run, retry: boolean): Promise<void> {
    const { signal } = run.controller;
    this.#dispatch({ type: 'starting' });
    let link = await this.#connectFirst(run, retry);
    if (link === undefined) return;
    for (;;) {
      const loss = await Promise.race([link.whenLost(), run.stopped.promise]);
      if (loss === null || signal.aborted) return;
      if (!loss.allowReconnect) return this.#end(run, loss.error, link);
      this.#settings.log('info', `Connection lost: ${loss.error?.message ?? 'no reason given'}`);
      const reason = loss.error ?? new ConnectionClosedError('The connection was lost.');
      // Calls on a connection that cannot be resumed fail before `reconnecting` is reported: a call made in
      // reaction to it goes to the next connection and is not failed with the old one's.
      if (!loss.resumable) this.#abandon(link, reason);
      this.#dispatch({ type: 'lost', error: loss.error });
      link = await this.#recover(run, link, loss.resumable, reason);
      if (link === undefined) return;
    }
  }

  async #connectFirst(run: Run, retry: boolean): Promise<Link | undefined> {
    const { signal } = run.controller;
    const since = this.#settings.clock.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const link = await this.#open(signal);
        this.#streak = {
          attempts: 0,
          since: this.#settings.clock.now(),
          connectedAt: this.#settings.clock.now(),
        };
        this.#activate(link, false);
        run.started.resolve();
        return link;
      } catch (error) {
        if (signal.aborted) return undefined;
        const delay = retry ? this.#nextDelay(attempt, since, error as Error) : null;
        if (delay === null) {
          run.started.reject(error as Error);
          this.#end(run, error as Error);
          return undefined;
        }
        if (!(await this.#pause(attempt, delay, signal, error as Error))) return undefined;
      }
    }
  }

  /** After a loss: reattach (stateful, within the window) or reconnect, per the policy. */
  async #recover(run: Run, link: Link, resumable: boolean, reason: Error): Promise<Link | undefined> {
    const { signal } = run.controller;
    const { clock, reattachWindowMs } = this.#settings;
    // A connection lost soon after it was made continues the previous backoff: a server that accepts and then
    // drops every connection must not be hammered at the policy's first, immediate, retry.
    const streak =
      this.#streak !== undefined && clock.now() - this.#streak.connectedAt < STABLE_AFTER_MS
        ? this.#streak
        : undefined;
    const lostAt = clock.now();
    const since = streak?.since ?? lostAt;
    for (let attempt = (streak?.attempts ?? 0) + 1; ; attempt++) {
      const delay = this.#nextDelay(attempt, since, reason);
      if (delay === null) {
        this.#settings.log('warn', `Giving up reconnecting after ${attempt - 1} attempts: ${reason.message}`);
        this.#end(run, reason, link);
        return undefined;
      }
      if (!(await this.#pause(attempt, delay, signal, reason))) return undefined;
      // The server keeps the connection for its disconnect timeout after this loss, whatever came before.
      if (resumable && clock.now() - lostAt >= reattachWindowMs) {
        resumable = false;
        this.#abandon(link, reason);
      }
      try {
        const next = resumable ? (await link.reattach(signal), link) : await this.#open(signal);
        this.#streak = { attempts: attempt, since, connectedAt: clock.now() };
        this.#activate(next, resumable);
        return next;
      } catch (error) {
        if (signal.aborted) return undefined;
        reason = error as Error;
        this.#settings.log('info', `Reconnect attempt ${attempt} failed: ${reason.message}`);
        // 404: the server that answered does not have the connection (it forgot it, or it is another instance).
        if (resumable && (!link.writable || error instanceof ConnectionNotFoundError)) {
          resumable = false;
          this.#abandon(link, reason);
        }
      }
    }
  }

  async #open(signal: AbortSignal): Promise<Link> {
    const link = await Link.open(this.#settings.link, this.#hooks.deliver, signal);
    if (signal.aborted) {
      await link.close();
      throw new AbortError('The connection was stopped.');
    }
    return link;
  }

  #activate(link: Link, resumed: boolean): void {
    this.#current = link;
    // What waited (the outbox) goes out before anyone hears `connected` and sends more.
    this.#hooks.connected(link, resumed);
    this.#dispatch({ type: 'connected', connectionId: link.connectionId, transport: link.transportName });
    if (!resumed) link.activate();
  }

  /** The server-side connection is gone: calls on it fail now, not when reconnecting ends. */
  #abandon(link: Link, reason: Error): void {
    if (this.#current === link) this.#current = undefined;
    const lost = new ConnectionClosedError('The connection was lost and could not be resumed.', {
      cause: reason,
    });
    void link.close(lost);
    this.#hooks.connectionLost(reason);
  }

  async #pause(attempt: number, delayMs: number, signal: AbortSignal, error: Error): Promise<boolean> {
    const { clock } = this.#settings;
    this.#dispatch({ type: 'waiting', attempt, delayMs, at: clock.now() + delayMs, error });
    try {
      await waitToRetry(clock, delayMs, signal, (end) => (this.#wake = end));
    } catch {
      return false;
    } finally {
      this.#wake = undefined;
    }
    this.#dispatch({ type: 'attempting', attempt });
    return true;
  }

  #nextDelay(attempt: number, since: number, reason: Error): number | null {
    try {
      const delay = this.#settings.reconnect({
        attempt,
        elapsedMs: this.#settings.clock.now() - since,
        reason,
      });
      return typeof delay === 'number' && delay >= 0 ? delay : null;
    } catch (error) {
      this.#settings.log('error', `The reconnect policy threw: ${String(error)}`);
      return null;
    }
  }

  /** Ends the run once: closes the link, fails what waits, and reports `disconnected`. */
  #end(run: Run, error: Error | null, link?: Link): void {
    if (run.ended) return;
    run.ended = true;
    run.started.reject(error ?? new AbortError('The connection was stopped before it connected.'));
    if (link !== undefined) void link.close();
    if (this.#current !== undefined) void this.#current.close();
    this.#current = undefined;
    if (this.#run === run) this.#run = undefined;
    const stopped = this.#stopping !== undefined;
    this.#hooks.closed(
      error ??
        new ConnectionClosedError(
          stopped ? 'The connection was stopped.' : 'The server closed the connection.',
        ),
    );
    this.#dispatch({ type: 'closed', error });
  }

  #dispatch(event: StateEvent): void {
    const next = reduceState(this.#state, event);
    if (next === this.#state) return;
    this.#state = next;
    for (const observer of this.#observers) observer.next(next);
  }
}
