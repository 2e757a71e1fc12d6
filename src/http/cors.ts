import type { NextFunction, Request, Response } from 'express';

/**
 * The faces a browser app on another origin may call: the APIs, the OAuth provider and the discovery documents
 * outside it (protected resource metadata, the provider's RFC 8414 metadata).
 */
export const CORS_PATHS = [
  '/graphql',
  '/fhir/r5',
  '/o',
  '/mcp',
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-authorization-server',
] as const;

const ALLOWED_METHODS = 'GET, HEAD, POST';
/** What SMART apps, FHIR clients and GraphQL clients send (Apollo's CSRF headers included). */
const ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Accept',
  'Prefer',
  'If-None-Exist',
  'Apollo-Require-Preflight',
  'X-Apollo-Operation-Name',
  'Mcp-Protocol-Version',
  'Mcp-Session-Id',
].join(', ');
const EXPOSED_HEADERS = [
  'Location',
  'Content-Location',
  'Last-Modified',
  'ETag',
  'WWW-Authenticate',
  'Retry-After',
].join(', ');
/** how long a browser may reuse a preflight's answer (Chromium caps it at 2 hours) */
const PREFLIGHT_MAX_AGE_SECONDS = '600';

const isPreflight = (req: Request) =>
  req.method === 'OPTIONS' && req.get('access-control-request-method') !== undefined;

/**
 * CORS for the faces in CORS_PATHS, before authentication: an allowed origin gets its own origin back
 * (never `*`) and its preflights answered here; any other origin gets no CORS header at all, so that the
 * browser refuses to show it the answer, and its preflights end here too (they carry no token, and must
 * not reach the 401 path or oidc-provider's own CORS, which would let any origin through).
 *
 * No `Access-Control-Allow-Credentials`: the APIs take bearer tokens, not cookies.
 */
export function corsMiddleware(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins);
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    if (origin === undefined) return next();
    res.vary('Origin');
    if (!allowed.has(origin)) {
      if (isPreflight(req)) return void res.status(403).type('text').send('Origin not allowed');
      return next();
    }
    res.set('access-control-allow-origin', origin);
    if (isPreflight(req)) {
      res.set({
        'access-control-allow-methods': ALLOWED_METHODS,
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': PREFLIGHT_MAX_AGE_SECONDS,
      });
      return void res.status(204).end();
    }
    res.set('access-control-expose-headers', EXPOSED_HEADERS);
    next();
  };
}
