import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadAuthSecrets } from '../src/auth/keys.js';
import { fhirAnswer, signToken } from './gateway-client.js';
import { type GatewayProcesses, startGatewayProcesses } from './gateway-processes.js';
import { fhirSearchUrl, weekOfStudy } from './search-case.js';
import { pairedDifference, round, summarize } from './stats.js';

/**
 * `DATABASE_URL=… node dist/bench/ab.js --checkouts <a>:<b> --study <id> [--pages 400] [--warmup 60] [--from … --before …]`:
 * an A/B of two builds of the gateway (each checkout built with `npm run build:server`, e.g. a `git worktree`
 * of the older commit), each as one production worker on the same database, answering the bench's FHIR page
 * in turns (alternating which goes first). Prints each one's (`a`, `b`) p50 and CPU per page (from /proc, so Linux
 * only) and the median of the paired latency differences a − b. Differences of a millisecond are only
 * visible this way: this machine's speed drifts more than that between two runs of the bench.
 */
const { values: args } = parseArgs({
  options: {
    checkouts: { type: 'string' },
    study: { type: 'string' },
    pages: { type: 'string', default: '400' },
    warmup: { type: 'string', default: '60' },
    from: { type: 'string' },
    before: { type: 'string' },
  },
});
const url = process.env.DATABASE_URL;
const checkouts = args.checkouts?.split(':') ?? [];
if (!url || checkouts.length !== 2 || !args.study) {
  throw new Error('usage: DATABASE_URL=… node dist/bench/ab.js --checkouts <a>:<b> --study <id> [--pages N]');
}
for (const name of ['pages', 'warmup'] as const) {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < (name === 'pages' ? 1 : 0)) throw new Error(`--${name} must be a whole number`);
}
const MARY = '10002';

/** User plus system CPU time of a process so far, in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks of 1/100 s
}

async function main() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hxg-ab-'));
  const gateways: GatewayProcesses[] = [];
  try {
    await loadAuthSecrets({ production: false, dataDir });
    for (const checkout of checkouts) {
      gateways.push(await startGatewayProcesses({ databaseUrl: url!, dataDir, workers: 1, checkout }));
    }
    const searchCase = weekOfStudy(Number(args.study));
    if (args.from) searchCase.from = args.from;
    if (args.before) searchCase.before = args.before;
    const sides = await Promise.all(
      gateways.map(async (gateway) => ({
        gateway,
        url: fhirSearchUrl(gateway.base, searchCase),
        token: await signToken(dataDir, gateway.base, MARY),
        ms: [] as number[],
        cpu: 0,
      })),
    );
    const pages = Number(args.pages);
    const warmup = Number(args.warmup);
    for (let i = 0; i < warmup + pages; i++) {
      for (const side of i % 2 ? sides : [...sides].reverse()) {
        const cpu = cpuMs(side.gateway.pid);
        const start = performance.now();
        await fhirAnswer(side.url, side.token);
        if (i < warmup) continue;
        side.ms.push(performance.now() - start);
        side.cpu += cpuMs(side.gateway.pid) - cpu;
      }
    }
    const [a, b] = sides as [(typeof sides)[0], (typeof sides)[0]];
    const figures = (side: typeof a, checkout: string) => ({
      checkout,
      ...summarize(side.ms),
      cpuMsPerPage: round(side.cpu / pages),
    });
    const result = {
      pages,
      a: figures(a, checkouts[0]!),
      b: figures(b, checkouts[1]!),
      pairedDifferenceMs: pairedDifference(a.ms, b.ms),
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
