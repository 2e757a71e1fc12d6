import { describe, expect, it } from 'vitest';
import { hashPassword, passwordPolicy, verifyPassword } from '../src/auth/password.js';

describe('password hashing', () => {
  it('stores scrypt$N$r$p$salt$hash with a random salt and verifies only the right password', async () => {
    const [a, b] = await Promise.all([hashPassword('correct horse 1'), hashPassword('correct horse 1')]);
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse 1', a)).toBe(true);
    expect(await verifyPassword('correct horse 1', b)).toBe(true);
    expect(await verifyPassword('correct horse 2', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('verifies hashes made with other (smaller) parameters', async () => {
    const stored = await hashPassword('s3cret-pass');
    const [, , , , salt] = stored.split('$');
    const { scryptSync } = await import('node:crypto');
    const key = scryptSync('s3cret-pass', Buffer.from(salt!, 'base64'), 32, { N: 1024, r: 8, p: 1 });
    const older = ['scrypt', 1024, 8, 1, salt, key.toString('base64')].join('$');
    expect(await verifyPassword('s3cret-pass', older)).toBe(true);
    expect(await verifyPassword('s3cret-pasS', older)).toBe(false);
  });

  it('answers false, never throws, for malformed or hostile stored hashes', async () => {
    const good = await hashPassword('abcdefg1');
    const [, n, r, p, salt, hash] = good.split('$');
    const variants = [
      '',
      'plain',
      `bcrypt$${n}$${r}$${p}$${salt}$${hash}`,
      `scrypt$${n}$${r}$${p}$${salt}`,
      `scrypt$${n}$${r}$${p}$${salt}$`,
      `scrypt$${n}$${r}$${p}$$${hash}`,
      `scrypt$1000$${r}$${p}$${salt}$${hash}`, // N not a power of two
      `scrypt$${2 ** 30}$${r}$${p}$${salt}$${hash}`, // would need gigabytes
      `scrypt$${n}$0$${p}$${salt}$${hash}`,
      `scrypt$${n}$${r}$${p}$${salt}$${hash}$extra`,
      `scrypt$-1$${r}$${p}$${salt}$${hash}`,
      `scrypt$${n}$${r}$${p}$${salt}$AAAA`, // a too short hash must not match a too short key
    ];
    for (const stored of variants) expect(await verifyPassword('abcdefg1', stored), stored).toBe(false);
  });
});

describe('password policy', () => {
  it.each([['abcdefg1'], ['Zürich 2024!'], ['1234567a'], [`${'a'.repeat(127)}1`]])('accepts %s', (password) => {
    expect(passwordPolicy.safeParse(password).success).toBe(true);
  });

  it.each([
    ['short1a', 'at least 8'],
    ['abcdefgh', 'digit'],
    ['12345678', 'letter'],
    [`${'a'.repeat(128)}1`, 'at most 128'],
  ])('rejects %s (%s)', (password, message) => {
    const result = passwordPolicy.safeParse(password);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(message);
  });
});
