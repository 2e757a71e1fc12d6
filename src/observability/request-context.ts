import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * What the logs, the metrics and the audit trail know of one HTTP request. Set up by the first middleware
 * (src/http/request-logging.ts) and filled in as the request goes: the token holder by the bearer check
 * (src/auth/bearer.ts), the route by Express's routing.
 */
export interface RequestFacts {
  /** the request id: the client's X-Request-Id if sane, else a fresh UUID; also `req.id` and the answer's header */
  readonly id: string;
  /** the user of the verified access token */
  userId?: number;
  /** the OAuth client the access token was issued to */
  clientId?: string;
  /** the matched route pattern (`/fhir/r5/Patient/:id`), never the raw URL */
  route?: string;
}

export const REQUEST_ID_HEADER = 'x-request-id';

/** ids of proxies and tracing systems (UUIDs, hex, base64, `Root=1-…`): bounded in length and charset */
const SANE_ID = /^[\w.:+=/@-]{1,64}$/;
const FACTS = Symbol('hxg.requestFacts');

type WithFacts = IncomingMessage & { [FACTS]?: RequestFacts };

/** The client's X-Request-Id if it is at most 64 letters, digits and `_ . : + = / @ -`, else a new UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_ID.test(header) ? header : randomUUID();
}

/** Starts the facts of a request, with its id. */
export function startRequestFacts(req: IncomingMessage): RequestFacts {
  const facts: RequestFacts = { id: requestIdFrom(req.headers[REQUEST_ID_HEADER]) };
  (req as WithFacts)[FACTS] = facts;
  return facts;
}

/** The facts of a request that went through the app's first middleware. */
export function requestFacts(req: IncomingMessage): RequestFacts | undefined {
  return (req as WithFacts)[FACTS];
}

/** The request's id (as logged and answered in X-Request-Id), for the audit trail and others. */
export function requestIdOf(req: IncomingMessage): string | undefined {
  return requestFacts(req)?.id;
}

/** Records who holds the request's verified access token (its `sub` and `client_id` claims). */
export function noteTokenHolder(req: IncomingMessage, claims: { sub: string; client_id?: unknown }): void {
  const facts = requestFacts(req);
  if (!facts) return;
  const userId = Number(claims.sub);
  if (Number.isSafeInteger(userId)) facts.userId = userId;
  if (typeof claims.client_id === 'string') facts.clientId = claims.client_id;
}

/** Names the request's route for the logs and metrics when Express's routing does not say it (a 404). */
export function noteRoute(req: IncomingMessage, route: string): void {
  const facts = requestFacts(req);
  if (facts) facts.route = route;
}
