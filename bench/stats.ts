/** Small helpers for timing: run, warm up, take percentiles. */
export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

export async function timeRuns(runs: number, warmup: number, once: () => Promise<unknown>) {
  for (let i = 0; i < warmup; i++) await once();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await once();
    ms.push(performance.now() - start);
  }
  return { p50Ms: round(percentile(ms, 50)), p95Ms: round(percentile(ms, 95)), runs };
}

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
