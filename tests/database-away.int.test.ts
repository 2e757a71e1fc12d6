import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../src/db/embedded.js';
import { json } from './support/http.js';
import { freePort, type ServerProcess, startServer } from './support/server-process.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'hxg-away-'));
chmodSync(dir, 0o755); // the embedded server runs as the postgres user when we are root
let database: EmbeddedDatabase | undefined;
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop();
  await database?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.each([1, 2])('a gateway (WEB_CONCURRENCY=%i) whose DATABASE_URL server is away', (workers) => {
  it('listens, answers 503 with Retry-After on every face, and becomes ready once the database is back', async () => {
    const pg = { dir: path.join(dir, `pg-${workers}`), port: await freePort(), database: 'hxg' };
    // a real PostgreSQL, initialised, then stopped: its URL refuses connections
    database = await startEmbeddedPostgres(pg);
    const { url } = database;
    await database.stop();

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = startServer(
      { DATABASE_URL: url, PORT: String(port), SEED: 'none', DATA_DIR: dir, WEB_CONCURRENCY: String(workers) },
      { unset: ['NODE_ENV'] },
    );
    await server.waitFor(/listening on/);
    expect(server.output()).toMatch(/database unreachable \(ECONNREFUSED\); trying again in 1 s/);

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const readyz = await fetch(`${base}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await json(readyz)).toEqual({ status: 'not ready', database: 'unreachable: ECONNREFUSED' });

    const graphql = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(graphql.status).toBe(503);
    expect(graphql.headers.get('retry-after')).toBe('5');
    expect((await json(graphql)).errors[0].message).toMatch(/database is not ready yet/);

    const fhir = await fetch(`${base}/fhir/r5/Patient`);
    expect(fhir.status).toBe(503);
    expect(fhir.headers.get('retry-after')).toBe('5');
    expect(fhir.headers.get('content-type')).toMatch(/application\/fhir\+json/);
    expect(await json(fhir)).toMatchObject({ resourceType: 'OperationOutcome' });

    const rest = await fetch(`${base}/api/v1/patients`);
    expect(rest.status).toBe(503);
    expect((await json(rest)).detail).toMatch(/database is not ready yet/);

    const oidc = await fetch(`${base}/o/.well-known/openid-configuration`);
    expect(oidc.status).toBe(503);
    expect(oidc.headers.get('retry-after')).toBe('5');

    // the database comes back: the gateway migrates it in the background and becomes ready
    database = await startEmbeddedPostgres(pg);
    await expect.poll(async () => (await fetch(`${base}/readyz`)).status, { timeout: 40_000, interval: 250 }).toBe(200);
    expect(server.output()).toMatch(/applied migrations: Migration\d+_initial/);
    expect(server.output()).toMatch(/database ready/);
    const metadata = await fetch(`${base}/fhir/r5/metadata`);
    expect(metadata.status).toBe(200);
    const served = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await json(served)).toEqual({ data: { __typename: 'Query' } });

    // away again after the start: not ready while it is, ready again when it is back, no restart needed
    await database.stop();
    await expect.poll(async () => (await fetch(`${base}/readyz`)).status, { timeout: 10_000 }).toBe(503);
    database = await startEmbeddedPostgres(pg);
    await expect.poll(async () => (await fetch(`${base}/readyz`)).status, { timeout: 10_000 }).toBe(200);
    expect(await server.stop('SIGTERM')).toBe(0);
  }, 90_000);
});
