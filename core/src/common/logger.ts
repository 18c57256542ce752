/** Log levels, least to most severe. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/**
 * Where the connection writes what it does. Silent unless one is given. Messages never contain access tokens or
 * connection tokens (they are redacted), nor message contents.
 *
 * @example
 * ```ts
 * createHubConnection({ url, logger: consoleLogger('debug') });
 * ```
 */
export interface Logger {
  log(level: LogLevel, message: string): void;
}

const LEVELS: Readonly<Record<LogLevel, number>> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

/** A logger writing to the console from `level` up. */
export function consoleLogger(level: LogLevel = 'info'): Logger {
  const min = LEVELS[level];
  return {
    log(at, message) {
      if (LEVELS[at] < min) return;
      const line = `[hubrx] ${message}`;
      if (at === 'error') console.error(line);
      else if (at === 'warn') console.warn(line);
      else console.log(line);
    },
  };
}

/** Hides secrets in a log line: `access_token` and `id` (the connection token) query values, bearer tokens. */
export function redact(text: string): string {
  return text
    .replace(/([?&](?:access_token|id)=)[^&\s#]+/gi, '$1***')
    .replace(/(bearer\s+)[^\s,;]+/gi, '$1***');
}

/** The connection's logging: a no-op without a logger, redacted otherwise. */
export type Log = (level: LogLevel, message: string) => void;

export function createLog(logger: Logger | undefined): Log {
  if (logger === undefined) return () => undefined;
  return (level, message) => {
    try {
      logger.log(level, redact(message));
    } catch {
      // A failing logger must not break the connection.
    }
  };
}
