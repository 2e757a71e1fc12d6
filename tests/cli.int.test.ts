import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';

const run = promisify(execFile);
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('empty');
});
afterAll(() => db?.drop());

/** The built CLI (npm test builds first), against this test's own database. */
const cli = (...args: string[]) =>
  run(process.execPath, ['dist/src/cli.js', ...args], { env: { ...process.env, DATABASE_URL: db.url } }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );

describe('hxg CLI', () => {
  it('explains its commands', async () => {
    const { code, out } = await cli('--help');
    expect(code).toBe(0);
    for (const command of ['migrate', 'seed', 'create-superuser', 'create-client', 'create-migration'])
      expect(out).toContain(command);
  });

  it('migrates, seeds once, and skips the second time', async () => {
    expect((await cli('migrate')).out).toMatch(/no pending migrations|applied/);
    const first = await cli('seed');
    expect(first.out).toMatch(/seeded demo data \(\d+ observations\)/);
    const second = await cli('seed');
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/skipped: the database already has organizations/);
  });

  it('creates a super user, refusing weak passwords and duplicates with a clear message', async () => {
    const weak = await cli('create-superuser', '--email', 'root@example.org', '--password', 'short');
    expect(weak.code).toBe(1);
    expect(weak.out).toMatch(/password: must be at least 8 characters/);
    const made = await cli('create-superuser', '--email', 'Root@Example.org', '--password', 'Str0ng-enough');
    expect(made.code).toBe(0);
    expect(made.out).toMatch(/created super user root@example.org/);
    const again = await cli('create-superuser', '--email', 'root@example.org', '--password', 'Str0ng-enough');
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/already exists/);
  });

  it('registers a dashboard client', async () => {
    const made = await cli(
      'create-client',
      '--client-id',
      'my-dash',
      '--name',
      'My dashboard',
      '--redirect-uri',
      'https://dash.example/cb',
      '--confidential',
    );
    expect(made.code).toBe(0);
    expect(made.out).toMatch(/client secret \(shown only now\): \S{40,}/);
  });
});
