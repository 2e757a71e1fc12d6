import http, { type RequestListener, type Server } from 'node:http';

/** a client that has not sent all its headers by then is cut off (Node answers 408) */
const HEADERS_TIMEOUT_MS = 10_000;

/**
 * The HTTP server for the app, with bounds on slow clients: the headers must arrive within 10 s and the whole
 * request (body included) within the request timeout, or Node answers 408 and closes the connection. Node
 * checks these every `connectionsCheckingInterval` (30 s by default, far coarser than the bounds).
 */
export function createHttpServer(app: RequestListener, timeouts: { requestMs: number }): Server {
  const headersTimeout = Math.min(HEADERS_TIMEOUT_MS, timeouts.requestMs);
  return http.createServer(
    {
      requestTimeout: timeouts.requestMs,
      headersTimeout,
      connectionsCheckingInterval: Math.min(1000, headersTimeout),
    },
    app,
  );
}
