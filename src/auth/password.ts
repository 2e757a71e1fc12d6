import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** scrypt parameters for new hashes (N=2^15, r=8, p=1: 32 MiB and tens of milliseconds per hash). */
const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

/** Bounds for parameters read back from stored hashes, so a corrupted row cannot exhaust memory or CPU. */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;
const MIN_BYTES = 16;

export const passwordPolicy = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(128, 'must be at most 128 characters')
  .regex(/\p{L}/u, 'must contain a letter')
  .regex(/\p{Nd}/u, 'must contain a digit');

interface ScryptParams {
  n: number;
  r: number;
  p: number;
}

function derive(password: string, salt: Buffer, { n, r, p }: ScryptParams, length: number): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node's default maxmem (32 MiB) is exactly that for N=2^15, r=8, so add room.
  const maxmem = 128 * n * r * 2;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, { N: n, r, p, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** `scrypt$N$r$p$salt$hash` (base64), so parameters can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, { n: N, r: R, p: P }, KEY_LENGTH);
  return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

function parseInteger(text: string | undefined, max: number): number | null {
  if (!text || !/^\d{1,8}$/.test(text)) return null;
  const value = Number(text);
  return value >= 1 && value <= max ? value : null;
}

function parseStored(stored: string) {
  const [scheme, nText, rText, pText, saltText, hashText, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || rest.length > 0) return null;
  const n = parseInteger(nText, MAX_N);
  const r = parseInteger(rText, MAX_R);
  const p = parseInteger(pText, MAX_P);
  if (n === null || n < 2 || (n & (n - 1)) !== 0 || r === null || p === null) return null;
  const salt = Buffer.from(saltText ?? '', 'base64');
  const hash = Buffer.from(hashText ?? '', 'base64');
  if (salt.length < MIN_BYTES || hash.length < MIN_BYTES) return null;
  return { params: { n, r, p }, salt, hash };
}

/** Whether `password` matches a hash made by hashPassword; false (never an exception) for malformed hashes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStored(stored);
  if (!parsed) return false;
  try {
    const actual = await derive(password, parsed.salt, parsed.params, parsed.hash.length);
    return timingSafeEqual(actual, parsed.hash);
  } catch {
    return false;
  }
}
