/** Small helpers for timing: run, warm up, take percentiles. */
import { mulberry32 } from '../src/seed/omh-series.js';

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

export interface Timing {
  p50Ms: number;
  p95Ms: number;
  runs: number;
}

export const summarize = (ms: number[]): Timing => ({
  p50Ms: round(percentile(ms, 50)),
  p95Ms: round(percentile(ms, 95)),
  runs: ms.length,
});

/** Up to `runs` timed runs after `warmup`; past `budgetSeconds` of timed runs it stops, after at least 5. */
export interface RunPlan {
  runs: number;
  warmup: number;
  budgetSeconds: number;
}

const MIN_RUNS = 5;

const timedLoop = async (plan: RunPlan, turn: (timed: boolean) => Promise<void>) => {
  for (let i = 0; i < plan.warmup; i++) await turn(false);
  const start = performance.now();
  for (let i = 0; i < plan.runs; i++) {
    if (i >= MIN_RUNS && performance.now() - start > plan.budgetSeconds * 1000) break;
    await turn(true);
  }
};

export async function timeRuns(plan: RunPlan, once: () => Promise<unknown>): Promise<Timing> {
  const ms: number[] = [];
  await timedLoop(plan, async (timed) => {
    const start = performance.now();
    await once();
    if (timed) ms.push(performance.now() - start);
  });
  return summarize(ms);
}

/**
 * Times several variants in turns, each turn in a fresh random order (seeded, so runs repeat), so that drift in
 * the machine's load, and the garbage one variant leaves to whichever runs next, fall on all of them alike. A
 * fixed rotation would not do: it keeps each variant after the same one. Returns the milliseconds of each
 * run, per variant.
 */
export async function timeInterleaved<K extends string>(
  plan: RunPlan,
  variants: Record<K, () => Promise<unknown>>,
): Promise<Record<K, number[]>> {
  const keys = Object.keys(variants) as K[];
  const ms = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  const random = mulberry32(keys.length);
  await timedLoop(plan, async (timed) => {
    for (const key of shuffled(keys, random)) {
      const start = performance.now();
      await variants[key]();
      if (timed) ms[key].push(performance.now() - start);
    }
  });
  return ms;
}

/** Fisher–Yates, on a copy. */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** The median of `compare` over the turns of two interleaved series: steadier under drift than one of medians. */
const pairedMedian = (a: number[], b: number[], compare: (a: number, b: number) => number) =>
  round(
    percentile(
      a.map((ms, i) => compare(ms, b[i]!)),
      50,
    ),
  );

/** The median of the per-turn ratios of two interleaved series. */
export const pairedRatio = (a: number[], b: number[]) => pairedMedian(a, b, (x, y) => x / y);

/** The median of the per-turn differences of two interleaved series. */
export const pairedDifference = (a: number[], b: number[]) => pairedMedian(a, b, (x, y) => x - y);

/** Runs `jobs` with `concurrency` workers; returns the elapsed seconds. */
export async function runConcurrently<T>(jobs: T[], concurrency: number, work: (job: T) => Promise<void>) {
  const queue = [...jobs];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let job = queue.shift(); job !== undefined; job = queue.shift()) await work(job);
    }),
  );
  return (performance.now() - start) / 1000;
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
