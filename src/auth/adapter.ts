import { createHash } from 'node:crypto';
import { type Adapter, type AdapterPayload, errors } from 'oidc-provider';
import type { EntityManager } from '@mikro-orm/postgresql';
import { withInvitationRedirect } from './invitation-redirect.js';

/** The SHA-256 (hex) under which a secret (an authorization code, a refresh token, a session id) is stored. */
export const storageHash = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Client ids are public names that registration looks up; every other artifact's id is a bearer secret. */
const keyOf = (model: string, id: string) => (model === 'Client' ? id : storageHash(id));

/**
 * Payloads carry their own id (`jti`). It is left out, and put back from the id a lookup is made with, except
 * for the two models the provider also finds by another key: sessions (by uid; their cookie is signed with the
 * cookie keys, so the id alone opens nothing) and device codes (by user code; ten minutes long).
 */
const KEEPS_ID = new Set(['Client', 'Session', 'DeviceCode']);
const withoutId = (model: string, payload: AdapterPayload): AdapterPayload => {
  if (KEEPS_ID.has(model)) return payload;
  const { jti: _jti, ...rest } = payload;
  return rest;
};

/** Grants that must be redeemed once, whichever gateway process is asked, even by two at the same instant. */
const SINGLE_USE: Record<string, string> = {
  AuthorizationCode: 'authorization code already consumed',
  RefreshToken: 'refresh token already used',
  DeviceCode: 'device code already consumed',
};

/**
 * oidc-provider's storage adapter on PostgreSQL (table oidc_payloads), so that sessions, codes, grants and
 * refresh tokens work across every gateway process sharing the database. Artifacts are stored under the hash
 * of their id (and device flow user code): a copy of the table hands out nothing that can be redeemed.
 */
export function postgresAdapter(em: EntityManager) {
  // in `em`'s transaction when there is one (registering a client with its record: both or neither)
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
    em.getConnection().execute<T[]>(query, params, 'all', em.getTransactionContext());

  return class PostgresAdapter implements Adapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
      await sql(
        `insert into oidc_payloads (model, id, payload, grant_id, user_code, uid, expires_at)
         values (?, ?, ?, ?, ?, ?, ?)
         on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id,
           user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`,
        [
          this.model,
          keyOf(this.model, id),
          JSON.stringify(withoutId(this.model, payload)),
          payload.grantId ?? null,
          payload.userCode ? storageHash(payload.userCode) : null,
          payload.uid ?? null,
          expiresAt,
        ],
      );
    }

    private async findWhere(
      column: 'id' | 'user_code' | 'uid',
      value: string,
      id?: string,
    ): Promise<AdapterPayload | undefined> {
      const [row] = await sql<{ payload: AdapterPayload; consumed: string | null }>(
        `select payload, extract(epoch from consumed_at)::bigint as consumed from oidc_payloads
          where model = ? and ${column} = ? and (expires_at is null or expires_at > now()) limit 1`,
        [this.model, value],
      );
      if (!row) return undefined;
      const payload = id === undefined || row.payload.jti !== undefined ? row.payload : { ...row.payload, jti: id };
      return row.consumed === null ? payload : { ...payload, consumed: Number(row.consumed) };
    }

    async find(id: string) {
      const payload = await this.findWhere('id', keyOf(this.model, id), id);
      return this.model === 'AuthorizationCode' && payload ? withInvitationRedirect(payload) : payload;
    }

    findByUserCode(userCode: string) {
      return this.findWhere('user_code', storageHash(userCode));
    }

    findByUid(uid: string) {
      return this.findWhere('uid', uid);
    }

    /**
     * The provider checks that an artifact is unused, then consumes it: two redemptions at once (on two
     * processes) would both pass that check. Only the one that marks it here goes on; the other is refused.
     */
    async consume(id: string): Promise<void> {
      const marked = await sql(
        'update oidc_payloads set consumed_at = now() where model = ? and id = ? and consumed_at is null returning 1',
        [this.model, keyOf(this.model, id)],
      );
      const refusal = SINGLE_USE[this.model];
      if (refusal && marked.length === 0) throw new errors.InvalidGrant(refusal);
    }

    async destroy(id: string): Promise<void> {
      await sql('delete from oidc_payloads where model = ? and id = ?', [this.model, keyOf(this.model, id)]);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await sql('delete from oidc_payloads where grant_id = ?', [grantId]);
    }
  };
}

/** Revokes a grant with everything issued under it (codes, refresh tokens), as oidc-provider's revocation does. */
export async function revokeGrant(em: EntityManager, grantId: string): Promise<void> {
  await em
    .getConnection()
    .execute(
      `delete from oidc_payloads where grant_id = ? or (model = 'Grant' and id = ?)`,
      [grantId, storageHash(grantId)],
      'run',
      em.getTransactionContext(),
    );
}

/** Removes expired artifacts; run now and then (at start-up) so the table does not grow without bound. */
export async function deleteExpiredOidcPayloads(em: EntityManager): Promise<void> {
  await em.getConnection().execute('delete from oidc_payloads where expires_at < now()', [], 'run');
}
