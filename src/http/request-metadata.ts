import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { RequestMetadata } from '../audit/event.js';

/**
 * Where a request comes from, for the audit trail: the client's address (behind a trusted proxy, the address it
 * forwarded), its user agent, and the request's id: the one the request logger gave it (`req.id`), the caller's
 * `X-Request-Id`, or a fresh one, so that one request's events can be told apart and matched with its logs.
 */
export function requestMetadata(req: Request, face: string): RequestMetadata {
  const loggedId = (req as Request & { id?: unknown }).id;
  const requestId =
    typeof loggedId === 'string' || typeof loggedId === 'number'
      ? String(loggedId)
      : req.get('x-request-id')?.slice(0, 64) || randomUUID();
  return {
    face,
    address: req.ip ?? req.socket.remoteAddress ?? null,
    userAgent: req.get('user-agent')?.slice(0, 256) ?? null,
    requestId,
  };
}
