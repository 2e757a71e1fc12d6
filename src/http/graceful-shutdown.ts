import type { Server, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.js';

export interface Drain {
  /**
   * Stops accepting connections and lets the requests in flight finish, closing each keep-alive connection
   * as soon as it is idle; after `graceMs`, cuts the connections still open. Resolves once all are closed and
   * every answer is done (and so logged).
   */
  (graceMs: number): Promise<void>;
}

/**
 * Prepares `server` for a graceful shutdown. Answers in flight when it begins, and requests arriving after it
 * on connections already open, are sent with `Connection: close` when their headers are still to be written.
 * Call it after the app's request listener is attached, so that the app's own `close` listeners (the request
 * log line) run before an answer counts as done here.
 */
export function drainOnShutdown(server: Server, log: Logger): Drain {
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  let allDone: (() => void) | undefined;
  server.on('request', (_req, res: ServerResponse) => {
    inFlight.add(res);
    if (draining) res.shouldKeepAlive = false;
    res.once('close', () => {
      inFlight.delete(res);
      if (!draining) return;
      setImmediate(() => server.closeIdleConnections());
      if (inFlight.size === 0) allDone?.();
    });
  });
  return async (graceMs) => {
    draining = true;
    for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const answered = new Promise<void>((resolve) => (inFlight.size === 0 ? resolve() : (allDone = resolve)));
    server.closeIdleConnections();
    log.info({ inFlight: inFlight.size }, 'no longer accepting connections: letting the requests in flight finish');
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace over'>((resolve) => (timer = setTimeout(resolve, graceMs, 'grace over')));
    if ((await Promise.race([Promise.all([closed, answered]), graceOver])) === 'grace over') {
      log.warn(
        { inFlight: inFlight.size },
        `requests still in flight after SHUTDOWN_GRACE_MS (${graceMs} ms): closing their connections`,
      );
      server.closeAllConnections();
      await Promise.all([closed, answered]);
    }
    clearTimeout(timer);
  };
}
