import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Ends everything the provider holds for an account, on every gateway process (after a password reset): its
 * sessions (each browser must sign in again), grants, unredeemed authorization and device codes, refresh tokens,
 * and the records of its JWT access tokens (introspection then answers them inactive), with whatever else was
 * issued under those grants; and its token generation moves on, so that the APIs refuse at once the access
 * tokens already handed out (token-generation.ts). Returns how many artifacts went.
 */
export async function revokeAccountArtifacts(em: EntityManager, userId: number): Promise<number> {
  await em
    .getConnection()
    .execute(
      'update users set token_generation = token_generation + 1 where id = ?',
      [userId],
      'all',
      em.getTransactionContext(),
    );
  const rows = await em.getConnection().execute<{ model: string }[]>(
    `with grants as (select grant_id from oidc_payloads
                      where model <> 'Client' and payload->>'accountId' = ? and grant_id is not null)
     delete from oidc_payloads
      where model <> 'Client' and (payload->>'accountId' = ? or grant_id in (select grant_id from grants))
     returning model`,
    [String(userId), String(userId)],
    'all',
    em.getTransactionContext(),
  );
  return rows.length;
}
