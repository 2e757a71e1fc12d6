import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadAuthSecrets } from '../src/auth/keys.js';
import { fhirAnswer, signToken } from './gateway-client.js';
import { type GatewayProcesses, startGatewayProcesses } from './gateway-processes.js';
import { fhirSearchUrl, weekOfStudy } from './search-case.js';
import { pairedDifference, percentile, round, summarize } from './stats.js';

/**
 * `DATABASE_URL=… node dist/bench/ab.js --checkouts <a>:<b> --study <id> [--pages 400] [--rounds 4] [--warmup 60] [--from … --before …]`:
 * an A/B of two builds of the gateway (each checkout built with `npm run build:server`, e.g. a `git worktree`
 * of the older commit), each as one production worker on the same database, answering the bench's FHIR page
 * in turns (alternating which goes first). Prints each one's (`a`, `b`) p50 and CPU per page (from /proc, so Linux
 * only) and the median of the paired latency differences a − b. Differences of a millisecond are only
 * visible this way: this machine's speed drifts more than that between two runs of the bench.
 *
 * Each round starts both gateways afresh (the first of them alternating) and answers `--pages` pages: a
 * process keeps a speed of its own for its lifetime, and two processes of the same build differed by up to
 * 0.65 ms (and 2 ms of CPU per page) over 300 pages, so one round cannot tell a millisecond either. And although
 * the start order and the turns' order alternate, an A/A of one build against itself favoured the second place
 * by 0.67-2.15 ms in all of 8 rounds: every other pair of rounds therefore swaps the two builds' places. Use a
 * multiple of 4 rounds; the figures to read are the mean and median of the rounds' paired differences, next to
 * each round's.
 */
const { values: args } = parseArgs({
  options: {
    checkouts: { type: 'string' },
    study: { type: 'string' },
    pages: { type: 'string', default: '400' },
    rounds: { type: 'string', default: '4' },
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
for (const name of ['pages', 'rounds', 'warmup'] as const) {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < (name === 'warmup' ? 0 : 1)) throw new Error(`--${name} must be a whole number`);
}
const MARY = '10002';

/** User plus system CPU time of a process so far, in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks of 1/100 s
}

interface Side {
  checkout: string;
  ms: number[];
  cpu: number;
}

/**
 * One round: both builds started afresh (`placed[first]` first), `pages` pages each in turns after the warm-up;
 * `placed` is `sides` in this round's places, and the differences are always `sides[0]` − `sides[1]`.
 */
async function abRound(dataDir: string, sides: [Side, Side], first: 0 | 1, placed: [Side, Side]) {
  const gateways = new Map<Side, GatewayProcesses>();
  try {
    for (const side of first ? [placed[1], placed[0]] : placed) {
      gateways.set(
        side,
        await startGatewayProcesses({ databaseUrl: url!, dataDir, workers: 1, checkout: side.checkout }),
      );
    }
    const searchCase = weekOfStudy(Number(args.study));
    if (args.from) searchCase.from = args.from;
    if (args.before) searchCase.before = args.before;
    const clients = await Promise.all(
      placed.map(async (side) => {
        const gateway = gateways.get(side)!;
        return {
          side,
          gateway,
          url: fhirSearchUrl(gateway.base, searchCase),
          token: await signToken(dataDir, gateway.base, MARY),
        };
      }),
    );
    const pages = Number(args.pages);
    const warmup = Number(args.warmup);
    const ms: [number[], number[]] = [[], []];
    for (let i = 0; i < warmup + pages; i++) {
      for (const client of i % 2 ? clients : [...clients].reverse()) {
        const cpu = cpuMs(client.gateway.pid);
        const start = performance.now();
        await fhirAnswer(client.url, client.token);
        if (i < warmup) continue;
        ms[sides.indexOf(client.side)]!.push(performance.now() - start);
        client.side.cpu += cpuMs(client.gateway.pid) - cpu;
      }
    }
    sides.forEach((side, k) => side.ms.push(...ms[k]!));
    return pairedDifference(ms[0], ms[1]);
  } finally {
    await Promise.all([...gateways.values()].map((gateway) => gateway.stop()));
  }
}

async function main() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hxg-ab-'));
  try {
    await loadAuthSecrets({ production: false, dataDir });
    const side = (checkout: string): Side => ({ checkout, ms: [], cpu: 0 });
    const sides: [Side, Side] = [side(checkouts[0]!), side(checkouts[1]!)];
    const rounds: number[] = [];
    for (let r = 0; r < Number(args.rounds); r++) {
      // every other pair of rounds swaps the sides' places (see above)
      const placed: [Side, Side] = Math.floor(r / 2) % 2 ? [sides[1], sides[0]] : sides;
      rounds.push(await abRound(dataDir, sides, (r % 2) as 0 | 1, placed));
    }
    const figures = (side: Side) => ({
      checkout: side.checkout,
      ...summarize(side.ms),
      cpuMsPerPage: round(side.cpu / side.ms.length),
    });
    const result = {
      pages: Number(args.pages),
      rounds: rounds.length,
      a: figures(sides[0]),
      b: figures(sides[1]),
      pairedDifferenceMsPerRound: rounds,
      pairedDifferenceMs: round(percentile(rounds, 50)),
      meanPairedDifferenceMs: round(rounds.reduce((sum, d) => sum + d, 0) / rounds.length),
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
