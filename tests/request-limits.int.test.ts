import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { getIntrospectionQuery } from 'graphql';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { sqlCounter } from '../bench/sql-counter.js';
import { loadConfig } from '../src/config.js';
import { connectDatabase } from '../src/database.js';
import { startTestApp, type TestApp } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { fhirFetch } from './support/fhir.js';
import { json } from './support/http.js';
import { collectLogs, type CollectedLogs, isRequestLine } from './support/logs.js';
import { bundle, heartRate, observation } from './support/omh.js';
import { codes, gql, tokenFor } from './support/tokens.js';

/**
 * Runs `work` while this test's own connection holds `lock` on the app's database: a statement of the gateway
 * that needs the table waits for it, deterministically, for as long as `work` takes (no sleeps).
 */
async function whileLocked<T>(app: TestApp, lock: string, work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: app.db.url });
  await client.connect();
  try {
    await client.query('begin');
    await client.query(lock);
    return await work();
  } finally {
    await client.query('rollback');
    await client.end();
  }
}

const observationCount = async (app: TestApp) => {
  const [row] = await app.db.orm.em.getConnection().execute<{ n: string }[]>('select count(*) as n from observations');
  return Number(row!.n);
};

const timed = async <T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> => {
  const start = performance.now();
  const result = await work();
  return { result, ms: performance.now() - start };
};

const nextLink = (app: TestApp, body: { link: { relation: string; url: string }[] }) =>
  body.link.find((l) => l.relation === 'next')?.url.replace(`${app.baseUrl}/fhir/r5`, '');
const ids = (body: { entry: { resource: { id: string } }[] }) => body.entry.map((e) => e.resource.id);

const MARY = 'mary@example.com';

describe('FHIR _page: a bounded walk through the keyset', () => {
  const counter = sqlCounter();
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ FHIR_MAX_PAGE_SKIP: '20' }, counter.options);
    await tokenFor(app, MARY);
  });
  afterAll(() => app?.close());

  const query = '/Observation?patient=40001&_count=5';

  it('answers a page within the bound with the page the next links lead to, counting only once', async () => {
    const first = await fhirFetch(app, query, { as: MARY });
    const second = await fhirFetch(app, nextLink(app, first.body)!, { as: MARY });
    const third = await fhirFetch(app, nextLink(app, second.body)!, { as: MARY });
    const fifth = await fhirFetch(
      app,
      nextLink(app, (await fhirFetch(app, nextLink(app, third.body)!, { as: MARY })).body)!,
      {
        as: MARY,
      },
    );
    counter.reset();
    const viaPage = await fhirFetch(app, `${query}&_page=3&_total=accurate`, { as: MARY });
    expect(viaPage.status).toBe(200);
    expect(ids(viaPage.body)).toEqual(ids(third.body));
    expect(viaPage.body.total).toBeGreaterThan(15);
    // the two pages walked past are read, never counted: one count, for the page answered
    expect(counter.statements.filter((s) => /select count\(\*\)/i.test(s))).toHaveLength(1);
    // the deepest page allowed: (5 − 1) × 5 = 20 rows passed
    const deepest = await fhirFetch(app, `${query}&_page=5`, { as: MARY });
    expect(deepest.status).toBe(200);
    expect(ids(deepest.body)).toEqual(ids(fifth.body));
    // and its next link goes on by cursor, beyond the bound
    expect(nextLink(app, deepest.body)).toMatch(/_cursor=/);
    expect(nextLink(app, deepest.body)).not.toMatch(/_page=/);
  });

  it('refuses a page beyond the bound with a 400 that says to follow the next link', async () => {
    const beyond = await fhirFetch(app, `${query}&_page=6`, { as: MARY });
    expect(beyond.status).toBe(400);
    expect(beyond.body.resourceType).toBe('OperationOutcome');
    expect(beyond.body.issue[0]).toMatchObject({ code: 'too-costly', expression: ['_page'] });
    expect(beyond.body.issue[0].diagnostics).toMatch(/would pass 25 matches.*at most 20 \(FHIR_MAX_PAGE_SKIP\)/);
    expect(beyond.body.issue[0].diagnostics).toMatch(/next" link.*_cursor/);
    const { result: huge, ms } = await timed(() => fhirFetch(app, `${query}&_page=999999999`, { as: MARY }));
    expect(huge.status).toBe(400);
    expect(ms).toBeLessThan(2000); // refused up front, not walked
    for (const bad of ['0', '-1', '1.5', '1e3', '1000000000', 'x']) {
      const answer = await fhirFetch(app, `${query}&_page=${bad}`, { as: MARY });
      expect(answer.status, bad).toBe(400);
      expect(answer.body.issue[0].diagnostics, bad).toMatch(/_page must be a positive integer/);
    }
    for (const bad of ['1001', '-1', '10.5', '99999']) {
      const answer = await fhirFetch(app, `/Observation?patient=40001&_count=${bad}`, { as: MARY });
      expect(answer.status, bad).toBe(400);
      expect(answer.body.issue[0].diagnostics, bad).toMatch(/_count must be an integer from 0 to 1000/);
    }
    // _summary=count passes no rows, whatever the page
    const summary = await fhirFetch(app, '/Observation?patient=40001&_summary=count&_page=7', { as: MARY });
    expect(summary.status).toBe(200);
  });

  it('refuses a body over 25mb with a 413 OperationOutcome', async () => {
    const big = await fhirFetch(app, '/', {
      as: MARY,
      body: JSON.stringify({ resourceType: 'Bundle', type: 'batch', pad: 'x'.repeat(25 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(big.body.issue[0]).toMatchObject({
      code: 'too-costly',
      diagnostics: 'The request body is larger than 25mb',
    });
  });

  it('answers a page past the end (within the bound) empty, with the total when asked', async () => {
    const all = await fhirFetch(
      app,
      '/Observation?patient=40001&code=' +
        encodeURIComponent('https://w3id.org/openmhealth|omh:blood-pressure:4.0') +
        '&_summary=count',
      { as: MARY },
    );
    const total = all.body.total as number;
    expect(total).toBeLessThan(20);
    const past = await fhirFetch(
      app,
      '/Observation?patient=40001&_count=10&_total=accurate&_page=3&code=' +
        encodeURIComponent('https://w3id.org/openmhealth|omh:blood-pressure:4.0'),
      { as: MARY },
    );
    expect(past.status).toBe(200);
    expect(past.body.entry).toEqual([]);
    expect(past.body.total).toBe(total);
  });
});

const aliases = (n: number) =>
  `{ ${Array.from({ length: n }, (_, i) => `p${i}: patient(id: "40001") { id }`).join(' ')} }`;

/** Fragments each spreading the next `width` times, `depth` deep: width^depth fields once expanded. */
const fragmentBomb = (depth: number, width: number) =>
  [
    `query Bomb { me { ...F0 } }`,
    ...Array.from(
      { length: depth },
      (_, i) => `fragment F${i} on User { ${Array.from({ length: width }, () => `...F${i + 1}`).join(' ')} }`,
    ),
    `fragment F${depth} on User { id email }`,
  ].join('\n');

describe('GraphQL amplification', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
    await tokenFor(app, MARY);
  });
  afterAll(() => app?.close());

  it('runs 30 aliases, and refuses 31 with QUERY_TOO_COMPLEX naming the limit', async () => {
    const thirty = await gql(app, MARY, aliases(30));
    expect(thirty.errors).toBeUndefined();
    expect(Object.keys(thirty.data!)).toHaveLength(30);
    const more = await gql(app, MARY, aliases(31));
    expect(more.status).toBe(400);
    expect(codes(more)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(more.errors![0]!.message).toMatch(/31 aliased fields, more than the limit of 30 \(GRAPHQL_MAX_ALIASES\)/);
    // a GET query is checked as well
    const viaGet = await fetch(`${app.baseUrl}/graphql?query=${encodeURIComponent(aliases(31))}`, {
      headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${await tokenFor(app, MARY)}` },
    });
    expect(viaGet.status).toBe(400);
    expect((await json(viaGet)).errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    // aliases hidden in a fragment spread ten times count ten times
    const spread = await gql(
      app,
      MARY,
      `{ ${Array.from({ length: 10 }, (_, i) => `o${i}: organizations { ...Three }`).join(' ')} }
       fragment Three on Organization { a: id b: id c: id }`,
    );
    expect(spread.status).toBe(400);
    expect(spread.errors![0]!.message).toMatch(/40 aliased fields/);
  });

  it('refuses a 5000-alias document in milliseconds', async () => {
    const { result, ms } = await timed(() => gql(app, MARY, aliases(5000)));
    expect(result.status).toBe(400);
    expect(codes(result)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(result.errors![0]!.message).toMatch(/more than 5000 tokens \(GRAPHQL_MAX_TOKENS\)/);
    // with a token limit that lets it through, the alias count refuses it just as fast
    const roomy = await startTestApp({ GRAPHQL_MAX_TOKENS: '100000' });
    try {
      await tokenFor(roomy, MARY);
      const byAliases = await timed(() => gql(roomy, MARY, aliases(5000)));
      expect(byAliases.result.status).toBe(400);
      expect(byAliases.result.errors![0]!.message).toMatch(/5000 aliased fields/);
      console.log(`5000 aliases refused in ${ms.toFixed(1)} ms (tokens), ${byAliases.ms.toFixed(1)} ms (aliases)`);
      expect(byAliases.ms).toBeLessThan(1000);
    } finally {
      await roomy.close();
    }
    expect(ms).toBeLessThan(1000);
  });

  it('refuses a fragment bomb (10^12 fields once expanded) in milliseconds', async () => {
    const { result, ms } = await timed(() => gql(app, MARY, fragmentBomb(12, 10)));
    console.log(`fragment bomb refused in ${ms.toFixed(1)} ms`);
    expect(result.status).toBe(400);
    expect(codes(result)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(result.errors![0]!.message).toMatch(
      /2000000000001 fields with its fragments expanded exceed the limit of 1000 \(GRAPHQL_MAX_FIELDS\)/,
    );
    expect(ms).toBeLessThan(1000);
    // a small DAG of fragments is fine: 2^3 × 2 = 16 fields
    const small = await gql(app, MARY, fragmentBomb(3, 2));
    expect(small.errors).toBeUndefined();
  });

  it('refuses a fragment that spreads itself with a 400, not a crash in the depth limit', async () => {
    const cycle = await gql(app, MARY, `{ me { ...A } } fragment A on User { ...B } fragment B on User { ...A }`);
    expect(cycle.status).toBe(400);
    expect(codes(cycle)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(cycle.errors![0]!.message).toMatch(/Cannot spread fragment "A" within itself/);
  });

  it('refuses a document of more than GRAPHQL_MAX_TOKENS tokens, however it is made', async () => {
    const long = await gql(app, MARY, `{ me { id ${'__typename '.repeat(5000)} } }`);
    expect(long.status).toBe(400);
    expect(codes(long)).toEqual(['QUERY_TOO_COMPLEX']);
    // nested as deep as the tokens allow (1600 levels, which overflows graphql-js's parser): refused up front
    const nest = (levels: number) =>
      `{ me ${'{ practitioner { user '.repeat(levels / 2)}{ id }${' } }'.repeat(levels / 2)} }`;
    const nested = await gql(app, MARY, nest(1600));
    expect(nested.status).toBe(400);
    expect(codes(nested)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(nested.errors![0]!.message).toMatch(/nested more than 200 levels deep/);
    // less deep, it reaches the depth limit
    const deep = await gql(app, MARY, nest(150));
    expect(codes(deep)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(deep.errors![0]!.message).toMatch(/exceeds maximum operation depth/);
    // comments are not tokens: a long comment is read, not refused
    const commented = await gql(app, MARY, `# ${'x'.repeat(100_000)}\n{ me { id } }`);
    expect(commented.errors).toBeUndefined();
  });

  it('still runs the portal-sized queries and introspection', async () => {
    const deep = await gql(
      app,
      MARY,
      `{ organizations { id name children { id } studies(first: 10) { totalCount nodes { id name scopeRequests { codingCode }
        dataSources { name } patients(first: 100) { totalCount nodes { id nameGiven identifiers { value } organizations { id }
        consents { studies { study { id } scopeConsents { consented } } } observations(first: 1) { totalCount } } } } } } }`,
    );
    expect(deep.errors).toBeUndefined();
    expect(deep.data!.organizations.length).toBeGreaterThan(0);
    const introspection = await gql(app, MARY, getIntrospectionQuery());
    expect(introspection.errors).toBeUndefined();
    expect(introspection.data!.__schema.types.length).toBeGreaterThan(10);
  });

  it('refuses a cost over GRAPHQL_MAX_COMPLEXITY and pages over 1000', async () => {
    const costly = await gql(
      app,
      MARY,
      `{ organizations { studies(first: 1000) { nodes { patients(first: 1000) { nodes { id } } } } } }`,
    );
    expect(costly.status).toBe(400);
    expect(codes(costly)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(costly.errors![0]!.message).toMatch(/exceeds the limit of 100000/);
    const page = await gql(app, MARY, `{ observations(filter: {}, first: 1001) { nodes { id } } }`);
    expect(codes(page)).toEqual(['BAD_USER_INPUT']);
    expect(page.status).toBe(200); // a field's error, as GraphQL answers it
    expect(page.errors![0]!.message).toMatch(/first: must be an integer from 0 to 1000/);
  });

  it('refuses uploads of more than 1000 observations, and attachments over 256 KiB', async () => {
    const input = (data: string) => ({
      code: { coding: [{ system: 'https://w3id.org/openmhealth', code: 'omh:heart-rate:2.0' }] },
      device: { reference: 'Device/70001' },
      subject: { reference: 'Patient/40001' },
      valueAttachment: { contentType: 'application/json', data },
    });
    const upload = `mutation ($observations: [ObservationInput!]!) {
      uploadObservations(observations: $observations) { index status error { code message } }
    }`;
    const many = await gql(app, 'peter@example.com', upload, { observations: Array(1001).fill(input('e30=')) });
    expect(codes(many)).toEqual(['BAD_USER_INPUT']);
    expect(many.errors![0]!.message).toMatch(/at most 1000 per upload \(got 1001\)/);
    const big = Buffer.from(JSON.stringify({ pad: 'x'.repeat(256 * 1024) })).toString('base64');
    const large = await gql(app, 'peter@example.com', upload, { observations: [input(big)] });
    expect(large.data!.uploadObservations[0].error.message).toMatch(/larger than 262144 bytes/);
  });

  it('refuses batched requests, bodies over 2mb and bodies that are not JSON, in GraphQL’s format', async () => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(app, MARY)}` };
    const batch = await fetch(`${app.baseUrl}/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { email } }' }]),
    });
    expect(batch.status).toBe(400);
    expect(await batch.text()).toMatch(/batching/i);
    const big = await fetch(`${app.baseUrl}/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: '{ me { id } }', variables: { pad: 'x'.repeat(2 * 1024 * 1024) } }),
    });
    expect(big.status).toBe(413);
    expect((await json(big)).errors[0]).toEqual({
      message: 'The request body is larger than 2mb',
      extensions: { code: 'PAYLOAD_TOO_LARGE' },
    });
    const broken = await fetch(`${app.baseUrl}/graphql`, { method: 'POST', headers, body: '{"query": ' });
    expect(broken.status).toBe(400);
    expect((await json(broken)).errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});

const SEARCH_GQL = `{ observations(filter: { patientId: "40001" }, first: 5) { nodes { id } } }`;

describe('statement timeout (DB_STATEMENT_TIMEOUT_MS)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ DB_STATEMENT_TIMEOUT_MS: '1000' });
    await tokenFor(app, MARY);
    await tokenFor(app, 'peter@example.com');
  });
  afterAll(() => app?.close());

  const LOCK_OBSERVATIONS = 'lock table observations in access exclusive mode';

  it('answers a search whose statement is cancelled with 503 TIMEOUT on both faces', async () => {
    await whileLocked(app, LOCK_OBSERVATIONS, async () => {
      const response = await fetch(`${app.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(app, MARY)}` },
        body: JSON.stringify({ query: SEARCH_GQL }),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      const graphql = await json(response);
      expect(graphql.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['TIMEOUT']);
      expect(graphql.errors[0].message).toMatch(/did not answer in time \(DB_STATEMENT_TIMEOUT_MS\)/);
      const fhir = await fhirFetch(app, '/Observation?patient=40001&_count=5', { as: MARY });
      expect(fhir.status).toBe(503);
      expect(fhir.headers.get('retry-after')).toBe('5');
      expect(fhir.body.resourceType).toBe('OperationOutcome');
      expect(fhir.body.issue[0]).toMatchObject({ severity: 'error', code: 'timeout' });
      expect(fhir.body.issue[0].diagnostics).toMatch(/DB_STATEMENT_TIMEOUT_MS/);
    });
    // the same requests once the table is free
    expect((await gql(app, MARY, SEARCH_GQL)).status).toBe(200);
    expect((await fhirFetch(app, '/Observation?patient=40001&_count=5', { as: MARY })).status).toBe(200);
  });

  it('answers 503 when the viewer’s own statement is cancelled (before any resolver runs)', async () => {
    await whileLocked(app, 'lock table users in access exclusive mode', async () => {
      const response = await fetch(`${app.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(app, MARY)}` },
        body: JSON.stringify({ query: '{ me { id } }' }),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      const body = await json(response);
      expect(body.errors[0].extensions.code).toBe('TIMEOUT');
      const fhir = await fhirFetch(app, '/Patient/40001', { as: MARY });
      expect(fhir.status).toBe(503);
      expect(fhir.body.issue[0].code).toBe('timeout');
    });
  });

  it('stores nothing of a batch whose insert is cancelled, and takes the same batch whole afterwards', async () => {
    const upload = bundle('batch', [
      observation({ patient: 40001, omh: heartRate(70), identifier: 'timeout-1' }),
      observation({ patient: 40001, omh: heartRate(71), identifier: 'timeout-2' }),
    ]);
    const before = await observationCount(app);
    // reads go on, writes wait
    const answer = await whileLocked(app, 'lock table observations in share mode', () =>
      fhirFetch(app, '/', { as: 'peter@example.com', body: upload }),
    );
    expect(answer.status).toBe(503);
    expect(answer.body.issue[0].code).toBe('timeout');
    expect(await observationCount(app)).toBe(before);
    const again = await fhirFetch(app, '/', { as: 'peter@example.com', body: upload });
    expect(again.body.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual(['201', '201']);
    expect(await observationCount(app)).toBe(before + 2);
  });

  it('leaves migrations, seeding and the CLI without a statement timeout', async () => {
    let empty: TestDatabase | undefined;
    const database = await connectDatabase(
      loadConfig({ DATABASE_URL: app.db.url, DB_STATEMENT_TIMEOUT_MS: '50' }),
      () => {},
    );
    try {
      const admin = database.orm.em.getConnection();
      const serving = (await database.servingOrm()).em.getConnection();
      expect(await admin.execute('show statement_timeout')).toEqual([{ statement_timeout: '0' }]);
      expect(await serving.execute('show statement_timeout')).toEqual([{ statement_timeout: '50ms' }]);
      await expect(admin.execute('select pg_sleep(0.2)')).resolves.toBeDefined();
      await expect(serving.execute('select pg_sleep(0.2)')).rejects.toMatchObject({ code: '57014' });
      // the built CLI seeds and generates with a 1 ms timeout configured: none of it applies there
      empty = await createTestDatabase('empty');
      const env = { ...process.env, DATABASE_URL: empty.url, DB_STATEMENT_TIMEOUT_MS: '1' };
      const run = promisify(execFile);
      await run(process.execPath, ['dist/cli.js', 'seed'], { env });
      const generated = await run(process.execPath, ['dist/cli.js', 'generate', '--observations', '2k'], { env });
      expect(Number(/(\d+) observations/.exec(generated.stdout)?.[1])).toBeGreaterThanOrEqual(2000);
    } finally {
      await database.close();
      await empty?.drop();
    }
  });
});

describe('request timeout (REQUEST_TIMEOUT_MS)', () => {
  let app: TestApp;
  let logs: CollectedLogs;
  beforeAll(async () => {
    logs = collectLogs();
    // statements may wait far longer than the request: only the request timeout can answer
    app = await startTestApp({ REQUEST_TIMEOUT_MS: '2000', DB_STATEMENT_TIMEOUT_MS: '60000' });
    await tokenFor(app, MARY);
  });
  afterAll(() => app?.close());
  afterEach(() => vi.restoreAllMocks());

  const LOCK_OBSERVATIONS = 'lock table observations in access exclusive mode';
  const lateAnswerLogged = (mark: number, method: string, route: string) =>
    vi.waitFor(
      () =>
        expect(logs.since(mark)).toContainEqual(
          expect.objectContaining({
            level: 'warn',
            method,
            route,
            msg: expect.stringContaining('answered after the request timeout'),
          }),
        ),
      { timeout: 20_000, interval: 50 },
    );
  /** error lines other than the requests' own (a 503 is logged at error) */
  const errorsSince = (mark: number) => logs.since(mark).filter((l) => l.level === 'error' && !isRequestLine(l));

  it('answers a GraphQL request still running after the timeout with 503 TIMEOUT, and drops its late answer', async () => {
    const mark = logs.lines.length;
    const { result, ms } = await timed(() => whileLocked(app, LOCK_OBSERVATIONS, () => gql(app, MARY, SEARCH_GQL)));
    expect(result.status).toBe(503);
    expect(codes(result)).toEqual(['TIMEOUT']);
    expect(result.errors![0]!.message).toMatch(/not answered within 2000 ms \(REQUEST_TIMEOUT_MS\)/);
    expect(ms).toBeGreaterThanOrEqual(1900);
    // the lock is gone: the handler finishes, and its answer goes nowhere, quietly
    await lateAnswerLogged(mark, 'POST', '/graphql');
    expect(errorsSince(mark)).toEqual([]);
    expect((await gql(app, MARY, SEARCH_GQL)).status).toBe(200);
  });

  it('answers a FHIR request still running after the timeout with a 503 OperationOutcome', async () => {
    const mark = logs.lines.length;
    const fhir = await whileLocked(app, LOCK_OBSERVATIONS, () =>
      fhirFetch(app, '/Observation?patient=40001&_count=5', { as: MARY }),
    );
    expect(fhir.status).toBe(503);
    expect(fhir.headers.get('retry-after')).toBe('5');
    expect(fhir.headers.get('content-type')).toMatch(/application\/fhir\+json/);
    expect(fhir.body.issue[0]).toMatchObject({ code: 'timeout' });
    expect(fhir.body.issue[0].diagnostics).toMatch(/REQUEST_TIMEOUT_MS/);
    await lateAnswerLogged(mark, 'GET', '/fhir/r5/Observation');
    expect(errorsSince(mark)).toEqual([]);
  });

  it('bounds the other routes too, in plain text', async () => {
    const ready = await whileLocked(app, 'lock table oidc_payloads in access exclusive mode', () =>
      fetch(
        `${app.baseUrl}/o/auth?client_id=portal&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(`${app.baseUrl}/auth/callback`)}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`,
        { redirect: 'manual' },
      ),
    );
    expect(ready.status).toBe(503);
    expect(await ready.text()).toMatch(/REQUEST_TIMEOUT_MS/);
  });

  it('cuts off a client that does not finish its headers (Node answers 408)', async () => {
    const url = new URL(app.baseUrl);
    const { result: answer, ms } = await timed(
      () =>
        new Promise<string>((resolve, reject) => {
          const socket = net.connect(Number(url.port), url.hostname, () => {
            socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
          });
          let received = '';
          socket.on('data', (chunk) => (received += chunk.toString()));
          socket.on('close', () => resolve(received));
          socket.on('error', reject);
        }),
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(6000);
  });
});
