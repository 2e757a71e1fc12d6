import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

const trustProxy = (TRUST_PROXY?: string) => loadConfig(TRUST_PROXY === undefined ? {} : { TRUST_PROXY }).trustProxy;
const poolSize = (DB_POOL_SIZE: string) => loadConfig({ DB_POOL_SIZE }).dbPoolSize;

describe('TRUST_PROXY', () => {
  it('trusts a proxy on the same machine by default', () => {
    expect(trustProxy()).toEqual(['loopback']);
    expect(trustProxy('')).toEqual(['loopback']);
  });

  it('takes false, a hop count, or addresses, CIDR ranges and range names', () => {
    expect(trustProxy('false')).toBe(false);
    expect(trustProxy('0')).toBe(false);
    expect(trustProxy('2')).toBe(2);
    expect(trustProxy(' 10.0.0.0/8, 192.0.2.10 ,fd00::/8,uniquelocal')).toEqual([
      '10.0.0.0/8',
      '192.0.2.10',
      'fd00::/8',
      'uniquelocal',
    ]);
  });

  it('refuses to trust anyone, and anything that is not an address or a range, saying why', () => {
    expect(() => trustProxy('true')).toThrow(/X-Forwarded-For from anyone/);
    expect(() => trustProxy('11')).toThrow(/hop count goes from 0 to 10/);
    expect(() => trustProxy('10.0.0.0/33')).toThrow(/"10.0.0.0\/33" is not an address, a CIDR range/);
    expect(() => trustProxy('nginx')).toThrow(/"nginx" is not/);
    expect(() => trustProxy('10.0.0.1,')).toThrow(/"" is not/);
  });
});

describe('DB_POOL_SIZE', () => {
  it('is 10 unless told, from 1 to 1000', () => {
    expect(loadConfig({}).dbPoolSize).toBe(10);
    expect(poolSize('25')).toBe(25);
    expect(() => poolSize('0')).toThrow(/DB_POOL_SIZE must be an integer from 1 to 1000/);
    expect(() => poolSize('many')).toThrow(/DB_POOL_SIZE/);
  });
});
