import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsServer } from '../src/http/metrics-server.js';
import { processMetrics } from '../src/observability/metrics.js';
import { startTestApp, type TestApp } from './support/app.js';
import { fhirFetch } from './support/fhir.js';
import { collectLogs, type CollectedLogs, isRequestLine } from './support/logs.js';
import { sample, scrape } from './support/metrics.js';
import { bundle, heartRate, observation } from './support/omh.js';
import { gql, portalSignIn, tokenFor } from './support/tokens.js';

const MARY = 'mary@example.com';
const PETER = 'peter@example.com';
const METRICS_TOKEN = 'metrics-test-token';

let app: TestApp;
let logs: CollectedLogs;
let metricsServer: Server;
let metricsUrl: string;

beforeAll(async () => {
  logs = collectLogs();
  app = await startTestApp();
  metricsServer = createMetricsServer(processMetrics, METRICS_TOKEN).listen(0, '127.0.0.1');
  await new Promise((resolve) => metricsServer.once('listening', resolve));
  metricsUrl = `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}`;
  await Promise.all([tokenFor(app, MARY), tokenFor(app, PETER)]);
});
afterAll(async () => {
  await new Promise((resolve) => metricsServer?.close(resolve));
  await app?.close();
});

const metrics = async () => {
  const { status, text } = await scrape(metricsUrl, METRICS_TOKEN);
  expect(status).toBe(200);
  return text;
};

/** The request line logged for the answer with this X-Request-Id. */
const requestLine = (id: string | null) =>
  expect.poll(() => logs.lines.find((line) => isRequestLine(line) && line.reqId === id)).toBeDefined();

describe('request ids', () => {
  it('takes a sane X-Request-Id, answers it back and logs it', async () => {
    const response = await fetch(`${app.baseUrl}/healthz`, { headers: { 'x-request-id': 'lb-7f3a.42:9' } });
    expect(response.headers.get('x-request-id')).toBe('lb-7f3a.42:9');
    await requestLine('lb-7f3a.42:9');
  });

  it('takes one of up to 64 characters', async () => {
    const longest = `Root=1-${'a'.repeat(57)}`;
    const response = await fetch(`${app.baseUrl}/healthz`, { headers: { 'x-request-id': longest } });
    expect(response.headers.get('x-request-id')).toBe(longest);
  });

  it('makes a new one for a missing, too long or odd X-Request-Id', async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const sent of [undefined, '', 'x'.repeat(65), 'two words', 'a"b', 'a,b', '<script>', 'a\tb', 'é']) {
      const headers: Record<string, string> = sent === undefined ? {} : { 'x-request-id': sent };
      const answered = (await fetch(`${app.baseUrl}/healthz`, { headers })).headers.get('x-request-id');
      expect(answered).toMatch(uuid);
    }
  });

  it('is on every answer: errors, FHIR OperationOutcomes, GraphQL errors, the OAuth provider’s pages', async () => {
    const answers = [
      await fetch(`${app.baseUrl}/nowhere`, { headers: { accept: 'application/json' } }),
      await fetch(`${app.baseUrl}/fhir/r5/Patient`), // no token: 401 OperationOutcome
      await fetch(`${app.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query": "{"}',
      }),
      await fetch(`${app.baseUrl}/api/v1/patients`),
      await fetch(`${app.baseUrl}/o/.well-known/openid-configuration`),
      await fetch(`${app.baseUrl}/o/auth?client_id=nobody`), // oidc-provider's error page
    ];
    expect(answers.map((a) => a.status)).toEqual([404, 401, 400, 401, 200, 400]);
    for (const answer of answers) expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('request log lines', () => {
  it('say the request id, method, route pattern, status, latency, and the token’s user and client', async () => {
    const me = await gql(app, MARY, '{ me { id } }');
    const read = await fhirFetch(app, '/Patient/40001', { as: MARY, headers: { 'x-request-id': 'read-patient' } });
    expect(read.status).toBe(200);
    await requestLine('read-patient');
    const line = logs.lines.find((l) => isRequestLine(l) && l.reqId === 'read-patient')!;
    expect(line).toMatchObject({
      level: 'info',
      reqId: 'read-patient',
      method: 'GET',
      route: '/fhir/r5/Patient/:id',
      status: 200,
      userId: Number(me.data!.me.id),
      clientId: 'portal',
      msg: 'GET /fhir/r5/Patient/:id 200',
    });
    expect(line.ms).toBeGreaterThanOrEqual(0);
    // the other faces name their routes by pattern too
    const rest = await fetch(`${app.baseUrl}/api/v1/studies/30001`, {
      headers: { authorization: `Bearer ${await tokenFor(app, MARY)}`, 'x-request-id': 'rest-study' },
    });
    expect(rest.status).toBe(200);
    await requestLine('rest-study');
    expect(logs.lines.find((l) => isRequestLine(l) && l.reqId === 'rest-study')).toMatchObject({
      route: '/api/v1/studies/:id',
      status: 200,
      userId: 10002,
    });
    // no URL, header or token in the line
    expect(JSON.stringify(line)).not.toMatch(/40001|Bearer|authorization/i);
  });

  it('name a request no route answered `unmatched`, and a refused one by its route', async () => {
    await fetch(`${app.baseUrl}/no/such/path/12345`, {
      headers: { 'x-request-id': 'nowhere-1', accept: 'application/json' },
    });
    await fetch(`${app.baseUrl}/fhir/r5/Observation/60001`, { headers: { 'x-request-id': 'refused-1' } });
    await requestLine('nowhere-1');
    await requestLine('refused-1');
    expect(logs.lines.find((l) => l.reqId === 'nowhere-1')).toMatchObject({ route: 'unmatched', status: 404 });
    expect(logs.lines.find((l) => isRequestLine(l) && l.reqId === 'refused-1')).toMatchObject({
      route: '/fhir/r5/Observation/:id',
      status: 401,
    });
  });
});

describe('secrets in the logs', () => {
  it('a sign-in, a refused sign-in and a token exchange log no password, code verifier, token or cookie', async () => {
    const mark = logs.lines.length;
    const verifier = 'verifier-canary-'.padEnd(64, 'q7');
    const tokens = await portalSignIn(app, MARY, { verifier });
    if (!('refresh_token' in tokens) || !tokens.refresh_token) throw new Error('no refresh token');
    await expect(portalSignIn(app, MARY, { password: 'Wrong-canary-pass-1!' })).rejects.toThrow(/sign-in/);
    const refreshed = await fetch(`${app.baseUrl}/o/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'cookie-canary=1' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        client_id: 'portal',
      }),
    });
    expect(refreshed.status).toBe(200);
    const fresh = (await refreshed.json()) as { access_token: string; refresh_token?: string };
    expect((await gql(app, MARY, '{ me { id } }')).status).toBe(200); // a bearer token in a request

    const lines = logs.since(mark);
    expect(lines.filter(isRequestLine).map((l) => l.route)).toEqual(expect.arrayContaining(['/o/*', '/graphql']));
    const written = JSON.stringify(lines);
    for (const secret of [
      'Jhe1234!',
      'Wrong-canary-pass',
      'verifier-canary',
      'cookie-canary',
      tokens.access_token,
      tokens.refresh_token,
      tokens.id_token!,
      fresh.access_token,
      ...(fresh.refresh_token ? [fresh.refresh_token] : []),
    ]) {
      expect(written).not.toContain(secret);
    }
    expect(written).not.toMatch(/Bearer |authorization|set-cookie|"cookie"|code_verifier|password/i);
  });
});

describe('database errors in the logs', () => {
  const REFUSE = `create function hxg_test_refuse() returns trigger language plpgsql as $$
    begin raise exception 'the test database refuses observations'; end $$`;

  it('carry the SQLSTATE and PostgreSQL’s message, never the statement or the uploaded values', async () => {
    const connection = app.db.orm.em.getConnection();
    await connection.execute(REFUSE);
    await connection.execute(
      'create trigger hxg_test_refuse before insert on observations for each row execute function hxg_test_refuse()',
    );
    try {
      const mark = logs.lines.length;
      const entries = [observation({ patient: 40001, omh: heartRate(173), identifier: 'leak-canary-5b9d2e' })];
      const upload = await fhirFetch(app, '/', {
        as: PETER,
        body: bundle('batch', entries),
        headers: { 'x-request-id': 'failing-upload' },
      });
      expect(upload.status).toBe(500);
      expect(upload.body.issue[0]).toMatchObject({ code: 'exception', diagnostics: 'Internal server error' });
      expect(upload.headers.get('x-request-id')).toBe('failing-upload');
      await requestLine('failing-upload');
      const errors = logs.since(mark).filter((l) => l.level === 'error' && !isRequestLine(l));
      expect(errors).toEqual([
        expect.objectContaining({
          reqId: 'failing-upload',
          msg: 'GraphQL error',
          err: expect.objectContaining({ code: 'P0001', message: 'the test database refuses observations' }),
        }),
      ]);
      expect(logs.text()).not.toContain('leak-canary');
      const written = JSON.stringify(logs.since(mark));
      expect(written).not.toContain('heart_rate');
      expect(written).not.toMatch(/insert into|jsonb_to_recordset/i);
    } finally {
      await connection.execute('drop trigger hxg_test_refuse on observations');
      await connection.execute('drop function hxg_test_refuse()');
    }
  });
});

describe('database errors in the logs, with PostgreSQL’s detail', () => {
  it('a check violation is that entry’s 4xx, and its failing row is in no log line', async () => {
    const connection = app.db.orm.em.getConnection();
    await connection.execute(
      `alter table observation_identifiers add constraint hxg_test_no_canary check (value not like 'row-canary%') not valid`,
    );
    try {
      const mark = logs.lines.length;
      const refused = [observation({ patient: 40001, omh: heartRate(71), identifier: 'row-canary-0c4f' })];
      const alone = await fhirFetch(app, '/', { as: PETER, body: bundle('batch', refused) });
      // a value PostgreSQL refuses is that entry's error (src/db/database-errors.ts), not a 500 nor the batch's
      expect(alone.status).toBe(200);
      expect(alone.body.entry.map((e: any) => e.response.status)).toEqual(['422']);
      expect(alone.body.entry[0].response.outcome).toMatchObject({ issue: [{ code: 'invalid' }] });
      const good = observation({ patient: 40001, omh: heartRate(72), identifier: 'canary-neighbour-0c4f' });
      const mixed = await fhirFetch(app, '/', { as: PETER, body: bundle('batch', [good, ...refused, good]) });
      expect(mixed.status).toBe(200);
      expect(mixed.body.entry.map((e: any) => e.response.status)).toEqual(['201', '422', '409']);
      const transaction = await fhirFetch(app, '/', { as: PETER, body: bundle('transaction', refused) });
      expect(transaction.status).toBe(422);
      expect(transaction.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'invalid' }] });
      expect(logs.since(mark).filter((l) => l.level === 'error' && !isRequestLine(l))).toEqual([]);
      // the whole log as written: the canary is this test's own
      expect(logs.text()).not.toMatch(/row-canary|Failing row|insert into/i);
    } finally {
      await connection.execute('alter table observation_identifiers drop constraint hxg_test_no_canary');
    }
  });
});

describe('/metrics', () => {
  it('is not on the main port without METRICS_TOKEN, and its own port asks for METRICS_TOKEN', async () => {
    expect((await fetch(`${app.baseUrl}/metrics`, { headers: { accept: 'application/json' } })).status).toBe(404);
    expect((await scrape(app.baseUrl, METRICS_TOKEN)).status).toBe(404);
    expect((await scrape(metricsUrl)).status).toBe(401);
    expect((await scrape(metricsUrl, 'wrong-token')).status).toBe(401);
    const { status, text } = await scrape(metricsUrl, METRICS_TOKEN);
    expect(status).toBe(200);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(sample(text, 'hxg_db_pool_max', { pool: 'serving' })).toBeGreaterThan(0);
    expect(text).toMatch(/^hxg_db_pool_connections\{pool="serving",state="used"\} \d+$/m);
  });

  it('counts requests by route pattern and status, with their latency', async () => {
    const labels = { method: 'GET', route: '/fhir/r5/Patient/:id', status: '200' };
    const before = await metrics();
    for (const id of [40001, 40002]) expect((await fhirFetch(app, `/Patient/${id}`, { as: MARY })).status).toBe(200);
    const after = await metrics();
    expect(sample(after, 'hxg_http_requests_total', labels) - sample(before, 'hxg_http_requests_total', labels)).toBe(
      2,
    );
    const count = 'hxg_http_request_duration_seconds_count';
    expect(sample(after, count, labels) - sample(before, count, labels)).toBe(2);
    expect(after).not.toMatch(/route="[^"]*4000\d/); // patterns, not URLs
  });

  it('counts GraphQL operations by name and outcome', async () => {
    const named = { operation: 'WhoAmI', type: 'query', outcome: 'ok' };
    const invalid = { operation: '(invalid)', type: 'unknown', outcome: 'error' };
    const before = await metrics();
    await gql(app, MARY, 'query WhoAmI { me { email } }');
    await gql(app, MARY, 'query WhoAmI { me { email } }');
    await gql(app, MARY, '{ me { nope } }');
    const after = await metrics();
    const delta = (labels: Record<string, string>) =>
      sample(after, 'hxg_graphql_operations_total', labels) - sample(before, 'hxg_graphql_operations_total', labels);
    expect(delta(named)).toBe(2);
    expect(delta(invalid)).toBe(1);
  });

  it('counts operations without a name as (anonymous), and names past the cap or too long as (other)', async () => {
    const anonymous = { operation: '(anonymous)', type: 'query', outcome: 'ok' };
    const other = { operation: '(other)', type: 'query', outcome: 'ok' };
    const before = await metrics();
    await gql(app, MARY, '{ me { id } }');
    await gql(app, MARY, `query ${'Long'.repeat(20)} { me { id } }`);
    const after = await metrics();
    const delta = (labels: Record<string, string>) =>
      sample(after, 'hxg_graphql_operations_total', labels) - sample(before, 'hxg_graphql_operations_total', labels);
    expect(delta(anonymous)).toBe(1);
    expect(delta(other)).toBe(1);
    expect(after).not.toContain('LongLong');
  });

  it('counts FHIR interactions and uploaded entries by outcome', async () => {
    const before = await metrics();
    const fresh = [1, 2].map((i) => observation({ patient: 40001, omh: heartRate(60 + i), identifier: `m-${i}` }));
    const batch = await fhirFetch(app, '/', { as: PETER, body: bundle('batch', fresh) });
    expect(batch.body.entry.map((e: any) => e.response.status)).toEqual(['201', '201']);
    const again = await fhirFetch(app, '/', {
      as: PETER,
      body: bundle('batch', [
        fresh[0],
        observation({ patient: 40002, omh: heartRate(70) }),
        { resourceType: 'Patient' },
      ]),
    });
    expect(again.body.entry.map((e: any) => e.response.status)).toEqual(['200', '404', expect.stringMatching(/^4/)]);
    await fhirFetch(app, '/Observation?patient=40001&_count=1', { as: MARY });
    const after = await metrics();
    const delta = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta('hxg_upload_entries_total', { outcome: 'created' })).toBe(2);
    expect(delta('hxg_upload_entries_total', { outcome: 'existing' })).toBe(1);
    expect(delta('hxg_upload_entries_total', { outcome: 'rejected' })).toBe(2);
    const interactions = 'hxg_fhir_interactions_total';
    expect(delta(interactions, { interaction: 'batch', resource: 'Bundle', status: '200' })).toBe(2);
    expect(delta(interactions, { interaction: 'search-type', resource: 'Observation', status: '200' })).toBe(1);
  });
});
