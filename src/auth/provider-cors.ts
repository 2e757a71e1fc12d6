import type Provider from 'oidc-provider';
import type { Configuration } from 'oidc-provider';

type KoaMiddleware = Parameters<Provider['use']>[0];

/**
 * oidc-provider's own CORS, held to the gateway's allowed origins. The gateway's CORS middleware
 * (src/http/cors.ts) answers an allowed origin before the provider runs, and the provider then adds no CORS
 * header of its own; for any other origin:
 * - `clientBasedCORS` makes the token, revocation, userinfo and device endpoints refuse the request
 *   (400 invalid_request, before a code or token is used);
 * - the middleware takes back the `Access-Control-Allow-Origin` the provider gives every origin on
 *   discovery and jwks, so that /o answers the same origins as the APIs.
 */
export function providerCors(allowedOrigins: readonly string[]): {
  clientBasedCORS: NonNullable<Configuration['clientBasedCORS']>;
  middleware: KoaMiddleware;
} {
  const allowed = new Set(allowedOrigins);
  return {
    clientBasedCORS: (_ctx, origin) => allowed.has(origin),
    middleware: async (ctx, next) => {
      await next();
      const origin = ctx.get('origin');
      if (origin && !allowed.has(origin)) {
        for (const name of Object.keys(ctx.response.headers)) {
          if (name.toLowerCase().startsWith('access-control-')) ctx.remove(name);
        }
      }
    },
  };
}
