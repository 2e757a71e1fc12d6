import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { sample, scrape } from './support/metrics.js';
import { freePort, type ServerProcess, startServer } from './support/server-process.js';
import { tokenFor } from './support/tokens.js';

const MARY = 'mary@example.com';

let db: TestDatabase;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hxg-operations-test-'));
chmodSync(dataDir, 0o755);
beforeAll(async () => {
  db = await createTestDatabase('seeded');
});
afterAll(async () => {
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** dist/main.js on the test database, logging JSON lines; its base URL. */
async function gateway(
  env: Record<string, string> = {},
): Promise<{ server: ServerProcess; base: string; port: number }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = startServer({
    DATABASE_URL: db.url,
    PORT: String(port),
    PUBLIC_URL: base,
    SEED: 'none',
    DATA_DIR: dataDir,
    LOG_FORMAT: 'json',
    ...env,
  });
  return { server, base, port };
}

const jsonLines = (output: string) =>
  output
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** A GET on a connection of its own, so that a cluster may hand it to any worker. */
const getOnNewConnection = (url: string) =>
  new Promise<number>((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => res.resume().on('end', () => resolve(res.statusCode!)))
      .on('error', reject);
  });

/**
 * A GraphQL POST whose body the test sends in two parts: it resolves `started` once the server has the request
 * (its `100 Continue`), and `finish()` sends the rest.
 */
function slowGraphQL(base: string, token: string) {
  const body = JSON.stringify({ query: '{ me { email } }' });
  const request = http.request(`${base}/graphql`, {
    method: 'POST',
    agent: false,
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      authorization: `Bearer ${token}`,
      expect: '100-continue',
    },
  });
  const answer = new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
    request.on('response', (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body: text }));
    });
    request.on('error', reject);
  });
  request.flushHeaders();
  const started = new Promise<void>((resolve) => request.once('continue', () => resolve()));
  void started.then(() => request.write(body.slice(0, 10)));
  return { started, answer, finish: () => request.end(body.slice(10)) };
}

/** A keep-alive connection that has answered one request and now sits idle; `closed` resolves when it closes. */
async function idleKeepAlive(base: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const request = http.get(`${base}/healthz`, { agent }, (res) => res.resume());
    request.on('socket', resolve).on('error', reject);
  });
  await new Promise((resolve) => agent.once('free', resolve));
  return { closed: new Promise((resolve) => socket.once('close', resolve)) };
}

const connectionRefused = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });

describe('graceful shutdown (SIGTERM, SHUTDOWN_GRACE_MS)', () => {
  it('stops accepting, closes idle keep-alive connections, lets the request in flight finish, then exits 0', async () => {
    const { server, base, port } = await gateway({ SHUTDOWN_GRACE_MS: '30000' });
    try {
      await server.waitFor(/listening on/);
      const token = await tokenFor({ baseUrl: base } as TestApp, MARY);
      const idle = await idleKeepAlive(base);
      const slow = slowGraphQL(base, token);
      await slow.started;

      server.child.kill('SIGTERM');
      await server.waitFor(/SIGTERM: shutting down/);
      await server.waitFor(/no longer accepting connections/); // written once the port is closed
      await idle.closed;
      expect(await connectionRefused(port)).toBe('ECONNREFUSED');
      expect(server.child.exitCode).toBeNull(); // still waiting for the slow request

      slow.finish();
      const answer = await slow.answer;
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ data: { me: { email: MARY } } });
      expect(answer.connection).toBe('close');
      expect(await server.exited).toBe(0);

      const lines = jsonLines(server.stdout()); // every line is JSON
      const served = lines.findIndex((l) => l.route === '/graphql' && l.status === 200);
      expect(lines[served]).toMatchObject({ level: 'info', method: 'POST', userId: 10002, clientId: 'portal' });
      expect(lines[served]!.reqId).toEqual(expect.any(String));
      expect(lines.findIndex((l) => l.msg === 'stopped')).toBeGreaterThan(served);
      expect(lines).toContainEqual(
        expect.objectContaining({ msg: expect.stringMatching(/^no longer accepting connections/), inFlight: 1 }),
      );
    } finally {
      await server.stop('SIGKILL');
    }
  });

  it('cuts the connections of requests still in flight after SHUTDOWN_GRACE_MS, and exits 0', async () => {
    const { server, base } = await gateway({ SHUTDOWN_GRACE_MS: '300' });
    try {
      await server.waitFor(/listening on/);
      const token = await tokenFor({ baseUrl: base } as TestApp, MARY);
      const slow = slowGraphQL(base, token); // never finished
      await slow.started;
      server.child.kill('SIGTERM');
      await expect(slow.answer).rejects.toThrow(/socket hang up|ECONNRESET/);
      expect(await server.exited).toBe(0);
      expect(jsonLines(server.stdout())).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          inFlight: 1,
          msg: 'requests still in flight after SHUTDOWN_GRACE_MS (300 ms): closing their connections',
        }),
      );
    } finally {
      await server.stop('SIGKILL');
    }
  });
});

describe('/metrics of a cluster (WEB_CONCURRENCY=2, METRICS_PORT, METRICS_TOKEN)', () => {
  it('sums the workers’ metrics on the primary’s metrics port, which asks for the token', async () => {
    const metricsPort = await freePort();
    const { server, base } = await gateway({
      WEB_CONCURRENCY: '2',
      METRICS_PORT: String(metricsPort),
      METRICS_TOKEN: 'cluster-metrics-token',
      LOG_LEVEL: 'debug', // health checks are logged at debug
    });
    try {
      await server.waitFor(/"worker":1,.*listening on/);
      await server.waitFor(/"worker":2,.*listening on/);
      await server.waitFor(/metrics on/);
      const metricsBase = `http://127.0.0.1:${metricsPort}`;
      expect((await scrape(metricsBase)).status).toBe(401);
      expect((await scrape(base, 'cluster-metrics-token')).status).toBe(404); // not on the main port then
      const labels = { method: 'GET', route: '/healthz,/health', status: '200' };
      const before = sample(
        (await scrape(metricsBase, 'cluster-metrics-token')).text,
        'hxg_http_requests_total',
        labels,
      );
      for (let i = 0; i < 6; i++) expect(await getOnNewConnection(`${base}/healthz`)).toBe(200);
      const after = await scrape(metricsBase, 'cluster-metrics-token');
      expect(after.status).toBe(200);
      expect(sample(after.text, 'hxg_http_requests_total', labels) - before).toBe(6);
      // both workers served some of them: the 6 is their sum, not one worker's count
      await expect
        .poll(
          () =>
            new Set(
              jsonLines(server.stdout())
                .filter((l) => l.route === labels.route)
                .map((l) => l.worker),
            ),
        )
        .toEqual(new Set([1, 2]));
      expect(await server.stop('SIGTERM')).toBe(0);
    } finally {
      await server.stop('SIGKILL');
    }
  });
});

describe('/metrics on the main port (METRICS_TOKEN without METRICS_PORT)', () => {
  it('answers only Authorization: Bearer <METRICS_TOKEN>, and counts what the port served', async () => {
    const { server, base } = await gateway({ METRICS_TOKEN: 'main-port-metrics-token' });
    try {
      await server.waitFor(/listening on/);
      expect((await scrape(base)).status).toBe(401);
      expect((await scrape(base, 'main-port-metrics-token-not')).status).toBe(401);
      const refused = await fetch(`${base}/metrics`, { headers: { authorization: 'Basic bWFpbi1wb3J0' } });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(await refused.text()).not.toMatch(/hxg_/);

      const labels = { method: 'GET', route: '/healthz,/health', status: '200' };
      expect((await fetch(`${base}/health`)).status).toBe(200);
      const { status, text } = await scrape(base, 'main-port-metrics-token');
      expect(status).toBe(200);
      expect(sample(text, 'hxg_http_requests_total', labels)).toBe(1);
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
      expect(await server.stop('SIGTERM')).toBe(0);
    } finally {
      await server.stop('SIGKILL');
    }
  });

  it('refuses to start with it in a cluster, or with a short token', async () => {
    const cluster = await gateway({ METRICS_TOKEN: 'main-port-metrics-token', WEB_CONCURRENCY: '2' });
    expect(await cluster.server.exited).toBe(1);
    expect(cluster.server.stdout()).toMatch(/METRICS_TOKEN without METRICS_PORT .* set METRICS_PORT/);
    const short = await gateway({ METRICS_TOKEN: 'short' });
    expect(await short.server.exited).toBe(1);
    expect(short.server.stdout()).toMatch(/METRICS_TOKEN must be at least 16 characters/);
  });
});
