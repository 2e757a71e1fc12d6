import type { Request } from 'express';
import type { RequestMetadata } from '../audit/event.js';
import { requestIdFrom, requestIdOf } from '../observability/request-context.js';

/**
 * Where a request comes from, for the audit trail: the client's address (behind a trusted proxy, the address it
 * forwarded), its user agent, and the request's id, the one its log line and its X-Request-Id answer carry
 * (src/observability/request-context.ts), so that one request's events can be matched with its logs.
 */
export function requestMetadata(req: Request, face: string): RequestMetadata {
  const requestId = requestIdOf(req) ?? requestIdFrom(req.get('x-request-id'));
  return {
    face,
    address: req.ip ?? req.socket.remoteAddress ?? null,
    userAgent: req.get('user-agent')?.slice(0, 256) ?? null,
    requestId,
  };
}
