import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * oidc-provider's storage adapter on PostgreSQL (table oidc_payloads), so that sessions, codes, grants and
 * refresh tokens work across every gateway process sharing the database.
 */
export function postgresAdapter(em: EntityManager) {
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
    em.getConnection().execute<T[]>(query, params);

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
          id,
          JSON.stringify(payload),
          payload.grantId ?? null,
          payload.userCode ?? null,
          payload.uid ?? null,
          expiresAt,
        ],
      );
    }

    private async findWhere(column: 'id' | 'user_code' | 'uid', value: string): Promise<AdapterPayload | undefined> {
      const [row] = await sql<{ payload: AdapterPayload; consumed: string | null }>(
        `select payload, extract(epoch from consumed_at)::bigint as consumed from oidc_payloads
          where model = ? and ${column} = ? and (expires_at is null or expires_at > now()) limit 1`,
        [this.model, value],
      );
      if (!row) return undefined;
      return row.consumed === null ? row.payload : { ...row.payload, consumed: Number(row.consumed) };
    }

    find(id: string) {
      return this.findWhere('id', id);
    }

    findByUserCode(userCode: string) {
      return this.findWhere('user_code', userCode);
    }

    findByUid(uid: string) {
      return this.findWhere('uid', uid);
    }

    async consume(id: string): Promise<void> {
      await sql('update oidc_payloads set consumed_at = now() where model = ? and id = ?', [this.model, id]);
    }

    async destroy(id: string): Promise<void> {
      await sql('delete from oidc_payloads where model = ? and id = ?', [this.model, id]);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await sql('delete from oidc_payloads where grant_id = ?', [grantId]);
    }
  };
}

/** Removes expired artifacts; run now and then (at start-up) so the table does not grow without bound. */
export async function deleteExpiredOidcPayloads(em: EntityManager): Promise<void> {
  await em.getConnection().execute('delete from oidc_payloads where expires_at < now()', [], 'run');
}
