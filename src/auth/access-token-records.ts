import type { EntityManager } from '@mikro-orm/postgresql';
import type { AdapterPayload } from 'oidc-provider';
import { postgresAdapter } from './adapter.js';

/**
 * Access tokens are JWTs the provider does not store, so neither its introspection nor its revocation can find
 * them. The gateway records each one it issues (under the hash of its `jti`, with its grant and client, until it
 * expires) in the provider's table: revoking the grant (a refresh token's revocation, a client's removal)
 * deletes the record with everything else of the grant, and introspection answers a token active only while its
 * record is there. A model of its own, which the provider never looks up as an (opaque) access token.
 */
const MODEL = 'JwtAccessToken';

const records = (em: EntityManager) => new (postgresAdapter(em))(MODEL);

export interface IssuedAccessToken {
  jti: string;
  grantId?: string;
  clientId: string;
  accountId?: string;
  /** epoch seconds */
  exp: number;
}

export async function recordAccessToken(em: EntityManager, token: IssuedAccessToken): Promise<void> {
  const ttl = token.exp - Math.floor(Date.now() / 1000);
  if (ttl <= 0) return;
  const payload: AdapterPayload = { jti: token.jti, clientId: token.clientId, exp: token.exp };
  if (token.grantId) payload.grantId = token.grantId;
  if (token.accountId) payload.accountId = token.accountId;
  await records(em).upsert(token.jti, payload, ttl);
}

/** Whether a JWT access token's record is there: issued here, neither revoked nor expired. */
export async function accessTokenRecorded(em: EntityManager, jti: string): Promise<boolean> {
  return (await records(em).find(jti)) !== undefined;
}

export async function forgetAccessToken(em: EntityManager, jti: string): Promise<void> {
  await records(em).destroy(jti);
}
