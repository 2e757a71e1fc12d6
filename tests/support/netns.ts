import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/** A network namespace joined to this machine by a veth pair: a host of its own, reachable only from here. */
export interface Namespace {
  name: string;
  /** its address, inside the namespace */
  address: string;
  /** the host end's address: what the namespace reaches this machine at */
  hostAddress: string;
  /** the command prefix that runs a program inside it */
  exec: string[];
}

/** Why network namespaces cannot be made here (not root, no `ip`, not permitted), or undefined when they can. */
export function namespacesUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const probe = `hxgp${randomBytes(4).toString('hex')}`;
  try {
    ip('netns', 'add', probe);
    try {
      // running a program inside needs more than making the namespace (it mounts a /sys of its own)
      execFileSync('ip', ['netns', 'exec', probe, 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'pipe' });
    } finally {
      ip('netns', 'delete', probe);
    }
    return undefined;
  } catch (error) {
    const { stderr, message } = error as Error & { stderr?: Buffer };
    const why = stderr?.toString().trim() || message.split('\n')[0];
    return `ip netns is not available or not permitted here (${why})`;
  }
}

/**
 * Makes `count` namespaces, each on a /30 of its own in 10.231.<random>.0/24 (host end .1, namespace .2, then
 * .5/.6, …), with names unique to this run. `remove()` deletes them and their veths, whatever was made.
 */
export function createNamespaces(count: number): { namespaces: Namespace[]; subnet: string; remove(): void } {
  const run = randomBytes(3).toString('hex');
  const octet = randomInt(256);
  const made: string[][] = [];
  const remove = () => {
    // a veth pair goes with either end; the namespace goes last
    for (const args of made.reverse()) {
      try {
        ip(...args);
      } catch {
        // already gone
      }
    }
    made.length = 0;
  };
  try {
    const namespaces = Array.from({ length: count }, (_, i): Namespace => {
      const name = `hxg-${run}-${i}`;
      const [host, inside] = [`hxh${run}${i}`, `hxn${run}${i}`];
      const base = i * 4;
      const hostAddress = `10.231.${octet}.${base + 1}`;
      const address = `10.231.${octet}.${base + 2}`;
      ip('netns', 'add', name);
      made.push(['netns', 'delete', name]);
      ip('link', 'add', host, 'type', 'veth', 'peer', 'name', inside);
      made.push(['link', 'delete', host]);
      ip('link', 'set', inside, 'netns', name);
      ip('addr', 'add', `${hostAddress}/30`, 'dev', host);
      ip('link', 'set', host, 'up');
      const exec = ['ip', 'netns', 'exec', name];
      const inNs = (...args: string[]) => execFileSync(exec[0]!, [...exec.slice(1), 'ip', ...args]);
      inNs('addr', 'add', `${address}/30`, 'dev', inside);
      inNs('link', 'set', inside, 'up');
      inNs('link', 'set', 'lo', 'up');
      return { name, address, hostAddress, exec };
    });
    return { namespaces, subnet: `10.231.${octet}.0/24`, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
