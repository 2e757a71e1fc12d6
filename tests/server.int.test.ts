import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from './support/database.js';
import type { TestApp } from './support/app.js';
import { json } from './support/http.js';
import { tokenFor } from './support/tokens.js';
import { freePort, startServer } from './support/server-process.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hxg-server-test-'));
chmodSync(dataDir, 0o755);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm start on the embedded PostgreSQL', () => {
  it('migrates, seeds, serves health checks, stops cleanly on SIGTERM and reuses its data', async () => {
    const env = {
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(await freePort()),
      PORT: String(await freePort()),
      DATABASE_URL: '',
    };
    const base = `http://127.0.0.1:${env.PORT}`;

    const first = startServer(env);
    await first.waitFor(/listening on/);
    expect(first.output()).toMatch(/applied migrations: Migration\d+_initial/);
    expect(first.output()).toMatch(/seeded demo data \(\d+ observations\)/);
    expect(await json(await fetch(`${base}/healthz`))).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await json(ready)).toEqual({ status: 'ready', database: 'ok' });
    expect(await (await fetch(`${base}/`)).text()).toContain('<div id="root">'); // the built portal
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.output()).toMatch(/stopped/);

    const second = startServer(env);
    await second.waitFor(/listening on/);
    expect(second.output()).not.toMatch(/applied migrations/);
    expect(second.output()).toMatch(/demo seed skipped: the database already has organizations/);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect(await second.stop('SIGINT')).toBe(0);
  });
});

describe('npm start with DATABASE_URL', () => {
  it('uses that server instead and honours SEED=none', async () => {
    const db = await createTestDatabase('empty');
    try {
      const port = String(await freePort());
      const server = startServer({ DATABASE_URL: db.url, PORT: port, SEED: 'none', DATA_DIR: dataDir });
      await server.waitFor(/listening on/);
      expect(server.output()).not.toMatch(/embedded/);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      const [row] = await db.orm.em.getConnection().execute<{ n: string }[]>('select count(*) as n from organizations');
      expect(Number(row!.n)).toBe(0);
      expect(await server.stop()).toBe(0);
    } finally {
      await db.drop();
    }
  });

  it('runs WEB_CONCURRENCY workers on one port: sign-in and tokens work across them; SIGTERM stops all', async () => {
    const db = await createTestDatabase('seeded');
    try {
      const port = String(await freePort());
      const server = startServer({
        DATABASE_URL: db.url,
        PORT: port,
        SEED: 'none',
        DATA_DIR: dataDir,
        WEB_CONCURRENCY: '2',
        LOG_FORMAT: 'pretty', // readable lines: `… [hxg worker 1] listening on …`
      });
      await server.waitFor(/worker 1\] listening on/);
      await server.waitFor(/worker 2\] listening on/);
      expect(server.output()).toMatch(/starting 2 HTTP workers/);
      // a token from one sign-in, used over fresh connections, which the primary hands to the workers in turn
      const token = await tokenFor({ baseUrl: `http://localhost:${port}` } as TestApp, 'mary@example.com');
      for (let i = 0; i < 6; i++) {
        const answer = await postOverNewConnection(`http://localhost:${port}/graphql`, token, '{ me { email } }');
        expect(answer).toEqual({ data: { me: { email: 'mary@example.com' } } });
      }
      expect(await server.stop('SIGTERM')).toBe(0);
      expect(server.output().match(/worker \d\] stopped/g)).toHaveLength(2);
      expect(server.output()).toMatch(/\[hxg\] stopped/);
    } finally {
      await db.drop();
    }
  });

  it('refuses to start with a clear message when the configuration is invalid', async () => {
    const server = startServer({ PORT: 'eighty', DATA_DIR: dataDir });
    expect(await server.exited).toBe(1);
    // a JSON line (stdout is no terminal): its quotes escaped
    expect(server.output()).toMatch(/"level":"error".*PORT must be an integer from 0 to 65535, got \\"eighty\\"/);
  });
});

/** A GraphQL POST on a connection of its own (no keep-alive pool), so that the cluster may pick any worker. */
function postOverNewConnection(url: string, token: string, query: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      },
      (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve(JSON.parse(body)));
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify({ query }));
  });
}
