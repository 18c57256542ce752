import { DropConnection, type Channel } from './channel.js';

const utf8 = new TextEncoder();

/** The no-cache headers ASP.NET Core puts on every long-polling GET response (`AddNoCacheHeaders`). */
export const NO_CACHE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-cache, no-store',
  Pragma: 'no-cache',
  Expires: 'Thu, 01 Jan 1970 00:00:00 GMT',
};

export function emptyPoll(status: 200 | 204, contentType: string): Response {
  return new Response(null, {
    status,
    headers: {
      ...NO_CACHE_HEADERS,
      'Content-Type': contentType,
      ...(status === 200 && { 'Content-Length': '0' }),
    },
  });
}

function body(frames: (string | Uint8Array)[]): Uint8Array<ArrayBuffer> {
  const parts = frames.map((frame) => (typeof frame === 'string' ? utf8.encode(frame) : frame));
  const out = new Uint8Array(parts.reduce((size, part) => size + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

interface PendingPoll {
  readonly resolve: (response: Response) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** What the channel tells its HTTP connection. */
export interface PollObserver {
  /** A poll is waiting: the connection is active. */
  pollStarted(): void;
  /** No poll is waiting: the connection is inactive (and reaped if none comes within the disconnect timeout). */
  pollEnded(): void;
  /** The last poll learned that the connection is over (204): dispose it. */
  finished(): void;
}

/**
 * Long polling, server side: frames wait for the next poll, which returns all of them at once; a poll with
 * nothing to return waits up to `timeoutMs` and then answers 200 empty; a newer poll supersedes the waiting one
 * (204); once the connection has ended, the poll after its last data gets 204.
 */
export class LongPollingChannel implements Channel {
  private frames: (string | Uint8Array)[] = [];
  private poll: PendingPoll | undefined;
  private ended = false;
  private flushQueued = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly observer: PollObserver,
  ) {}

  write(frame: string | Uint8Array): boolean {
    if (this.ended) return false;
    this.frames.push(frame);
    if (this.poll !== undefined && !this.flushQueued) {
      // Frames written in the same turn (a result and a Completion, a broadcast) leave in one response.
      this.flushQueued = true;
      queueMicrotask(() => {
        this.flushQueued = false;
        if (this.poll !== undefined && this.frames.length > 0) this.answer(this.dataResponse());
      });
    }
    return true;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.poll !== undefined && this.frames.length === 0) {
      this.answer(emptyPoll(204, 'text/plain'));
      this.observer.finished();
    }
  }

  drop(): void {
    this.ended = true;
    this.frames = [];
    const poll = this.poll;
    if (poll === undefined) return;
    this.poll = undefined;
    clearTimeout(poll.timer);
    poll.reject(new DropConnection());
  }

  /** A poll after the first: answers at once when there is data or the connection has ended, else waits. */
  handlePoll(signal: AbortSignal | undefined): Promise<Response> {
    // The newer poll wins; the one it replaces completes with 204.
    if (this.poll !== undefined) this.answer(emptyPoll(204, 'text/plain'));
    if (this.frames.length > 0) return Promise.resolve(this.dataResponse());
    if (this.ended) {
      this.observer.finished();
      return Promise.resolve(emptyPoll(204, 'text/plain'));
    }
    return new Promise<Response>((resolve, reject) => {
      const timer = setTimeout(() => this.answer(emptyPoll(200, 'text/plain')), this.timeoutMs);
      const poll: PendingPoll = { resolve, reject, timer };
      this.poll = poll;
      this.observer.pollStarted();
      signal?.addEventListener(
        'abort',
        () => {
          // The client gave up on this poll (aborted fetch): nothing to answer.
          if (this.poll !== poll) return;
          this.poll = undefined;
          clearTimeout(timer);
          this.observer.pollEnded();
        },
        { once: true },
      );
    });
  }

  private dataResponse(): Response {
    const data = body(this.frames);
    this.frames = [];
    return new Response(data, {
      status: 200,
      headers: {
        ...NO_CACHE_HEADERS,
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(data.length),
      },
    });
  }

  private answer(response: Response): void {
    const poll = this.poll;
    if (poll === undefined) return;
    this.poll = undefined;
    clearTimeout(poll.timer);
    poll.resolve(response);
    this.observer.pollEnded();
  }
}
