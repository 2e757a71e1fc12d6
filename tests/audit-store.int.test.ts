import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AuditEvent } from '../src/audit/event.js';
import { purgeAuditEvents } from '../src/audit/purge.js';
import { AuditWriter } from '../src/audit/writer.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startTcpProxy } from './support/tcp-proxy.js';

/**
 * The audit table and its writer against a real PostgreSQL, through the application's own connection: rows
 * can be added, never changed or removed, except by the retention purge; the writer batches, and a failed
 * write is logged, not thrown.
 */

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('empty');
});
afterAll(() => db?.drop());

const sql = () => db.orm.em.fork().getConnection();

const event = (overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  recordedAt: new Date(),
  userId: 10002,
  clientId: 'portal',
  face: 'graphql',
  address: '127.0.0.1',
  userAgent: 'test',
  requestId: 'store-test',
  operation: 'Query.patient',
  action: 'read',
  resourceType: 'Patient',
  resourceIds: [40001],
  patientIds: [40001],
  params: { id: '40001' },
  rowCount: 1,
  outcome: 'allowed',
  errorCode: null,
  ...overrides,
});

const countOf = async (requestId: string) =>
  Number(
    (
      await sql().execute<{ n: string }[]>('select count(*) as n from audit_events where request_id = ?', [requestId])
    )[0]!.n,
  );

describe('append-only', () => {
  it('refuses UPDATE, DELETE and TRUNCATE by the application’s connection', async () => {
    const writer = new AuditWriter(db.orm, { flushMs: 60_000, flushEvents: 1000 });
    writer.record(event({ requestId: 'append-only' }));
    await writer.flush();
    expect(await countOf('append-only')).toBe(1);
    await expect(sql().execute("update audit_events set outcome = 'denied'")).rejects.toThrow(/append-only/);
    await expect(sql().execute('delete from audit_events')).rejects.toThrow(/append-only/);
    await expect(sql().execute('truncate audit_events')).rejects.toThrow(/append-only/);
    // a session cannot grant itself the purge's permission for rows within the retention
    await expect(
      sql().execute(
        "select set_config('hxg.audit_purge_before', (now() + interval '1 day')::text, false); delete from audit_events",
      ),
    ).rejects.toThrow();
    expect(await countOf('append-only')).toBe(1);
  });

  it('the retention purge removes only rows older than the retention', async () => {
    const writer = new AuditWriter(db.orm, { flushMs: 60_000, flushEvents: 1000 });
    const old = new Date(Date.now() - 40 * 86_400_000);
    writer.record(event({ requestId: 'purge-old', recordedAt: old }));
    writer.record(event({ requestId: 'purge-recent', recordedAt: new Date(Date.now() - 2 * 86_400_000) }));
    await writer.flush();
    expect(await purgeAuditEvents(db.orm, 30)).toBe(1);
    expect(await countOf('purge-old')).toBe(0);
    expect(await countOf('purge-recent')).toBe(1);
    await expect(purgeAuditEvents(db.orm, 0)).rejects.toThrow(/at least one day/);
    // after a purge, ordinary deletes are refused again
    await expect(sql().execute("delete from audit_events where request_id = 'purge-recent'")).rejects.toThrow(
      /append-only/,
    );
  });
});

describe('the batched writer', () => {
  it('writes once flushEvents are queued, without a flush call', async () => {
    const writer = new AuditWriter(db.orm, { flushMs: 60_000, flushEvents: 3 });
    for (let i = 0; i < 3; i++) writer.record(event({ requestId: 'batch-size' }));
    await expect.poll(() => countOf('batch-size')).toBe(3);
  });

  it('writes after flushMs', async () => {
    const writer = new AuditWriter(db.orm, { flushMs: 20, flushEvents: 1000 });
    writer.record(event({ requestId: 'batch-time' }));
    await expect.poll(() => countOf('batch-time')).toBe(1);
  });

  it('logs a failed write and goes on; close flushes what is left', async () => {
    const logged: string[] = [];
    const writer = new AuditWriter(db.orm, { flushMs: 60_000, flushEvents: 1000 }, (m) => logged.push(m));
    writer.record(event({ requestId: 'bad', outcome: 'maybe' as never }));
    await expect(writer.flush()).resolves.toBeUndefined();
    expect(logged).toEqual([expect.stringMatching(/^audit trail: 1 events could not be written \(SQLSTATE 23514\)$/)]);
    writer.record(event({ requestId: 'after-failure' }));
    await writer.close();
    expect(await countOf('after-failure')).toBe(1);
  });

  it('keeps what it could not write while the database was unreachable, and writes it once it is back', async () => {
    const admin = new URL(inject('adminDatabaseUrl'));
    const proxy = await startTcpProxy(admin.hostname, Number(admin.port));
    const viaProxy = await createTestDatabase('empty', {}, (url) => {
      const routed = new URL(url);
      routed.hostname = '127.0.0.1';
      routed.port = String(proxy.port);
      return routed.toString();
    });
    try {
      const logged: string[] = [];
      const writer = new AuditWriter(viaProxy.orm, { flushMs: 50, flushEvents: 1000 }, (m) => logged.push(m));
      await proxy.cut();
      writer.record(event({ requestId: 'outage' }));
      await writer.flush();
      writer.record(event({ requestId: 'outage-later' }));
      await writer.flush();
      await proxy.restore();
      // the writer's own timer tries again; the first attempt may meet a connection the outage broke
      const direct = async () =>
        (
          await viaProxy.orm.em
            .fork()
            .getConnection()
            .execute<{ request_id: string }[]>(
              "select request_id from audit_events where request_id like 'outage%' order by id",
            )
        ).map((row) => row.request_id);
      await expect.poll(direct, { timeout: 10_000 }).toEqual(['outage', 'outage-later']);
      expect(logged).toEqual([]);
    } finally {
      await proxy.restore().catch(() => undefined);
      await viaProxy.drop();
      await proxy.close();
    }
  });

  it('keeps no more than fits its columns, and writes many in few statements', async () => {
    const writer = new AuditWriter(db.orm, { flushMs: 60_000, flushEvents: 10_000 });
    for (let i = 0; i < 2500; i++) writer.record(event({ requestId: 'many', userAgent: 'x'.repeat(1000) }));
    await writer.flush();
    expect(await countOf('many')).toBe(2500);
    const [row] = await sql().execute<{ n: number }[]>(
      "select max(length(user_agent)) as n from audit_events where request_id = 'many'",
    );
    expect(row!.n).toBe(256);
  });
});
