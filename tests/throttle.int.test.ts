import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Throttle, throttleKey } from '../src/auth/throttle.js';
import { connectDatabase } from '../src/database.js';
import { loadConfig } from '../src/config.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('empty');
});
afterAll(() => db?.drop());

const failures = async (throttle: string, kind: string, value: string) => {
  const rows = await db.orm.em
    .getConnection()
    .execute<{ n: number }[]>('select cardinality(failures) as n from throttle_failures where key = ?', [
      throttleKey(throttle, kind, value),
    ]);
  return rows[0]?.n;
};

describe('the throttle in PostgreSQL', () => {
  it('counts failures recorded at the same time without losing one, and keeps no more than the limit', async () => {
    const wide = new Throttle(db.orm, 'wide', { account: 50 });
    await Promise.all(Array.from({ length: 20 }, () => wide.recordFailure({ account: 'x@example.com' })));
    expect(await failures('wide', 'account', 'x@example.com')).toBe(20);

    const narrow = new Throttle(db.orm, 'narrow', { account: 3 });
    for (let i = 0; i < 10; i++) await narrow.recordFailure({ account: 'x@example.com' });
    expect(await failures('narrow', 'account', 'x@example.com')).toBe(3);
    expect(await narrow.retryAfterSeconds({ account: 'x@example.com' })).toBeGreaterThan(14 * 60);
  });

  it('blocks a key at its limit until the window passes, others not; expired rows are purged', async () => {
    const throttle = new Throttle(db.orm, 'short', { account: 2, address: 5 }, 1500);
    await throttle.recordFailure({ account: 'a@example.com', address: '192.0.2.1' });
    expect(await throttle.retryAfterSeconds({ account: 'a@example.com', address: '192.0.2.1' })).toBe(0);
    await throttle.recordFailure({ account: 'a@example.com', address: '192.0.2.1' });
    const wait = await throttle.retryAfterSeconds({ account: 'a@example.com', address: '192.0.2.1' });
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(2);
    expect(await throttle.retryAfterSeconds({ account: 'b@example.com', address: '192.0.2.1' })).toBe(0);
    await expect.poll(() => throttle.retryAfterSeconds({ account: 'a@example.com' }), { timeout: 5000 }).toBe(0);
    // the next failure anywhere sweeps out what has expired
    await expect
      .poll(
        async () => {
          await throttle.recordFailure({ account: 'c@example.com' });
          return failures('short', 'account', 'a@example.com');
        },
        { timeout: 5000 },
      )
      .toBeUndefined();
    expect(await failures('short', 'address', '192.0.2.1')).toBeUndefined();
  });

  it('lets no more than the limit through of attempts made at the same time, and a success takes its count back', async () => {
    const throttle = new Throttle(db.orm, 'burst', { account: 5, address: 8 });
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) => throttle.attempt({ account: 'e@example.com', address: `192.0.2.${i % 2}` })),
    );
    expect(burst.filter((a) => a.at !== null)).toHaveLength(5);
    expect(burst.filter((a) => a.at === null).every((a) => a.wait > 14 * 60)).toBe(true);
    expect(await failures('burst', 'account', 'e@example.com')).toBe(5);

    // an address's limit holds across accounts; a success gives back its own count only
    const many = await Promise.all(
      Array.from({ length: 12 }, (_, i) => throttle.attempt({ account: `f${i}@example.com`, address: '192.0.2.9' })),
    );
    const through = many.filter((a) => a.at !== null);
    expect(through).toHaveLength(8);
    await throttle.succeeded({ account: 'f0@example.com', address: '192.0.2.9' }, through[0]!.at!, ['account']);
    expect(await failures('burst', 'address', '192.0.2.9')).toBe(7);
    expect((await throttle.attempt({ account: 'g@example.com', address: '192.0.2.9' })).at).not.toBeNull();
    expect((await throttle.attempt({ account: 'h@example.com', address: '192.0.2.9' })).at).toBeNull();
  });

  it('forgets the failures of the keys it is told, and only those', async () => {
    const throttle = new Throttle(db.orm, 'forget', { account: 5, address: 20 });
    await throttle.recordFailure({ account: 'd@example.com', address: '192.0.2.2' });
    await throttle.forget({ account: 'd@example.com' });
    expect(await failures('forget', 'account', 'd@example.com')).toBeUndefined();
    expect(await failures('forget', 'address', '192.0.2.2')).toBe(1);
  });

  it('stores no email or address', async () => {
    const rows = await db.orm.em.getConnection().execute<{ key: string }[]>('select key from throttle_failures');
    expect(rows.length).toBeGreaterThan(0);
    for (const { key } of rows) expect(key).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('DB_POOL_SIZE', () => {
  it('bounds the connections of the pool that serves HTTP', async () => {
    const database = await connectDatabase(loadConfig({ DATABASE_URL: db.url, DB_POOL_SIZE: '2' }), () => {});
    try {
      const serving = await database.servingOrm();
      const answers = await Promise.all(
        Array.from({ length: 6 }, () =>
          serving.em.getConnection().execute<{ pid: number }[]>('select pg_backend_pid() as pid, pg_sleep(0.05)'),
        ),
      );
      expect(new Set(answers.map(([row]) => row!.pid)).size).toBe(2);
    } finally {
      await database.close();
    }
  });
});
