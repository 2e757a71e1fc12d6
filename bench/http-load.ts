import autocannon from 'autocannon';
import { percentile, round } from './stats.js';
import { bearer } from './gateway-client.js';

/**
 * `connections` clients, each sending its next request when the last one is answered, for `seconds`; at least
 * as long as three answers take under this load (one warm-up round tells), so that slow pages still give a
 * few samples per connection.
 */
export interface LoadOptions {
  connections: number;
  seconds: number;
}

export interface LoadFigures {
  connections: number;
  seconds: number;
  requests: number;
  reqPerSec: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

const figures = (latencies: number[], seconds: number, connections: number): LoadFigures => ({
  connections,
  seconds: round(seconds, 1),
  requests: latencies.length,
  reqPerSec: round(latencies.length / seconds),
  p50Ms: round(percentile(latencies, 50)),
  p95Ms: round(percentile(latencies, 95)),
  p99Ms: round(percentile(latencies, 99)),
});

const measuredSeconds = (options: LoadOptions, warmup: number[]) =>
  Math.max(options.seconds, Math.ceil((3 * percentile(warmup, 50)) / 1000));

function cannon(url: string, token: string, opts: { connections: number; amount?: number; duration?: number }) {
  return new Promise<{ latencies: number[]; seconds: number }>((resolve, reject) => {
    const latencies: number[] = [];
    const start = performance.now();
    let last = start;
    const instance = autocannon({ url, ...opts, timeout: 600, headers: bearer(token) }, (error: unknown, result) => {
      if (error) return reject(error);
      if (result.non2xx || result.errors)
        return reject(new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors under load`));
      resolve({ latencies, seconds: (last - start) / 1000 });
    });
    instance.on('response', (_client, _status, _bytes, ms) => {
      latencies.push(ms);
      last = performance.now();
    });
  });
}

/**
 * GETs `url` under load with autocannon. Requests still in flight when the time is up are not counted, so the
 * rate is the answers over the time until the last one.
 */
export async function httpLoad(url: string, token: string, options: LoadOptions): Promise<LoadFigures> {
  const { connections } = options;
  const warmup = await cannon(url, token, { connections, amount: connections });
  const run = await cannon(url, token, { connections, duration: measuredSeconds(options, warmup.latencies) });
  return figures(run.latencies, run.seconds, connections);
}

/** The same shape of load for an in-process call: `connections` loops calling `once`. */
export async function callLoad(once: () => Promise<unknown>, options: LoadOptions): Promise<LoadFigures> {
  const loop = async (seconds: number, latencies: number[]) => {
    const end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        do {
          const start = performance.now();
          await once();
          latencies.push(performance.now() - start);
        } while (performance.now() < end);
      }),
    );
  };
  const warmup: number[] = [];
  await loop(0, warmup);
  const latencies: number[] = [];
  const start = performance.now();
  await loop(measuredSeconds(options, warmup), latencies);
  return figures(latencies, (performance.now() - start) / 1000, options.connections);
}
