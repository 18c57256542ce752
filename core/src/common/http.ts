import { AbortError, ConnectionNotFoundError, HttpError, TimeoutError, TransportError } from '../errors.js';
import type { AccessTokens } from './access-tokens.js';
import type { Clock } from './clock.js';
import { redact } from './logger.js';

/** What the HTTP requests of a connection share. */
export interface HttpSettings {
  readonly fetch: typeof fetch;
  readonly headers: Readonly<Record<string, string>>;
  readonly withCredentials: boolean;
  readonly timeoutMs: number;
  readonly clock: Clock;
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly url: string;
  readonly body?: string | Uint8Array;
  /** Read the answer as bytes (a binary protocol's long polls). */
  readonly binary?: boolean;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

export interface HttpResponse {
  readonly status: number;
  /** The body: text, or bytes when `binary` was asked. */
  readonly body: string | Uint8Array;
}

/**
 * The connection's HTTP requests over `fetch`: bearer token, `X-Requested-With` (so that cookie authentication
 * answers 401 rather than redirecting), credentials, a timeout, and one retry with a refreshed token after a 401.
 * Non-2xx answers throw an {@link HttpError}; a 404 to a request naming a connection, a {@link ConnectionNotFoundError}.
 */
export class Http {
  readonly #settings: HttpSettings;
  readonly #tokens: AccessTokens;

  constructor(settings: HttpSettings, tokens: AccessTokens) {
    this.#settings = settings;
    this.#tokens = tokens;
  }

  send(request: HttpRequest): Promise<HttpResponse> {
    return withTokenRefresh(this.#tokens, async () => this.#check(request, await this.#attempt(request)));
  }

  async #check(request: HttpRequest, response: Response): Promise<HttpResponse> {
    if (response.status < 200 || response.status > 299) {
      const text = await response.text().catch(() => '');
      const what = `${request.method} ${redact(request.url)}`;
      // A request naming a connection (`id=`) that the server does not know: another instance answered.
      if (response.status === 404 && /[?&]id=/.test(request.url)) throw new ConnectionNotFoundError(what);
      throw new HttpError(
        `${what} answered ${response.status}${text === '' ? ` ${response.statusText}` : `: ${text}`}`,
        response.status,
      );
    }
    const body =
      request.binary === true ? new Uint8Array(await response.arrayBuffer()) : await response.text();
    return { status: response.status, body };
  }

  async #attempt(request: HttpRequest): Promise<Response> {
    const settings = this.#settings;
    const headers: Record<string, string> = { 'X-Requested-With': 'XMLHttpRequest', ...settings.headers };
    const token = this.#tokens.current;
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    if (request.body !== undefined) {
      headers['Content-Type'] =
        typeof request.body === 'string' ? 'text/plain;charset=UTF-8' : 'application/octet-stream';
    }
    const controller = new AbortController();
    const timeoutMs = request.timeoutMs ?? settings.timeoutMs;
    let timedOut = false;
    const timer = settings.clock.setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const outer = request.signal;
    const onAbort = () => controller.abort();
    outer?.addEventListener('abort', onAbort, { once: true });
    try {
      return await settings.fetch(request.url, {
        method: request.method,
        headers,
        ...(request.body !== undefined && { body: request.body as BodyInit }),
        credentials: settings.withCredentials ? 'include' : 'same-origin',
        signal: controller.signal,
      });
    } catch (error) {
      if (timedOut)
        throw new TimeoutError(
          `${request.method} ${redact(request.url)} timed out after ${timeoutMs} ms.`,
          timeoutMs,
          { cause: error },
        );
      if (outer?.aborted)
        throw new AbortError(`${request.method} ${redact(request.url)} was aborted.`, { cause: error });
      // fetch fails with a bare TypeError when the network does (refused, reset, DNS, CORS).
      throw new TransportError(
        `${request.method} ${redact(request.url)} failed: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    } finally {
      settings.clock.clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * Runs `attempt`; when it fails with a 401 (an {@link HttpError}) and the token can be refreshed, refreshes it
 * once (shared by every concurrent 401) and runs `attempt` again. HTTP requests, WebSocket upgrades and
 * Server-Sent Events streams all recover from an expired token this way.
 */
export async function withTokenRefresh<T>(tokens: AccessTokens, attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!(error instanceof HttpError) || error.statusCode !== 401 || !tokens.refreshable) throw error;
    await tokens.refresh();
    return attempt();
  }
}
