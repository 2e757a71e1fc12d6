import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { measureAuditOverhead } from '../bench/audit-overhead.js';
import { measureBulkExport } from '../bench/bulk-export.js';
import { createAuthOverheadBench } from '../bench/auth-overhead.js';
import { measureDeepQuery } from '../bench/deep-query.js';
import { measureIngest } from '../bench/ingest.js';
import { measureObservationSummary } from '../bench/observation-summary.js';
import { measureRestApi } from '../bench/rest-api.js';
import { measureSearch, measureSearchThroughput } from '../bench/search.js';
import { baselinePage, type SearchCase } from '../bench/search-case.js';
import { sqlCounter } from '../bench/sql-counter.js';
import { createGateway } from '../server.js';
import { loadConfig } from '../src/config.js';
import { createHttpServer } from '../src/http/http-server.js';
import { fillObservations, syntheticStudy } from '../src/seed/synthetic.js';
import { startTestApp, type TestApp } from './support/app.js';
import { tokenFor } from './support/tokens.js';

const statements = sqlCounter();
let app: TestApp;
let pool: pg.Pool;
let searchCase: SearchCase;
let patientIds: number[];
const timing = { runs: 2, warmup: 1, budgetSeconds: Infinity };

beforeAll(async () => {
  app = await startTestApp({}, statements.options);
  const plan = await syntheticStudy(app.db.orm, 3000, 7);
  patientIds = plan.patientIds;
  await fillObservations(app.db.orm, plan, 3000, 7);
  // two hours of readings every 5 minutes from 19 patients: a page of 456
  searchCase = { studyId: plan.studyId, from: '2026-01-01T02:00:00Z', before: '2026-01-01T04:00:00Z' };
  pool = new pg.Pool({ connectionString: app.db.url, max: 2 });
});
afterAll(async () => {
  await pool?.end();
  await app?.close();
});

describe('npm run bench, in small', () => {
  it('times the search page with and without the shield and the policy, on the same page', async () => {
    const bench = await createAuthOverheadBench(app.db.orm, { provider: app.auth.provider, config: app.config });
    const figures = await bench(searchCase, timing);
    expect(figures.rows).toBeGreaterThan(100);
    expect(figures.rows).toBe(await baselinePage(pool, searchCase));
    for (const variant of [figures.shielded, figures.bare, figures.serviceAsViewer, figures.serviceAsSuperuser]) {
      expect(variant.runs).toBe(2);
      expect(variant.p50Ms).toBeGreaterThan(0);
    }
    expect(Number.isFinite(figures.shieldOverheadMs)).toBe(true);
  });

  it('loads the FHIR search page with autocannon next to the bare SQL', async () => {
    const token = await tokenFor(app, 'mary@example.com');
    const figures = await measureSearchThroughput(app.baseUrl, token, pool, searchCase, { connections: 2, seconds: 1 });
    expect(figures.gateway.requests).toBeGreaterThan(0);
    expect(figures.gateway.p95Ms).toBeGreaterThanOrEqual(figures.gateway.p50Ms);
    expect(figures.baseline.requests).toBeGreaterThan(0);
  });

  it('times the FHIR page (with and without the client parse), the GraphQL page and the baseline', async () => {
    const token = await tokenFor(app, 'mary@example.com');
    const figures = await measureSearch(app.baseUrl, token, pool, searchCase, timing);
    expect(figures.rows).toBe(await baselinePage(pool, searchCase));
    for (const variant of [figures.fhir, figures.fhirParsed, figures.graphql, figures.baseline]) {
      expect(variant.runs).toBe(2);
      expect(variant.p50Ms).toBeGreaterThan(0);
    }
    expect(figures.ratio).toBeGreaterThan(0);
    expect(figures.pairedRatio).toBeGreaterThan(0);
  });

  it('times the REST pages (observations, of one code, patients) against the same pages through GraphQL', async () => {
    const token = await tokenFor(app, 'mary@example.com');
    const figures = await measureRestApi(app.baseUrl, token, searchCase.studyId, timing);
    const stored = async (codes: number[]) =>
      Number(
        (
          await pool.query(
            `select count(*) from observations where codeable_concept_id = any($2::int[])
              and subject_patient_id in (select patient_id from study_patients where study_id = $1)`,
            [searchCase.studyId, codes],
          )
        ).rows[0].count,
      );
    // all of the study's readings (consented to, every one of them), and its blood glucose readings
    expect(figures.observations).toMatchObject({ rows: 1000, count: await stored([50001, 50002, 50004]) });
    expect(figures.observationsOfCode).toMatchObject({ rows: 1000, count: await stored([50001]) });
    expect(figures.patients).toMatchObject({ rows: 19, count: 19 });
    for (const variant of Object.values(figures)) {
      expect(variant.rest.runs).toBe(2);
      expect(variant.graphql.runs).toBe(2);
      expect(variant.restBytes).toBeGreaterThan(0);
      expect(variant.graphqlBytes).toBeGreaterThan(0);
      expect(variant.ratio).toBeGreaterThan(0);
      expect(variant.pairedRatio).toBeGreaterThanOrEqual(variant.pairedRatioP10);
      expect(variant.pairedRatioP90).toBeGreaterThanOrEqual(variant.pairedRatio);
      expect(variant.pairedRatioP10).toBeGreaterThan(0);
      expect(Number.isFinite(variant.pairedDifferenceMs)).toBe(true);
    }
  });

  it('times the study’s observationSummary by day, and the MCP tool, against its bare SQL aggregate, of the same rows', async () => {
    const token = await tokenFor(app, 'mary@example.com');
    const figures = await measureObservationSummary(app.baseUrl, token, pool, searchCase.studyId, timing);
    const [{ count }] = (
      await pool.query(
        'select count(*)::int from observations where subject_patient_id in (select patient_id from study_patients where study_id = $1)',
        [searchCase.studyId],
      )
    ).rows;
    expect(figures.observations).toBe(count);
    expect(figures.rows).toBeGreaterThan(0);
    expect(figures.graphql.runs).toBe(2);
    expect(figures.baseline.runs).toBe(2);
    expect(figures.ratio).toBeGreaterThan(0);
    expect(figures.pairedRatio).toBeGreaterThan(0);
    expect(figures.mcp.runs).toBe(2);
    expect(figures.mcpRatio).toBeGreaterThan(0);
  });

  it('exports the study (Bulk Data) and COPYs the same rows, checking both wrote as many lines', async () => {
    const token = await tokenFor(app, 'mary@example.com');
    const gateway = { base: app.baseUrl, pid: process.pid };
    const figures = await measureBulkExport(gateway, token, app.db.url, searchCase.studyId, 1);
    const [{ count }] = (
      await pool.query(
        `select count(*)::int from observations o where (o.subject_patient_id, o.codeable_concept_id) in (
           select sp.patient_id, r.codeable_concept_id from study_patients sp
             join study_scope_requests r on r.study_id = sp.study_id
             join study_patient_scope_consents k on k.study_patient_id = sp.id
              and k.codeable_concept_id = r.codeable_concept_id and k.consented
            where sp.study_id = $1)`,
        [searchCase.studyId],
      )
    ).rows;
    expect(figures.rows).toBe(count);
    expect(figures.runs).toBe(1);
    expect(figures.ratioToCopy).toBeGreaterThan(0);
    expect(figures.downloadMiB).toBeGreaterThan(0);
    expect(figures.rss.peakExportMiB).toBeGreaterThan(0);
  });

  it('counts the SQL statements of the deep portal query', async () => {
    const token = await tokenFor(app, 'mary@example.com');
    const figures = await measureDeepQuery(app.baseUrl, token, statements, timing);
    expect(figures.sqlStatements).toBeGreaterThan(5);
    expect(figures.sqlStatements).toBeLessThanOrEqual(20);
    expect(figures.runs).toBe(2);
  });

  it('uploads Bundles in rounds that take turns with the raw INSERTs, and stores every row of both', async () => {
    const token = await tokenFor(app, 'mary@example.com');
    const count = async (system: string) =>
      Number(
        (await pool.query('select count(*) from observation_identifiers where system = $1', [system])).rows[0].count,
      );
    const [uploaded, inserted] = [await count('https://bench.example/ids'), await count('https://bench.example/raw')];
    const figures = await measureIngest(app.baseUrl, token, patientIds, pool, { batches: 3, concurrency: 2 });
    expect(figures).toMatchObject({ observations: 3000, batchSize: 1000, rounds: 2 });
    expect(figures.obsPerSec).toBeGreaterThan(0);
    expect(figures.ratio).toBe(Math.round((figures.obsPerSec / figures.baselinePerSec) * 100) / 100);
    // the warm-up's two Bundles, then the measured three
    expect(await count('https://bench.example/ids')).toBe(uploaded + 5000);
    expect(await count('https://bench.example/raw')).toBe(inserted + 3000);
  });

  it('compares the search page and ingest with the audit trail on and off, in one run', async () => {
    // a second gateway on the same database, alike but for AUDIT_BENCH_DISABLE (same keys, same issuer)
    const offConfig = loadConfig({
      PORT: '0',
      PUBLIC_URL: app.baseUrl,
      DATA_DIR: app.config.dataDir,
      AUDIT_BENCH_DISABLE: '1',
    });
    const off = await createGateway(offConfig, app.db.orm);
    const server: Server = await new Promise((resolve) => {
      const s = createHttpServer(off.app, offConfig.timeouts).listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const offBase = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const token = await tokenFor(app, 'mary@example.com');
      const figures = await measureAuditOverhead(
        { base: app.baseUrl, token },
        { base: offBase, token },
        searchCase,
        patientIds,
        { timing, batches: 2, concurrency: 1 },
      );
      expect(figures.search.audited.runs).toBe(2);
      expect(figures.search.unaudited.runs).toBe(2);
      expect(figures.search.latencyPairedRatio).toBeGreaterThan(0);
      expect(figures.ingest.observations).toBe(2000);
      expect(figures.ingest.throughputRatio).toBeGreaterThan(0);

      // the `off` gateway records nothing; the audited one does
      const requestId = randomUUID();
      for (const base of [offBase, app.baseUrl]) {
        const response = await fetch(`${base}/fhir/r5/Patient/40001`, {
          headers: { authorization: `Bearer ${token}`, 'x-request-id': requestId },
        });
        expect(response.status).toBe(200);
      }
      await app.audit.flush();
      const recorded = await pool.query('select count(*)::int as n from audit_events where request_id = $1', [
        requestId,
      ]);
      expect(recorded.rows[0].n).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await off.close();
    }
  });

  it('runs an A/B of two builds (here the same one twice) on the same page, in turns, in rounds of fresh gateways, swapping their places', async () => {
    const { from, before, studyId } = searchCase;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        'dist/bench/ab.js',
        '--checkouts',
        '.:.',
        '--study',
        String(studyId),
        '--from',
        from,
        '--before',
        before,
        '--pages',
        '3',
        '--rounds',
        '4',
        '--warmup',
        '2',
      ],
      { env: { ...process.env, DATABASE_URL: app.db.url } },
    );
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ pages: 3, rounds: 4 });
    for (const side of [result.a, result.b]) {
      // CPU comes in ticks of 10 ms: a few pages may show none
      expect(side).toMatchObject({ checkout: '.', runs: 12, p50Ms: expect.any(Number) });
      expect(side.cpuMsPerPage).toBeGreaterThanOrEqual(0);
    }
    expect(result.pairedDifferenceMsPerRound).toHaveLength(4);
    expect(Number.isFinite(result.pairedDifferenceMs)).toBe(true);
    expect(Number.isFinite(result.meanPairedDifferenceMs)).toBe(true);
  }, 120_000); // four rounds of two gateways started afresh
});
