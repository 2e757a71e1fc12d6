import type { Transaction } from '@mikro-orm/core';
import type { Orm } from '../db/orm.js';
import { storageHash } from './adapter.js';

/** What a throttle counts failures of (an account's email, a client's address), with each one's limit. */
export type ThrottleLimits<K extends string> = Record<K, number>;

/** An attempt let through (`wait` 0, counted as a failure at `at` until it succeeds), or refused for `wait` s. */
export type Attempt = { wait: 0; at: string } | { wait: number; at: null };

const FIFTEEN_MINUTES = 15 * 60 * 1000;
/** the first key of the two-key advisory locks the throttles take (a space of their own) */
const LOCK_SPACE = 7_427_002;

/** How a throttle's key (`kind`: account, address) is stored: hashed, with the throttle's name. */
export const throttleKey = (throttle: string, kind: string, value: string) =>
  storageHash(`${throttle}:${kind}:${value}`);

/**
 * A brute-force brake: after `limit` failures for one key (an account, an address) within the window, further
 * attempts are refused until the oldest of those failures leaves the window. Shared by every gateway process
 * through PostgreSQL (table throttle_failures) and on its clock: each key's row keeps the times of its latest
 * failures, at most its limit of them (older ones can no longer block), and is purged once they have all expired.
 * Keys are stored hashed: no email or address is kept.
 */
export class Throttle<K extends string> {
  constructor(
    private readonly orm: Orm,
    /** tells this throttle's keys from another's */
    private readonly name: string,
    private readonly limits: ThrottleLimits<K>,
    private readonly windowMs = FIFTEEN_MINUTES,
  ) {}

  private sql<T>(query: string, params: unknown[], trx?: Transaction) {
    return this.orm.em.getConnection().execute<T[]>(query, params, 'all', trx);
  }

  /** the keys of `values`, in a fixed order (that of their locks) */
  private entries(values: Partial<Record<K, string>>): { key: string; limit: number }[] {
    return (Object.keys(values) as K[])
      .map((kind) => ({ key: throttleKey(this.name, kind, values[kind]!), limit: this.limits[kind] }))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  /**
   * Lets an attempt through, counted at once as a failure of every key given, or refuses it while a key is at its
   * limit. Attempts on the same keys take turns (advisory locks held by the transaction), whichever process they
   * reach: of many made at the same instant, no more than the limit get through. A success takes its count back
   * (`succeeded`).
   */
  async attempt(values: Partial<Record<K, string>>): Promise<Attempt> {
    const entries = this.entries(values);
    const attempt = await this.orm.em.getConnection().transactional(async (trx): Promise<Attempt> => {
      for (const { key } of entries) {
        await this.sql(
          'select pg_advisory_xact_lock(?, ?)',
          [LOCK_SPACE, Number.parseInt(key.slice(0, 8), 16) | 0],
          trx,
        );
      }
      const wait = await this.waitFor(entries, trx);
      if (wait > 0) return { wait, at: null };
      return { wait: 0, at: await this.count(entries, trx) };
    });
    if (attempt.wait === 0) await this.sweep();
    return attempt;
  }

  /**
   * Takes back the count of an attempt that succeeded (`at`, from `attempt`): the keys in `forget` lose all their
   * failures (a successful sign-in clears its account's), the others only this attempt's.
   */
  async succeeded(values: Partial<Record<K, string>>, at: string, forget: K[] = []): Promise<void> {
    for (const kind of Object.keys(values) as K[]) {
      const key = throttleKey(this.name, kind, values[kind]!);
      if (forget.includes(kind)) await this.sql('delete from throttle_failures where key = ?', [key]);
      else {
        await this.sql('update throttle_failures set failures = array_remove(failures, ?::timestamptz) where key = ?', [
          at,
          key,
        ]);
      }
    }
  }

  /** Seconds to wait before trying again, or 0 when an attempt is allowed. */
  retryAfterSeconds(values: Partial<Record<K, string>>): Promise<number> {
    return this.waitFor(this.entries(values));
  }

  private async waitFor(entries: { key: string; limit: number }[], trx?: Transaction): Promise<number> {
    if (!entries.length) return 0;
    // the failure that blocks is the limit-th newest within the window: it is the one to wait out
    const [row] = await this.sql<{ wait: string | null }>(
      `select max(ceil(extract(epoch from
                f.failures[cardinality(f.failures) - k.lim + 1] + make_interval(secs => ?) - now()))) as wait
         from throttle_failures f
         join (values ${entries.map(() => '(?::varchar, ?::int)').join(', ')}) as k (key, lim) on f.key = k.key
        where (select count(*) from unnest(f.failures) t where t > now() - make_interval(secs => ?)) >= k.lim`,
      [this.windowMs / 1000, ...entries.flatMap((e) => [e.key, e.limit]), this.windowMs / 1000],
      trx,
    );
    return row?.wait == null ? 0 : Math.max(1, Number(row.wait));
  }

  /** Counts a failure against every key given (at the database's now(), returned as text: to the microsecond). */
  private async count(entries: { key: string; limit: number }[], trx?: Transaction): Promise<string> {
    for (const { key, limit } of entries) {
      await this.sql(
        `insert into throttle_failures as f (key, failures, expires_at)
         values (?, array[now()], now() + make_interval(secs => ?))
         on conflict (key) do update set
           failures = array(select t from (select t from unnest(f.failures || now()) t
                                            where t > now() - make_interval(secs => ?)
                                            order by t desc limit ?) latest order by t),
           expires_at = excluded.expires_at`,
        [key, this.windowMs / 1000, this.windowMs / 1000, limit],
        trx,
      );
    }
    const [row] = await this.sql<{ at: string }>('select now()::text as at', [], trx);
    return row!.at;
  }

  /** Deletes the rows whose failures have all left the window, so that the table keeps only recent ones. */
  private async sweep(): Promise<void> {
    await this.sql('delete from throttle_failures where expires_at < now()', []);
  }

  /** Counts a failure against every key given, without checking the limits; drops what has expired. */
  async recordFailure(values: Partial<Record<K, string>>): Promise<void> {
    await this.count(this.entries(values));
    await this.sweep();
  }

  /** Forgets the failures of the keys given. */
  async forget(values: Partial<Record<K, string>>): Promise<void> {
    const keys = this.entries(values).map((e) => e.key);
    if (keys.length) {
      await this.sql(`delete from throttle_failures where key in (${keys.map(() => '?').join(', ')})`, keys);
    }
  }
}

/** The login form: 5 failures per account, 20 per address, in 15 minutes. */
export const loginThrottle = (orm: Orm) =>
  new Throttle<'account' | 'address'>(orm, 'login', { account: 5, address: 20 });

/** Self sign-up's invitation code: 10 wrong codes per address in 15 minutes. */
export const signupThrottle = (orm: Orm) => new Throttle<'address'>(orm, 'signup', { address: 10 });

export type LoginThrottle = ReturnType<typeof loginThrottle>;
