import type pg from 'pg';
import { postBundle } from './gateway-client.js';
import { round, runConcurrently } from './stats.js';
import { chunks, uploadWorkload } from './workload.js';

const RAW_SYSTEM = 'https://bench.example/raw';
const BATCH_SIZE = 1000;

/** A batch Bundle of the workload's entries, as the JSON text a client sends. */
const bundleOf = (work: ReturnType<typeof uploadWorkload>) =>
  JSON.stringify({
    resourceType: 'Bundle',
    type: 'batch',
    entry: work.map((w) => ({ resource: w.resource, request: { method: 'POST', url: 'Observation' } })),
  });

const identifierOf = (w: ReturnType<typeof uploadWorkload>[number]) => ({
  system: RAW_SYSTEM,
  value: w.row.identifier,
});

/**
 * The baseline's statements for the same rows: one multi-row INSERT per table, straight into PostgreSQL (the
 * observations with the copy of their identifiers, as the gateway stores them). Made before they are timed,
 * as the Bundles are.
 */
function rawStatements(chunk: ReturnType<typeof uploadWorkload>) {
  const values: unknown[] = [];
  const tuples = chunk.map((w, i) => {
    values.push(w.row.patientId, JSON.stringify(w.row.omh), w.row.effectiveTime, JSON.stringify([identifierOf(w)]));
    return `($${i * 4 + 1}, 50001, 70002, 'final', $${i * 4 + 2}::jsonb, $${i * 4 + 3}, $${i * 4 + 4}::jsonb)`;
  });
  return {
    observations: {
      text: `insert into observations (subject_patient_id, codeable_concept_id, data_source_id, status, omh, effective_time, identifiers) values ${tuples.join(', ')} returning id`,
      values,
    },
    identifiers: `insert into observation_identifiers (observation_id, system, value) values ${chunk
      .map((_, i) => `($${i * 2 + 1}, '${RAW_SYSTEM}', $${i * 2 + 2})`)
      .join(', ')}`,
    identifierValues: chunk.map((w) => identifierOf(w).value),
  };
}

async function insertRaw(pool: pg.Pool, statements: ReturnType<typeof rawStatements>) {
  const inserted = await pool.query<{ id: string }>(statements.observations);
  await pool.query(
    statements.identifiers,
    inserted.rows.flatMap((row, i) => [row.id, statements.identifierValues[i]]),
  );
}

/**
 * Bundles of 1000 through POST /fhir/r5/ with several clients, vs. raw multi-row INSERTs of the same rows. The
 * two take turns, one round of `concurrency` batches each (in alternating order), and each side's time is the
 * sum of its rounds: this machine's speed drifts by a fifth within minutes, and one long run of each would
 * measure the drift as much as the gateway. Both sides' requests are made before the clock runs (the Bundles'
 * JSON text; the INSERTs' text and parameters), as a load generator sends prepared requests: the client shares
 * the machine's two cores with what it measures.
 */
export async function measureIngest(
  base: string,
  token: string,
  patientIds: number[],
  pool: pg.Pool,
  opts: { batches: number; concurrency: number },
) {
  const runId = `run-${Date.now()}`;
  const work = uploadWorkload(patientIds, opts.batches * BATCH_SIZE, runId);
  const raw = uploadWorkload(patientIds, opts.batches * BATCH_SIZE, `${runId}-raw`);
  const post = (bundle: string) => postBundle(base, token, bundle, BATCH_SIZE);
  const gatewayRounds = chunks(chunks(work, BATCH_SIZE).map(bundleOf), opts.concurrency);
  const rawRounds = chunks(chunks(raw, BATCH_SIZE).map(rawStatements), opts.concurrency);
  // warm-up: as many full bundles as clients, so that every gateway worker has run the upload path hot
  const warmup = chunks(uploadWorkload(patientIds, opts.concurrency * BATCH_SIZE, `${runId}-warmup`), BATCH_SIZE).map(
    bundleOf,
  );
  await runConcurrently(warmup, opts.concurrency, post);
  let gatewaySeconds = 0;
  let rawSeconds = 0;
  for (const [i, bundles] of gatewayRounds.entries()) {
    const gatewayTurn = async () => (gatewaySeconds += await runConcurrently(bundles, opts.concurrency, post));
    const rawTurn = async () =>
      (rawSeconds += await runConcurrently(rawRounds[i]!, opts.concurrency, (statements) =>
        insertRaw(pool, statements),
      ));
    for (const turn of i % 2 ? [rawTurn, gatewayTurn] : [gatewayTurn, rawTurn]) await turn();
  }
  const obsPerSec = round(work.length / gatewaySeconds, 0);
  const baselinePerSec = round(raw.length / rawSeconds, 0);
  return {
    observations: work.length,
    batchSize: BATCH_SIZE,
    concurrency: opts.concurrency,
    rounds: gatewayRounds.length,
    obsPerSec,
    baselinePerSec,
    ratio: round(obsPerSec / baselinePerSec),
  };
}
