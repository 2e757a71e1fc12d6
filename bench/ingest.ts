import type pg from 'pg';
import { postBundle } from './gateway-client.js';
import { round, runConcurrently } from './stats.js';
import { chunks, uploadWorkload } from './workload.js';

const batchOf = (work: ReturnType<typeof uploadWorkload>) => ({
  resourceType: 'Bundle',
  type: 'batch',
  entry: work.map((w) => ({ resource: w.resource, request: { method: 'POST', url: 'Observation' } })),
});

/** Bundles of 1000 through POST /fhir/r5/ with several clients, vs. raw multi-row INSERTs of the same rows. */
export async function measureIngest(
  base: string,
  token: string,
  patientIds: number[],
  pool: pg.Pool,
  opts: { batches: number; concurrency: number },
) {
  const runId = `run-${Date.now()}`;
  const work = uploadWorkload(patientIds, opts.batches * 1000, runId);
  const bundles = chunks(work, 1000).map(batchOf);
  const post = (bundle: ReturnType<typeof batchOf>) => postBundle(base, token, bundle, bundle.entry.length);
  // warm-up: as many full bundles as clients, so that every gateway worker has run the upload path hot
  const warmup = chunks(uploadWorkload(patientIds, opts.concurrency * 1000, `${runId}-warmup`), 1000).map(batchOf);
  await runConcurrently(warmup, opts.concurrency, post);
  const gatewaySeconds = await runConcurrently(bundles, opts.concurrency, post);
  const raw = uploadWorkload(patientIds, opts.batches * 1000, `${runId}-raw`);
  const rawSeconds = await runConcurrently(chunks(raw, 1000), opts.concurrency, async (chunk) => {
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
    concurrency: opts.concurrency,
    obsPerSec,
    baselinePerSec,
    ratio: round(obsPerSec / baselinePerSec),
  };
}
