import { createHash } from 'node:crypto';
import type { CacheProvider } from '@node-saml/node-saml';
import type { Orm } from '../../db/orm.js';

const keyOf = (kind: 'request' | 'assertion', id: string) => createHash('sha256').update(`${kind}:${id}`).digest('hex');

/**
 * The SAML ids the gateway must see at most once, in PostgreSQL so that whichever instance the IdP's POST reaches
 * can answer it: the AuthnRequests issued (each bound to its sign-in, consumed by its answer) and the
 * assertions accepted.
 */
export class SamlMessageStore {
  constructor(
    private readonly orm: Orm,
    /** how long an AuthnRequest may wait for its answer */
    private readonly requestTtlMs: number,
  ) {}

  private sql<T>(query: string, params: unknown[]) {
    return this.orm.em.getConnection().execute<T[]>(query, params, 'all');
  }

  async issued(requestId: string, interactionUid: string): Promise<void> {
    await this.sql('delete from saml_messages where expires_at < now()', []);
    await this.sql('insert into saml_messages (key, interaction_uid, expires_at) values (?, ?, ?)', [
      keyOf('request', requestId),
      interactionUid,
      new Date(Date.now() + this.requestTtlMs),
    ]);
  }

  /** The sign-in the request was issued for, once: a second answer, or one after expiry, gets null. */
  async consume(requestId: string): Promise<string | null> {
    const rows = await this.sql<{ interaction_uid: string }>(
      'delete from saml_messages where key = ? and expires_at > now() and interaction_uid is not null returning interaction_uid',
      [keyOf('request', requestId)],
    );
    return rows[0]?.interaction_uid ?? null;
  }

  /** Records an accepted assertion until it expires; false if it was accepted before (a replay). */
  async firstUse(assertionId: string, expiresAt: Date): Promise<boolean> {
    const rows = await this.sql(
      'insert into saml_messages (key, expires_at) values (?, ?) on conflict (key) do nothing returning key',
      [keyOf('assertion', assertionId), expiresAt],
    );
    return rows.length === 1;
  }

  /** node-saml's cache when it issues an AuthnRequest for sign-in `interactionUid`. */
  issuing(interactionUid: string): CacheProvider {
    return {
      saveAsync: async (key, value) => {
        await this.issued(key, interactionUid);
        return { value, createdAt: Date.now() };
      },
      getAsync: () => Promise.resolve(null),
      removeAsync: () => Promise.resolve(null),
    };
  }

  /**
   * node-saml's cache when it checks a response: the InResponseTo it asks about is consumed at once (so that two
   * copies of one response racing each other cannot both pass) and `answered()` tells which sign-in it was for.
   */
  answering(): CacheProvider & { answered(): { requestId: string; interactionUid: string } | null } {
    let answered: { requestId: string; interactionUid: string } | null = null;
    return {
      saveAsync: () => Promise.resolve(null),
      // node-saml reads the answer as the request's issue instant; the expiry is already enforced by consume()
      getAsync: async (key) => {
        if (!answered) {
          const interactionUid = await this.consume(key);
          if (interactionUid) answered = { requestId: key, interactionUid };
        }
        return answered?.requestId === key ? new Date().toISOString() : null;
      },
      removeAsync: () => Promise.resolve(null),
      answered: () => answered,
    };
  }
}
