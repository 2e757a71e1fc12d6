import type { Orm } from '../db/orm.js';
import { storageHash } from './adapter.js';

/** What a throttle counts failures of (an account's email, a client's address), with each one's limit. */
export type ThrottleLimits<K extends string> = Record<K, number>;

const FIFTEEN_MINUTES = 15 * 60 * 1000;

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

  private sql<T>(query: string, params: unknown[]) {
    return this.orm.em.getConnection().execute<T[]>(query, params);
  }

  private entries(values: Partial<Record<K, string>>): { key: string; limit: number }[] {
    return (Object.keys(values) as K[]).map((kind) => ({
      key: throttleKey(this.name, kind, values[kind]!),
      limit: this.limits[kind],
    }));
  }

  /** Seconds to wait before trying again, or 0 when an attempt is allowed. */
  async retryAfterSeconds(values: Partial<Record<K, string>>): Promise<number> {
    const entries = this.entries(values);
    if (!entries.length) return 0;
    // the failure that blocks is the limit-th newest within the window: it is the one to wait out
    const [row] = await this.sql<{ wait: string | null }>(
      `select max(ceil(extract(epoch from
                f.failures[cardinality(f.failures) - k.lim + 1] + make_interval(secs => ?) - now()))) as wait
         from throttle_failures f
         join (values ${entries.map(() => '(?::varchar, ?::int)').join(', ')}) as k (key, lim) on f.key = k.key
        where (select count(*) from unnest(f.failures) t where t > now() - make_interval(secs => ?)) >= k.lim`,
      [this.windowMs / 1000, ...entries.flatMap((e) => [e.key, e.limit]), this.windowMs / 1000],
    );
    return row?.wait == null ? 0 : Math.max(1, Number(row.wait));
  }

  /** Counts a failure against every key given; drops what has expired, so that the table stays small. */
  async recordFailure(values: Partial<Record<K, string>>): Promise<void> {
    for (const { key, limit } of this.entries(values)) {
      await this.sql(
        `insert into throttle_failures as f (key, failures, expires_at)
         values (?, array[now()], now() + make_interval(secs => ?))
         on conflict (key) do update set
           failures = array(select t from (select t from unnest(f.failures || now()) t
                                            where t > now() - make_interval(secs => ?)
                                            order by t desc limit ?) latest order by t),
           expires_at = excluded.expires_at`,
        [key, this.windowMs / 1000, this.windowMs / 1000, limit],
      );
    }
    await this.sql('delete from throttle_failures where expires_at < now()', []);
  }

  /** Forgets the failures of the keys given (a successful sign-in clears its account's). */
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
