import type { Server, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.js';

export interface Drain {
  /**
   * Stops accepting connections and lets the requests in flight finish, closing each keep-alive connection
   * as soon as it is idle; after `graceMs`, cuts the connections still open. Resolves once all are closed.
   */
  (graceMs: number): Promise<void>;
}

/**
 * Prepares `server` for a graceful shutdown. Answers in flight when it begins, and requests arriving after it
 * on connections already open, are sent with `Connection: close` when their headers are still to be written.
 */
export function drainOnShutdown(server: Server, log: Logger): Drain {
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  server.on('request', (_req, res: ServerResponse) => {
    inFlight.add(res);
    if (draining) res.shouldKeepAlive = false;
    res.once('close', () => {
      inFlight.delete(res);
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });
  return async (graceMs) => {
    draining = true;
    for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace over'>((resolve) => (timer = setTimeout(resolve, graceMs, 'grace over')));
    if ((await Promise.race([closed, graceOver])) === 'grace over') {
      log.warn(
        { inFlight: inFlight.size },
        `requests still in flight after SHUTDOWN_GRACE_MS (${graceMs} ms): closing their connections`,
      );
      server.closeAllConnections();
      await closed;
    }
    clearTimeout(timer);
  };
}
