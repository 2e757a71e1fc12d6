import { decodeProtectedHeader } from 'jose';
import type Provider from 'oidc-provider';
import { errors, type FindAccount, type KoaContextWithOIDC } from 'oidc-provider';
import type { Orm } from '../db/orm.js';
import { UnauthenticatedError } from '../errors.js';
import type { AccessTokenClaims, TokenVerifier } from './bearer.js';
import { accessTokenRecorded, forgetAccessToken } from './access-token-records.js';

type KoaMiddleware = Parameters<Provider['use']>[0];
type Client = NonNullable<KoaContextWithOIDC['oidc']['client']>;

/** Only a client that proved it holds a secret (a resource server) learns what a token is worth. */
const mayIntrospect = (client: Client) => client.clientAuthMethod !== 'none';

const PUBLIC_CLIENT = 'only confidential clients (resource servers, with a client secret) may introspect tokens';

/** oidc-provider's `introspection` feature, refusing public clients (its default lets them see their own tokens). */
export const introspectionFeature = {
  enabled: true as const,
  allowedPolicy: (_ctx: KoaContextWithOIDC, client: Client) => {
    if (!mayIntrospect(client)) throw new errors.InvalidClient(PUBLIC_CLIENT);
    return true;
  },
};

const isJwt = (token: unknown) => {
  try {
    return typeof token === 'string' && Boolean(decodeProtectedHeader(token));
  } catch {
    return false;
  }
};

/**
 * Introspection (RFC 7662) and revocation (RFC 7009) of the gateway's JWT access tokens. oidc-provider
 * authenticates the client at both endpoints, then refuses a structured token (unsupported_token_type); this
 * answers in its place, with the provider's client authentication done:
 * - introspection: a public client is refused (invalid_client, whatever the token); a JWT is active when its
 *   signature, issuer, audience and expiry hold, its record is there (neither revoked nor expired:
 *   access-token-records.ts) and its user and client still exist;
 * - revocation: a client's own JWT loses its record, so introspection answers it inactive from then on.
 */
export function jwtTokenEndpoints(opts: {
  orm: Orm;
  verifyToken: TokenVerifier;
  findAccount: FindAccount;
}): KoaMiddleware {
  const verified = async (token: string): Promise<AccessTokenClaims | null> => {
    try {
      return await opts.verifyToken(token);
    } catch (error) {
      if (error instanceof UnauthenticatedError) return null;
      throw error;
    }
  };
  const introspect = async (ctx: KoaContextWithOIDC, token: string) => {
    const claims = await verified(token);
    const live =
      claims?.jti !== undefined &&
      typeof claims.client_id === 'string' &&
      (await accessTokenRecorded(opts.orm.em.fork(), claims.jti)) &&
      (await ctx.oidc.provider.Client.find(claims.client_id)) !== undefined &&
      (await opts.findAccount(undefined as never, claims.sub)) !== undefined;
    if (!live) return { active: false };
    const { scope, client_id, sub, aud, iss, exp, iat, jti } = claims;
    return { active: true, scope, client_id, sub, aud, iss, exp, iat, jti, token_type: 'Bearer' };
  };
  const revoke = async (ctx: KoaContextWithOIDC, token: string) => {
    const claims = await verified(token);
    // RFC 7009: a token that is not the client's, or no longer valid, is answered 200 all the same
    if (claims?.jti && claims.client_id === ctx.oidc.client?.clientId) {
      await forgetAccessToken(opts.orm.em.fork(), claims.jti);
    }
  };

  return async (koa, next) => {
    await next();
    const ctx = koa as KoaContextWithOIDC;
    const route = ctx.oidc?.route;
    const { client } = ctx.oidc ?? {};
    if ((route !== 'introspection' && route !== 'revocation') || !client) return;
    if (route === 'introspection' && !mayIntrospect(client)) {
      ctx.status = 401;
      ctx.body = { error: 'invalid_client', error_description: PUBLIC_CLIENT };
      return;
    }
    const token = ctx.oidc.params?.token;
    const refused = (ctx.body as { error?: string } | undefined)?.error === 'unsupported_token_type';
    if (!refused || !isJwt(token)) return;
    ctx.status = 200;
    if (route === 'introspection') {
      ctx.body = await introspect(ctx, token as string);
    } else {
      await revoke(ctx, token as string);
      ctx.body = '';
    }
  };
}
