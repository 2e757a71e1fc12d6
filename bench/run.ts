import 'reflect-metadata';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { importJWK, SignJWT } from 'jose';
import pg from 'pg';
import { createGateway } from '../server.js';
import { loadConfig } from '../src/config.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { migrate, openOrm } from '../src/db/orm.js';
import { seedDemo } from '../src/seed/demo.js';
import { parseSize } from '../src/seed/size.js';
import { fillObservations, syntheticStudy } from '../src/seed/synthetic.js';
import { startGatewayProcesses } from './gateway-processes.js';
import { round, runConcurrently, timeRuns } from './stats.js';
import { chunks, uploadWorkload } from './workload.js';

/**
 * `npm run bench [-- --size 100k] [--sizes 100k,1M,10M]`: the gateway on a real PostgreSQL (embedded, or
 * DATABASE_URL), each figure next to a baseline measured in the same run, written to bench/results.json.
 */
const { values: args } = parseArgs({
  options: {
    size: { type: 'string' },
    sizes: { type: 'string', default: '100k,1M' },
    concurrency: { type: 'string', default: '4' },
    batches: { type: 'string', default: '20' },
    runs: { type: 'string', default: '30' },
  },
});
const sizes = (args.size ?? args.sizes).split(',').map(parseSize);
const concurrency = Number(args.concurrency);
const log = (line: string) => console.error(`[bench] ${line}`);

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
  let statements = 0;
  const orm = await openOrm(url, {
    debug: ['query'],
    colors: false,
    logger: (m: string) => {
      if (m.startsWith('[query]')) statements++;
    },
    pool: { min: 2, max: 20 },
  });
  await migrate(orm);
  await seedDemo(orm);
  const port = 18000 + (process.pid % 1000);
  const config = loadConfig({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    SEED: 'none',
  });
  const { app } = await createGateway(config, orm);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  const token = await signToken(dataDir, config.publicUrl, '10002'); // mary, manager of BIDS
  const pool = new pg.Pool({ connectionString: url, max: concurrency });
  const results: Record<string, unknown> = {
    machine: {
      cores: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
    },
    sizes: [] as unknown[],
  };
  try {
    for (const size of sizes) {
      log(`generating ${size} observations`);
      const plan = await syntheticStudy(orm, size, 1);
      await fillObservations(orm, plan, size, 1);
      await pool.query('vacuum analyze observations');
      const search = await measureSearch(config.publicUrl, token, plan.studyId, pool, size);
      statements = 0;
      await graphql(config.publicUrl, token, DEEP);
      const figures = { rows: size, search, graphqlStatements: statements };
      log(JSON.stringify(figures));
      (results.sizes as unknown[]).push(figures);
    }
    const plan = await syntheticStudy(orm, sizes[0]!, 1);
    const gateways = await startGatewayProcesses({ databaseUrl: url, dataDir, workers: os.availableParallelism() });
    try {
      const gatewayToken = await signToken(dataDir, gateways.base, '10002');
      const ingest = await measureIngest(gateways.base, gatewayToken, plan.patientIds, pool);
      results.ingest = { ...ingest, gatewayWorkers: gateways.workers };
    } finally {
      await gateways.stop();
    }
    log(JSON.stringify(results.ingest));
  } finally {
    await pool.end();
    server.closeAllConnections();
    server.close();
    await orm.close();
    await stopDatabase();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const bySize = results.sizes as {
    rows: number;
    search: { fhir: { p50Ms: number }; baseline: { p50Ms: number }; graphql: { p50Ms: number } };
    graphqlStatements: number;
  }[];
  const first = bySize[0]!;
  const largest = bySize.find((s) => s.rows === 1_000_000) ?? bySize.at(-1)!;
  const summary = {
    machine: results.machine,
    ingest: results.ingest,
    search: {
      p50Ms: first.search.fhir.p50Ms,
      baselineP50Ms: first.search.baseline.p50Ms,
      ratio: round(first.search.fhir.p50Ms / first.search.baseline.p50Ms),
      graphqlP50Ms: first.search.graphql.p50Ms,
      scaleRatio1Mto100k: bySize.length > 1 ? round(largest.search.fhir.p50Ms / first.search.fhir.p50Ms) : null,
    },
    graphql: { sqlStatements: Object.fromEntries(bySize.map((s) => [String(s.rows), s.graphqlStatements])) },
    details: results.sizes,
    measuredAt: new Date().toISOString(),
  };
  mkdirSync('bench', { recursive: true });
  writeFileSync('bench/results.json', `${JSON.stringify(summary, null, 2)}\n`);
  console.log(JSON.stringify(summary, null, 2));
}

/** A gateway access token for a seeded user, signed with the development key the gateway generated. */
async function signToken(dataDir: string, publicUrl: string, sub: string) {
  const { signingKey } = JSON.parse(readFileSync(path.join(dataDir, 'oidc-secrets.json'), 'utf8'));
  return new SignJWT({ sub, scope: 'user/*.rs', client_id: 'bench' })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: signingKey.kid })
    .setIssuer(`${publicUrl}/o`)
    .setAudience(`${publicUrl}/`)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(await importJWK(signingKey, 'RS256'));
}

const DEEP = `{ organizations { id studies(first: 10) { totalCount nodes { id scopeRequests { id } patients(first: 100) {
  totalCount nodes { id identifiers { value } consents { studies { study { id } } } observations(first: 1) { totalCount } } } } } } }`;

async function graphql(base: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`);
  return body;
}

/** One page of 1000 by study + code + a week, through FHIR, GraphQL, and the bare SQL + JSON. */
async function measureSearch(base: string, token: string, studyId: number, pool: pg.Pool, rows: number) {
  const from = '2026-01-03T00:00:00Z';
  const before = '2026-01-10T00:00:00Z';
  const fhirUrl = `${base}/fhir/r5/Observation?patient._has:Group:member:_id=${studyId}&code=${encodeURIComponent('https://w3id.org/openmhealth|omh:blood-glucose:4.0')}&date=ge${from}&date=lt${before}&_count=1000`;
  const runs = Number(args.runs);
  const fhir = await timeRuns(runs, 5, async () => {
    const response = await fetch(fhirUrl, { headers: { authorization: `Bearer ${token}` } });
    const bundle = (await response.json()) as { entry: unknown[] };
    if (bundle.entry.length !== 1000) throw new Error(`expected a full page, got ${bundle.entry.length}`);
  });
  const query = `query ($filter: ObservationFilter!) { observations(filter: $filter, first: 1000) { nodes { id effectiveTime subject { id } omh } pageInfo { endCursor } } }`;
  const filter = {
    studyId: String(studyId),
    code: { system: 'https://w3id.org/openmhealth', code: 'omh:blood-glucose:4.0' },
    from,
    before,
  };
  const graphqlTimes = await timeRuns(runs, 5, () => graphql(base, token, query, { filter }));
  const baseline = await timeRuns(runs, 5, async () => {
    const result = await pool.query(
      `select o.* from observations o
        where o.subject_patient_id in (select patient_id from study_patients where study_id = $1)
          and o.codeable_concept_id = 50001 and o.effective_time >= $2 and o.effective_time < $3
        order by o.id limit 1000`,
      [studyId, from, before],
    );
    JSON.stringify(result.rows);
  });
  return { rows, fhir, graphql: graphqlTimes, baseline, ratio: round(fhir.p50Ms / baseline.p50Ms) };
}

/** Bundles of 1000 through POST /fhir/r5/ with several clients, vs. raw multi-row INSERTs of the same rows. */
async function measureIngest(base: string, token: string, patientIds: number[], pool: pg.Pool) {
  const batches = Number(args.batches);
  const runId = `run-${Date.now()}`;
  const work = uploadWorkload(patientIds, batches * 1000, runId);
  const bundles = chunks(work, 1000).map((chunk) => ({
    resourceType: 'Bundle',
    type: 'batch',
    entry: chunk.map((w) => ({ resource: w.resource, request: { method: 'POST', url: 'Observation' } })),
  }));
  const warmup = uploadWorkload(patientIds, 100, `${runId}-warmup`);
  await postBundle(
    base,
    token,
    {
      resourceType: 'Bundle',
      type: 'batch',
      entry: warmup.map((w) => ({ resource: w.resource, request: { method: 'POST', url: 'Observation' } })),
    },
    100,
  );
  const gatewaySeconds = await runConcurrently(bundles.slice(0), concurrency, async (bundle) => {
    await postBundle(base, token, bundle, bundle.entry.length);
  });
  const raw = uploadWorkload(patientIds, batches * 1000, `${runId}-raw`);
  const rawSeconds = await runConcurrently(chunks(raw, 1000), concurrency, async (chunk) => {
    const values: unknown[] = [];
    const tuples = chunk.map((w, i) => {
      values.push(w.row.patientId, JSON.stringify(w.row.omh), w.row.effectiveTime);
      return `($${i * 3 + 1}, 50001, 70002, 'final', $${i * 3 + 2}::jsonb, $${i * 3 + 3})`;
    });
    const inserted = await pool.query(
      `insert into observations (subject_patient_id, codeable_concept_id, data_source_id, status, omh, effective_time) values ${tuples.join(', ')} returning id`,
      values,
    );
    const ids: unknown[] = [];
    const idTuples = inserted.rows.map((row: { id: string }, i: number) => {
      ids.push(row.id, chunk[i]!.row.identifier);
      return `($${i * 2 + 1}, 'https://bench.example/raw', $${i * 2 + 2})`;
    });
    await pool.query(
      `insert into observation_identifiers (observation_id, system, value) values ${idTuples.join(', ')}`,
      ids,
    );
  });
  const obsPerSec = round(work.length / gatewaySeconds, 0);
  const baselinePerSec = round(raw.length / rawSeconds, 0);
  return {
    observations: work.length,
    batchSize: 1000,
    concurrency,
    obsPerSec,
    baselinePerSec,
    ratio: round(obsPerSec / baselinePerSec),
  };
}

async function postBundle(base: string, token: string, bundle: object, expected: number) {
  const response = await fetch(`${base}/fhir/r5/`, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` },
    body: JSON.stringify(bundle),
  });
  const body = (await response.json()) as { entry?: { response: { status: string } }[] };
  const created = body.entry?.filter((e) => e.response.status === '201').length ?? 0;
  if (created !== expected)
    throw new Error(`upload: ${created} of ${expected} created: ${JSON.stringify(body).slice(0, 500)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
