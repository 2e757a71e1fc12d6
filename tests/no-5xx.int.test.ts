import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidError } from '../src/errors.js';
import { createObservations } from '../src/services/observation-ingest.js';
import { draftObservation } from '../src/services/observation-inputs.js';
import { startTestApp, type TestApp } from './support/app.js';
import { contextFor } from './support/context.js';
import { fhirFetch } from './support/fhir.js';
import { bundle, heartRate, observation } from './support/omh.js';
import { rest } from './support/rest.js';
import { codes, gql, tokenFor } from './support/tokens.js';

/** The inputs fuzzing found answered with a 5xx (issue 23), each as its smallest reproduction. */
const PETER = 'peter@example.com';
const MARY = 'mary@example.com';
const BIDS = '20003';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await Promise.all([tokenFor(app, PETER), tokenFor(app, MARY)]);
});
afterAll(() => app?.close());

const count = async () => {
  const [row] = await app.db.orm.em.getConnection().execute<{ n: string }[]>('select count(*) as n from observations');
  return Number(row!.n);
};
const diagnostics = (outcome: any) => outcome.issue[0].diagnostics as string;

let serial = 0;
const good = () => observation({ patient: 40001, omh: heartRate(60 + (serial % 40)), identifier: `no5xx-${++serial}` });
const nested = (levels: number) => {
  let extension: unknown[] = [{ url: 'https://example.org/leaf', valueString: 'x' }];
  for (let i = 0; i < levels; i++) extension = [{ url: 'https://example.org/level', extension }];
  return extension;
};
const withNulSystem = () => {
  const o = good();
  o.code.coding[0]!.system = 'https://w3id.org/\u0000openmhealth';
  return o;
};
const withIdentifier = (value: string) => ({ ...good(), identifier: [{ system: 'https://app.example/ids', value }] });

describe('FHIR uploads', () => {
  it('refuses a NUL in any string, an identifier past its column, a 2000-level extension: 4xx naming the element', async () => {
    const nul = await fhirFetch(app, '/Observation', { as: PETER, body: withNulSystem() });
    expect(nul.status).toBe(400);
    expect(diagnostics(nul.body)).toBe('Observation.code.coding[0].system must not contain NUL characters (\\u0000)');
    const nulId = await fhirFetch(app, '/Observation', { as: PETER, body: withIdentifier('a\u0000b') });
    expect(nulId.status).toBe(400);
    expect(nulId.body.issue[0].expression).toEqual(['Observation.identifier[0].value']);
    const long = await fhirFetch(app, '/Observation', { as: PETER, body: withIdentifier('x'.repeat(20_000)) });
    expect(long.status).toBe(422);
    expect(diagnostics(long.body)).toBe('/identifier/0/value must be at most 255 characters');
    const deep = await fhirFetch(app, '/Observation', { as: PETER, body: { ...good(), extension: nested(2000) } });
    expect(deep.status).toBe(400);
    expect(diagnostics(deep.body)).toMatch(
      /^Observation\.extension\[0\](\.extension\[0\])+ is nested more than 32 levels deep$/,
    );
    // a NUL inside the Open mHealth data point, and a reference past the ids the tables hold
    const omh = { ...heartRate(61), note: 'a\u0000b' };
    const nulOmh = await fhirFetch(app, '/Observation', { as: PETER, body: observation({ patient: 40001, omh }) });
    expect(nulOmh.status).toBe(422);
    expect(diagnostics(nulOmh.body)).toBe('/valueAttachment/data/note must not contain NUL characters (\\u0000)');
    const far = await fhirFetch(app, '/Observation', { as: PETER, body: observation({ patient: 9_999_999_999, omh }) });
    expect(far.status).toBe(404);
  });

  it('refuses an Observation with two value[x]', async () => {
    const two = await fhirFetch(app, '/Observation', { as: PETER, body: { ...good(), valueString: 'also' } });
    expect(two.status).toBe(400);
    expect(diagnostics(two.body)).toBe('Observation may have one value[x] only (got valueAttachment, valueString)');
  });

  it('answers a batch entry by entry whatever the bad ones hold, storing the good ones', async () => {
    const before = await count();
    const entries = [
      good(),
      withNulSystem(),
      withIdentifier('x'.repeat(20_000)),
      { ...good(), extension: nested(2000) },
      good(),
      { ...good(), valueString: 'also' },
      'not an object',
    ];
    const response = await fhirFetch(app, '/', { as: PETER, body: bundle('batch', entries) });
    expect(response.status).toBe(200);
    expect(response.body.entry.map((e: any) => e.response.status)).toEqual([
      '201',
      '400',
      '422',
      '400',
      '201',
      '400',
      '400',
    ]);
    expect(await count()).toBe(before + 2);
    // a transaction with one such entry stores nothing, and says which
    const atomic = await fhirFetch(app, '/', { as: PETER, body: bundle('transaction', [good(), withNulSystem()]) });
    expect(atomic.status).toBe(400);
    expect(diagnostics(atomic.body)).toMatch(/^entry 1: /);
    expect(await count()).toBe(before + 2);
  });

  it('behind the checks: a value the database refuses fails only its own upload (batch), or all of it (atomic)', async () => {
    const ctx = await contextFor(app.db.orm, PETER);
    const draft = () => draftObservation(good());
    // what no edge lets through: a NUL escape in the JSON text stored as jsonb
    const refused = { ...draft(), omhJson: draft().omhJson.replace(/}$/, ',"note":"\\u0000"}') };
    const before = await count();
    const results = await createObservations(ctx, [draft(), refused, draft()]);
    expect(results.map((r) => r.status)).toEqual(['created', 'error', 'created']);
    const [, error] = results;
    expect(error?.status === 'error' && error.error).toBeInstanceOf(InvalidError);
    expect(await count()).toBe(before + 2);
    await expect(createObservations(ctx, [draft(), refused], { atomic: true })).rejects.toThrow(
      /cannot be stored \(such as NUL/,
    );
    expect(await count()).toBe(before + 2);
  });
});

describe('FHIR search', () => {
  it('refuses impossible dates, NUL characters and over-long values with 400', async () => {
    for (const query of [
      'date=2026-13-01',
      'date=ge2026-02-30',
      '_lastUpdated=2026-02-29',
      'date=2026-01-01T25:00:00Z',
      'patient.identifier=https%3A%2F%2Fx%7Ca%00b',
      `code=${'x'.repeat(2000)}%7Cy`,
    ]) {
      const response = await fhirFetch(app, `/Observation?${query}`, { as: PETER });
      expect(response.status, query).toBe(400);
      expect(response.body.resourceType, query).toBe('OperationOutcome');
    }
    expect((await fhirFetch(app, '/Observation?date=ge2026-02-28', { as: PETER })).status).toBe(200);
  });
});

describe('GraphQL', () => {
  const CREATE_STUDY = `mutation ($input: CreateStudyInput!) { createStudy(input: $input) { id } }`;

  it('refuses NUL and over-long strings, in variables and literals, with BAD_USER_INPUT naming the field', async () => {
    const nul = await gql(app, MARY, CREATE_STUDY, { input: { organizationId: BIDS, name: 'a\u0000b' } });
    expect(nul.status).toBe(400);
    expect(nul.errors).toEqual([
      {
        message: 'input.name: must not contain NUL characters (\\u0000)',
        extensions: { code: 'BAD_USER_INPUT', field: 'input.name' },
      },
    ]);
    const literal = await gql(
      app,
      MARY,
      `mutation { createStudy(input: { organizationId: "${BIDS}", name: "a\\u0000b" }) { id } }`,
    );
    expect(literal.status).toBe(400);
    expect(literal.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.name' });
    const long = await gql(app, MARY, CREATE_STUDY, {
      input: { organizationId: BIDS, name: 'x', description: 'x'.repeat(1_100_000) },
    });
    expect(long.status).toBe(400);
    expect(long.errors![0]!.message).toBe('input.description: must be at most 1048576 characters');
    // a filter's string goes no further either
    const filter = await gql(app, MARY, `query ($v: String) { patients(identifierValue: $v) { totalCount } }`, {
      v: '\u0000',
    });
    expect(codes(filter)).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses fragment cycles, self-references and unknown fragments as validation errors', async () => {
    for (const query of [
      `{ me { ...A } } fragment A on User { ...A }`,
      `{ me { ...A } } fragment A on User { id ...B } fragment B on User { ... on User { ...A } }`,
      `{ me { ...Missing } }`,
      `fragment A on User { ...A }`,
    ]) {
      const result = await gql(app, MARY, query);
      expect(result.status, query).toBe(400);
      expect(codes(result), query).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    }
  });

  it('answers bodies it cannot read in JSON, never an HTML page', async () => {
    const post = (body: string, contentType = 'application/json') =>
      fetch(`${app.baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': contentType }, body });
    for (const [response, status] of [
      [await post('{"query": '), 400],
      [await post('{"query": "{ me { id } }"}', 'application/json; charset=latin1'), 415],
      [await post('[1, 2'), 400],
    ] as const) {
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
    }
  });

  it('answers a bogus persisted query with a client error code', async () => {
    const send = (body: object) =>
      fetch(`${app.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { errors: { extensions: { code: string } }[] },
      }));
    const mismatch = await send({
      query: '{ __typename }',
      extensions: { persistedQuery: { version: 1, sha256Hash: 'bogus' } },
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
    const version = await send({
      query: '{ __typename }',
      extensions: { persistedQuery: { version: 2, sha256Hash: 'x' } },
    });
    expect(version.status).toBe(400);
    expect(version.body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
    const unknown = await send({ extensions: { persistedQuery: { version: 1, sha256Hash: 'bogus' } } });
    expect(unknown.status).toBeLessThan(500);
    expect(unknown.body.errors[0]!.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('/api/v1', () => {
  it('refuses NUL characters, unbounded strings and deep nesting with 400 {"detail"}', async () => {
    const create = (body: unknown) => rest(app, '/studies', { as: MARY, body });
    const nul = await create({ name: 'a\u0000b', description: '', organization: Number(BIDS) });
    expect(nul).toMatchObject({ status: 400, body: { detail: 'name: must not contain NUL characters (\\u0000)' } });
    const deep = await create(`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`);
    expect(deep.status).toBe(400);
    expect(deep.body.detail).toMatch(/is nested more than 32 levels deep$/);
    const patch = await rest(app, '/patients/40001', { as: MARY, method: 'PATCH', body: { nameFamily: '\u0000' } });
    expect(patch).toMatchObject({
      status: 400,
      body: { detail: 'nameFamily: must not contain NUL characters (\\u0000)' },
    });
    const query = await rest(app, '/patients?organization_id=20003&patient_identifier_value=%00', { as: MARY });
    expect(query.status).toBe(400);
  });
});
