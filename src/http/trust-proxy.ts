import { isIP } from 'node:net';

/**
 * Which peers' X-Forwarded-For/-Proto/-Host count, in Express's `trust proxy` terms: `false` (none), a hop
 * count (the nearest N proxies, whoever they are), or addresses, CIDR ranges and Express's names for ranges.
 */
export type TrustProxy = false | number | string[];

const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrRange(item: string): boolean {
  if (RANGE_NAMES.has(item)) return true;
  const [address, prefix, ...rest] = item.split('/');
  const version = isIP(address ?? '');
  if (!version || rest.length) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (version === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: `loopback` (the default: a proxy on the same machine), `false`, a hop count, or a comma-separated
 * list of addresses, CIDR ranges and `loopback`/`linklocal`/`uniquelocal`. `true` (anyone) is refused: any client
 * could then choose its own address, and with it dodge the per-address limits.
 */
export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = (raw ?? '').trim();
  if (value === '') return ['loopback'];
  if (value === 'false') return false;
  if (value === 'true') {
    throw new Error(
      'TRUST_PROXY=true would believe X-Forwarded-For from anyone: name the proxies (addresses or CIDR ranges) or a hop count',
    );
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10) throw new Error(`TRUST_PROXY: a hop count goes from 0 to 10, got ${value}`);
    return hops === 0 ? false : hops;
  }
  const items = value.split(',').map((item) => item.trim());
  const bad = items.find((item) => !isAddressOrRange(item));
  if (bad !== undefined) {
    throw new Error(
      `TRUST_PROXY: "${bad}" is not an address, a CIDR range (10.0.0.0/8), loopback, linklocal or uniquelocal`,
    );
  }
  return items;
}
