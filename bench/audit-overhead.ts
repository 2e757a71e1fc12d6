import { fhirAnswer, postBundle } from './gateway-client.js';
import { fhirSearchUrl, type SearchCase } from './search-case.js';
import { pairedRatio, round, type RunPlan, runConcurrently, summarize, timeInterleaved } from './stats.js';
import { chunks, uploadWorkload } from './workload.js';

const BATCH_SIZE = 1000;

export interface AuditedGateway {
  base: string;
  token: string;
}

const bundleOf = (work: ReturnType<typeof uploadWorkload>) =>
  JSON.stringify({
    resourceType: 'Bundle',
    type: 'batch',
    entry: work.map((w) => ({ resource: w.resource, request: { method: 'POST', url: 'Observation' } })),
  });

/**
 * What the audit trail costs, measured in one run on two gateways alike but for it: `on` records every access,
 * `off` runs with AUDIT_BENCH_DISABLE (which production refuses). The FHIR search page is timed on both in
 * turns (paired ratio of latencies, audited over not: target ≤ 1.05); ingest posts Bundles of 1000 in
 * alternating rounds, each side's time the sum of its rounds (ratio of throughputs, audited over not: target
 * ≥ 0.95). Both sides' Bundles are made before the clock runs.
 */
export async function measureAuditOverhead(
  on: AuditedGateway,
  off: AuditedGateway,
  c: SearchCase,
  patientIds: number[],
  opts: { timing: RunPlan; batches: number; concurrency: number },
) {
  const ms = await timeInterleaved(opts.timing, {
    on: () => fhirAnswer(fhirSearchUrl(on.base, c), on.token),
    off: () => fhirAnswer(fhirSearchUrl(off.base, c), off.token),
  });
  const runId = `audit-${Date.now()}`;
  const rounds = (side: string) =>
    chunks(
      chunks(uploadWorkload(patientIds, opts.batches * BATCH_SIZE, `${runId}-${side}`), BATCH_SIZE).map(bundleOf),
      opts.concurrency,
    );
  const warmup = (side: AuditedGateway, name: string) =>
    runConcurrently(
      chunks(uploadWorkload(patientIds, opts.concurrency * BATCH_SIZE, `${runId}-${name}-warmup`), BATCH_SIZE).map(
        bundleOf,
      ),
      opts.concurrency,
      (bundle) => postBundle(side.base, side.token, bundle, BATCH_SIZE),
    );
  await warmup(on, 'on');
  await warmup(off, 'off');
  const onRounds = rounds('on');
  const offRounds = rounds('off');
  const seconds = { on: 0, off: 0 };
  for (const [i, onBundles] of onRounds.entries()) {
    const turn = (name: 'on' | 'off', side: AuditedGateway, bundles: string[]) => async () => {
      seconds[name] += await runConcurrently(bundles, opts.concurrency, (bundle) =>
        postBundle(side.base, side.token, bundle, BATCH_SIZE),
      );
    };
    const turns = [turn('on', on, onBundles), turn('off', off, offRounds[i]!)];
    for (const run of i % 2 ? turns.reverse() : turns) await run();
  }
  const observations = opts.batches * BATCH_SIZE;
  const onPerSec = round(observations / seconds.on, 0);
  const offPerSec = round(observations / seconds.off, 0);
  return {
    search: {
      audited: summarize(ms.on),
      unaudited: summarize(ms.off),
      /** the median of each turn's audited / unaudited latency (target ≤ 1.05) */
      latencyPairedRatio: pairedRatio(ms.on, ms.off),
    },
    ingest: {
      observations,
      audited: { obsPerSec: onPerSec },
      unaudited: { obsPerSec: offPerSec },
      /** audited throughput / unaudited (target ≥ 0.95) */
      throughputRatio: round(onPerSec / offPerSec),
    },
  };
}
