import 'reflect-metadata';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createGateway } from '../server.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/observability/logger.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { migrate, type Orm, openOrm } from '../src/db/orm.js';
import { seedDemo } from '../src/seed/demo.js';
import { parseSize } from '../src/seed/size.js';
import { fillObservations, syntheticStudy } from '../src/seed/synthetic.js';
import { measureAuditOverhead } from './audit-overhead.js';
import { measureBulkExport } from './bulk-export.js';
import { createAuthOverheadBench } from './auth-overhead.js';
import { measureDeepQuery } from './deep-query.js';
import { type GatewayProcesses, startGatewayProcesses } from './gateway-processes.js';
import { signToken } from './gateway-client.js';
import { measureIngest } from './ingest.js';
import { measureObservationSummary } from './observation-summary.js';
import { measureRestApi } from './rest-api.js';
import { measureSearch, measureSearchThroughput } from './search.js';
import { sqlCounter } from './sql-counter.js';
import { PAGE_SIZE, type SearchCase, weekOfStudy } from './search-case.js';
import { round, type RunPlan } from './stats.js';
import { type IngestFigures, type LateStudyFigures, type SizeFigures, summarize } from './summary.js';

/**
 * `npm run bench [-- --size 100k] [--sizes 100k,1M,10M] [--runs 10] [--smoke]`: the gateway on a real
 * PostgreSQL (embedded, or DATABASE_URL), each figure next to a baseline measured in the same run, written to
 * bench/results.json. Without `--runs`, each latency series takes up to 60 runs within about 40 s (at least 5),
 * so that one size fits in a few minutes; `--runs N` takes exactly N. `--smoke` is a quick check that every
 * measurement works (20k rows, 3 runs, short loads); it prints its figures but does not write them.
 * `--only bulk-export` measures the study's Bulk Data export alone (bench/bulk-export.ts).
 */
const { values: args } = parseArgs({
  options: {
    size: { type: 'string' },
    sizes: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    batches: { type: 'string' },
    runs: { type: 'string' },
    connections: { type: 'string', default: '4' },
    'load-seconds': { type: 'string' },
    smoke: { type: 'boolean', default: false },
    /** `bulk-export`: that measurement alone, at each size; its figures replace results.json's `bulkExport` */
    only: { type: 'string' },
  },
});
const smoke = args.smoke;
const sizes = (args.size ?? args.sizes ?? (smoke ? '20k' : '100k,1M')).split(',').map(parseSize);
const concurrency = Number(args.concurrency);
const timing: RunPlan = args.runs
  ? { runs: Number(args.runs), warmup: 10, budgetSeconds: Infinity }
  : { runs: smoke ? 3 : 60, warmup: smoke ? 1 : 10, budgetSeconds: 40 };
const batches = Number(args.batches ?? (smoke ? 2 : 40));
const load = {
  connections: Number(args.connections),
  seconds: Number(args['load-seconds'] ?? (smoke ? 2 : 10)),
};
const MARY = '10002'; // manager of BIDS
const LATE_STUDY_ROWS = 40_000;
/** the export's gateway runs with its old generation capped at this (flat memory, by construction) */
const EXPORT_HEAP_MIB = Number(process.env.BENCH_EXPORT_HEAP_MIB ?? 384);
const started = performance.now();
const log = (line: string) => console.error(`[bench ${round((performance.now() - started) / 1000, 0)}s] ${line}`);

/** Runs a measurement against gateway workers started for it, stopped after it. */
type WithGateways = <T>(measure: (gateways: GatewayProcesses, token: string) => Promise<T>) => Promise<T>;

async function main() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hxg-bench-'));
  chmodSync(dataDir, 0o755);
  let url = process.env.DATABASE_URL;
  let stopDatabase = async () => {};
  if (!url) {
    const db = await startEmbeddedPostgres({
      dir: path.join(dataDir, 'pg'),
      port: 54400 + (process.pid % 500),
      database: 'bench',
    });
    url = db.url;
    stopDatabase = db.stop;
  }
  const statements = sqlCounter();
  const orm = await openOrm(url, { ...statements.options, pool: { min: 2, max: 20 } });
  await migrate(orm);
  await seedDemo(orm, 'http://localhost:3000');
  const port = 18000 + (process.pid % 1000);
  const config = loadConfig({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    SEED: 'none',
  });
  // the bench's own requests are not worth a log line each; warnings and errors still show
  const gateway = await createGateway(config, orm, { log: createLogger({ level: 'warn', format: 'json' }) });
  const { app, auth } = gateway;
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  const token = await signToken(dataDir, config.publicUrl, MARY);
  const pool = new pg.Pool({ connectionString: url, max: Math.max(concurrency, load.connections) });
  const authOverhead = await createAuthOverheadBench(orm, { provider: auth.provider, config });
  /**
   * Each size, the late study and ingest are measured on gateway workers started for them, so that the sizes'
   * figures differ by the data alone: workers that had served the previous size and then idled through this
   * size's generation answered their first hundred pages or so slower (README, "Fresh gateway workers").
   */
  const withGateways: WithGateways = async (measure) => {
    const gateways = await startGatewayProcesses({ databaseUrl: url, dataDir, workers: os.availableParallelism() });
    try {
      return await measure(gateways, await signToken(dataDir, gateways.base, MARY));
    } finally {
      await gateways.stop();
    }
  };
  /**
   * The study's Bulk Data export against COPY, on one gateway process whose old generation is capped at
   * EXPORT_HEAP_MIB: an export that held its file, or a share of it, in memory would fail at 1M rows (1 GiB of
   * NDJSON) instead of finishing.
   */
  const measureExportOf = async (size: number, studyId: number) => {
    log(`${size}: bulk export against COPY (heap capped at ${EXPORT_HEAP_MIB} MiB)`);
    const gateways = await startGatewayProcesses({
      databaseUrl: url,
      dataDir,
      workers: 1,
      env: { NODE_OPTIONS: `--max-old-space-size=${EXPORT_HEAP_MIB}` },
    });
    try {
      const token = await signToken(dataDir, gateways.base, MARY);
      const measured = await measureBulkExport(gateways, token, url, studyId, smoke ? 1 : 3);
      const exportFigures = { ...measured, heapCapMiB: EXPORT_HEAP_MIB };
      log(JSON.stringify(exportFigures));
      return exportFigures;
    } finally {
      await gateways.stop();
    }
  };
  const machine = {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
  };
  const figures: SizeFigures[] = [];
  let ingest: IngestFigures;
  let lateStudy: LateStudyFigures;
  let auditTrail: Awaited<ReturnType<typeof measureAuditTrail>>;
  let firstStudyId = 0;
  const bulkExport: (Awaited<ReturnType<typeof measureBulkExport>> & { heapCapMiB: number })[] = [];
  try {
    for (const size of sizes) {
      if (args.only === 'bulk-export') {
        log(`generating ${size} observations`);
        const plan = await syntheticStudy(orm, size, 1);
        await fillObservations(orm, plan, size, 1);
        bulkExport.push(await measureExportOf(size, plan.studyId));
        continue;
      }
      log(`generating ${size} observations`);
      const plan = await syntheticStudy(orm, size, 1);
      await fillObservations(orm, plan, size, 1);
      const searchCase = weekOfStudy(plan.studyId);
      if (firstStudyId === 0) firstStudyId = plan.studyId;
      const { search, throughput, restApi, observationSummary } = await withGateways(async (gateways, gatewayToken) => {
        log(`${size}: search latency`);
        const search = await measureSearch(gateways.base, gatewayToken, pool, searchCase, timing);
        if (search.rows !== PAGE_SIZE) throw new Error(`the measured page holds ${search.rows} rows, not ${PAGE_SIZE}`);
        log(`${size}: search throughput`);
        const throughput = await measureSearchThroughput(gateways.base, gatewayToken, pool, searchCase, load);
        log(`${size}: REST API against GraphQL`);
        const restApi = await measureRestApi(gateways.base, gatewayToken, plan.studyId, timing);
        log(`${size}: observationSummary of the study by day against its bare SQL`);
        const observationSummary = await measureObservationSummary(
          gateways.base,
          gatewayToken,
          pool,
          plan.studyId,
          timing,
        );
        return { search, throughput: { ...throughput, gatewayWorkers: gateways.workers }, restApi, observationSummary };
      });
      log(`${size}: auth overhead`);
      const overhead = await authOverhead(searchCase, timing);
      log(`${size}: deep GraphQL query`);
      const deepQuery = await measureDeepQuery(config.publicUrl, token, statements, timing);
      const sizeFigures: SizeFigures = {
        rows: size,
        search,
        throughput,
        restApi,
        observationSummary,
        authOverhead: overhead,
        deepQuery,
      };
      log(JSON.stringify(sizeFigures));
      figures.push(sizeFigures);
      bulkExport.push(await measureExportOf(size, plan.studyId));
    }
    if (args.only === 'bulk-export') return writeBulkExport(bulkExport);
    lateStudy = await measureLateStudy(orm, pool, withGateways);
    log(JSON.stringify(lateStudy));
    const plan = await syntheticStudy(orm, sizes[0]!, 1);
    log('ingest');
    ingest = await withGateways(async (gateways, gatewayToken) => ({
      ...(await measureIngest(gateways.base, gatewayToken, plan.patientIds, pool, { batches, concurrency })),
      gatewayWorkers: gateways.workers,
    }));
    log(JSON.stringify(ingest));
    log('the audit trail: on vs off');
    auditTrail = await measureAuditTrail(url, dataDir, weekOfStudy(firstStudyId), plan.patientIds);
    log(JSON.stringify(auditTrail));
  } finally {
    await pool.end();
    server.closeAllConnections();
    server.close();
    await gateway.close(); // its job queue's timers would keep the process alive
    await orm.close();
    await stopDatabase();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const summary = { ...summarize(machine, ingest, figures, lateStudy), auditTrail, bulkExport };
  if (!smoke) {
    mkdirSync('bench', { recursive: true });
    writeFileSync('bench/results.json', `${JSON.stringify(summary, null, 2)}\n`);
  }
  console.log(JSON.stringify(summary, null, 2));
}

/** The export's figures, by size, into results.json beside the others (which this run did not measure). */
function writeBulkExport(figures: unknown[]) {
  console.log(JSON.stringify(figures, null, 2));
  if (smoke) return;
  const results = JSON.parse(readFileSync('bench/results.json', 'utf8')) as Record<string, unknown>;
  writeFileSync('bench/results.json', `${JSON.stringify({ ...results, bulkExport: figures }, null, 2)}\n`);
}

/**
 * A second, small study stored after the measured one (seed 2), searched the same way: its matches come after
 * every other row in id order, which a page that walked the id index read past (2.9 s in bench/PLANS.md before
 * lists were ordered by patient); kept so that any plan of that kind shows. Its page may hold fewer than 1000
 * rows.
 */
async function measureLateStudy(orm: Orm, pool: pg.Pool, withGateways: WithGateways): Promise<LateStudyFigures> {
  const [{ n }] = (await pool.query('select count(*)::int as n from observations')).rows as [{ n: number }];
  const rows = smoke ? 2000 : LATE_STUDY_ROWS;
  log(`a study of ${rows} observations stored after ${n}`);
  const plan = await syntheticStudy(orm, rows, 2);
  await fillObservations(orm, plan, rows, 2);
  // its first week, where every size of it has readings
  const firstWeek = { studyId: plan.studyId, from: '2026-01-01T00:00:00Z', before: '2026-01-08T00:00:00Z' };
  const search = await withGateways((gateways, token) => measureSearch(gateways.base, token, pool, firstWeek, timing));
  return { rowsBefore: n, rows, search };
}

/**
 * The audit trail's cost: two gateways of one worker each on this database, alike but for AUDIT_BENCH_DISABLE on
 * one, both without NODE_ENV=production (which refuses that setting), measured against each other in turns.
 */
async function measureAuditTrail(databaseUrl: string, dataDir: string, searchCase: SearchCase, patientIds: number[]) {
  const start = (env: Record<string, string>) =>
    startGatewayProcesses({ databaseUrl, dataDir, workers: 1, production: false, env });
  const on = await start({});
  const off = await start({ AUDIT_BENCH_DISABLE: '1' });
  try {
    return await measureAuditOverhead(
      { base: on.base, token: await signToken(dataDir, on.base, MARY) },
      { base: off.base, token: await signToken(dataDir, off.base, MARY) },
      searchCase,
      patientIds,
      { timing, batches: Math.max(2, Math.round(batches / 2)), concurrency },
    );
  } finally {
    await Promise.all([on.stop(), off.stop()]);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
