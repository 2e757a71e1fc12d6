import client from 'prom-client';
import type { Orm } from '../db/orm.js';
import { registry } from './metrics.js';

/** The part of knex's pool (tarn) read at each scrape. */
interface Pool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  max: number;
}

const pools = new Map<string, () => Pool | undefined>();

function eachPool(visit: (name: string, pool: Pool) => void) {
  for (const [name, poolOf] of pools) {
    const pool = poolOf();
    if (pool) visit(name, pool);
  }
}

new client.Gauge({
  name: 'hxg_db_pool_connections',
  help: 'Database pool connections by state: used (lent to a statement) or free (open and idle)',
  labelNames: ['pool', 'state'] as const,
  registers: [registry],
  collect() {
    this.reset();
    eachPool((name, pool) => {
      this.set({ pool: name, state: 'used' }, pool.numUsed());
      this.set({ pool: name, state: 'free' }, pool.numFree());
    });
  },
});

new client.Gauge({
  name: 'hxg_db_pool_waiting',
  help: 'Statements waiting for a free connection of the database pool',
  labelNames: ['pool'] as const,
  registers: [registry],
  collect() {
    this.reset();
    eachPool((name, pool) => this.set({ pool: name }, pool.numPendingAcquires()));
  },
});

new client.Gauge({
  name: 'hxg_db_pool_max',
  help: 'The most connections the database pool opens',
  labelNames: ['pool'] as const,
  registers: [registry],
  collect() {
    this.reset();
    eachPool((name, pool) => this.set({ pool: name }, pool.max));
  },
});

/** Reports the pool of `orm` as `pool="<name>"` from now on (the last ORM given a name wins). */
export function observePool(name: string, orm: Orm): void {
  pools.set(name, () => {
    const knex = orm.em.getConnection().getKnex() as unknown as { client: { pool?: Pool } };
    return knex.client.pool;
  });
}
