import type pg from 'pg';
import { postBundle } from './gateway-client.js';
import { round, runConcurrently } from './stats.js';
import { chunks, uploadWorkload } from './workload.js';

const RAW_SYSTEM = 'https://bench.example/raw';

const batchOf = (work: ReturnType<typeof uploadWorkload>) => ({
  resourceType: 'Bundle',
  type: 'batch',
  entry: work.map((w) => ({ resource: w.resource, request: { method: 'POST', url: 'Observation' } })),
});

/**
 * The baseline: the same rows as one multi-row INSERT per table, straight into PostgreSQL (the observations
 * with the copy of their identifiers, as the gateway stores them).
 */
async function insertRaw(pool: pg.Pool, chunk: ReturnType<typeof uploadWorkload>) {
  const values: unknown[] = [];
  const identifierOf = (w: (typeof chunk)[number]) => ({ system: RAW_SYSTEM, value: w.row.identifier });
  const tuples = chunk.map((w, i) => {
    values.push(w.row.patientId, JSON.stringify(w.row.omh), w.row.effectiveTime, JSON.stringify([identifierOf(w)]));
    return `($${i * 4 + 1}, 50001, 70002, 'final', $${i * 4 + 2}::jsonb, $${i * 4 + 3}, $${i * 4 + 4}::jsonb)`;
  });
  const inserted = await pool.query(
    `insert into observations (subject_patient_id, codeable_concept_id, data_source_id, status, omh, effective_time, identifiers) values ${tuples.join(', ')} returning id`,
    values,
  );
  const ids: unknown[] = [];
  const idTuples = inserted.rows.map((row: { id: string }, i: number) => {
    ids.push(row.id, identifierOf(chunk[i]!).value);
    return `($${i * 2 + 1}, '${RAW_SYSTEM}', $${i * 2 + 2})`;
  });
  await pool.query(
    `insert into observation_identifiers (observation_id, system, value) values ${idTuples.join(', ')}`,
    ids,
  );
}

/**
 * Bundles of 1000 through POST /fhir/r5/ with several clients, vs. raw multi-row INSERTs of the same rows. The
 * two take turns, one round of `concurrency` batches each (in alternating order), and each side's time is the
 * sum of its rounds: this machine's speed drifts by a fifth within minutes, and one long run of each would
 * measure the drift as much as the gateway.
 */
export async function measureIngest(
  base: string,
  token: string,
  patientIds: number[],
  pool: pg.Pool,
  opts: { batches: number; concurrency: number },
) {
  const runId = `run-${Date.now()}`;
  const work = uploadWorkload(patientIds, opts.batches * 1000, runId);
  const raw = uploadWorkload(patientIds, opts.batches * 1000, `${runId}-raw`);
  const post = (bundle: ReturnType<typeof batchOf>) => postBundle(base, token, bundle, bundle.entry.length);
  // warm-up: as many full bundles as clients, so that every gateway worker has run the upload path hot
  const warmup = chunks(uploadWorkload(patientIds, opts.concurrency * 1000, `${runId}-warmup`), 1000).map(batchOf);
  await runConcurrently(warmup, opts.concurrency, post);
  const gatewayRounds = chunks(chunks(work, 1000).map(batchOf), opts.concurrency);
  const rawRounds = chunks(chunks(raw, 1000), opts.concurrency);
  let gatewaySeconds = 0;
  let rawSeconds = 0;
  for (const [i, bundles] of gatewayRounds.entries()) {
    const gatewayTurn = async () => (gatewaySeconds += await runConcurrently(bundles, opts.concurrency, post));
    const rawTurn = async () =>
      (rawSeconds += await runConcurrently(rawRounds[i]!, opts.concurrency, (chunk) => insertRaw(pool, chunk)));
    for (const turn of i % 2 ? [rawTurn, gatewayTurn] : [gatewayTurn, rawTurn]) await turn();
  }
  const obsPerSec = round(work.length / gatewaySeconds, 0);
  const baselinePerSec = round(raw.length / rawSeconds, 0);
  return {
    observations: work.length,
    batchSize: 1000,
    concurrency: opts.concurrency,
    rounds: gatewayRounds.length,
    obsPerSec,
    baselinePerSec,
    ratio: round(obsPerSec / baselinePerSec),
  };
}
