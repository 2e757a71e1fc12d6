import type { AccessToken, ClientCredentials, KoaContextWithOIDC } from 'oidc-provider';
import type { Orm } from '../db/orm.js';

/**
 * The account's token generation, written into each of its access tokens: disabling an account moves its
 * generation on, and the APIs (bearer.ts) refuse a token of an earlier one, so the tokens issued before a
 * disable stay dead after the account is enabled again. Left out while it is 0 (never disabled).
 */
export const TOKEN_GENERATION_CLAIM = 'hxg_gen';

export function tokenGenerationClaims(orm: Orm) {
  return async (_ctx: KoaContextWithOIDC, token: AccessToken | ClientCredentials) => {
    // client credentials tokens belong to no account
    const userId = Number('accountId' in token ? token.accountId : undefined);
    if (!Number.isSafeInteger(userId)) return undefined;
    const [row] = await orm.em
      .fork()
      .getConnection()
      .execute<{ token_generation: number }[]>('select token_generation from users where id = ?', [userId]);
    return row && row.token_generation > 0 ? { [TOKEN_GENERATION_CLAIM]: row.token_generation } : undefined;
  };
}
