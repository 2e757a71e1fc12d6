import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { rest } from './support/rest.js';
import { gqlWith, patientToken, scopedToken } from './support/scoped-tokens.js';
import { CODE, PATIENT } from './support/seed-viewers.js';
import { gql } from './support/tokens.js';

/**
 * `/api/v1/data_sources` over real HTTP with real tokens: the catalog of data sources (70001 iHealth, 70002
 * Dexcom, 70003 CareX, 70004 Oura) and codes (50001–50012) is read by anyone signed in and kept by super users
 * (sam); members, managers and patients are refused its changes with 403.
 */

let app: TestApp;
let peter: string;
beforeAll(async () => {
  app = await startTestApp();
  peter = (await patientToken(app, PATIENT.peter, 'patient/*.cruds')).access_token;
});
afterAll(() => app?.close());

const MARY = 'mary@example.com';
const MEGAN = 'megan@example.com';
const SAM = 'sam@example.com';
const OMH = 'https://w3id.org/openmhealth';

type Who = string | { token: string };
const as = (who: Who) => (typeof who === 'string' ? { as: who } : who);
const call = (who: Who, path: string, init: { method?: string; body?: unknown } = {}) =>
  rest(app, path, { ...as(who), ...init });

let serial = 0;
const unique = (prefix: string) => `${prefix} ${Date.now().toString(36)}-${++serial}`;
const ids = (rows: { id: number }[]) => rows.map((r) => r.id);

/** Every row of a paged list, following `next` to the end; checks that every page says the same count. */
async function walk(who: Who, path: string) {
  const rows: any[] = [];
  const first = await call(who, path);
  expect(first.status, path).toBe(200);
  for (let page = first; ; page = await call(who, page.body.next)) {
    expect(page.status).toBe(200);
    expect(page.body.count).toBe(first.body.count);
    rows.push(...page.body.results);
    if (!page.body.next) break;
  }
  expect(rows).toHaveLength(first.body.count);
  return rows;
}

async function newSource(type = 'device') {
  const created = await call(SAM, '/data_sources', { body: { name: unique('Source'), type } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as number;
}

const code = (id: number, codingCode: string, text: string) => ({ id, codingSystem: OMH, codingCode, text });
const DEXCOM = {
  id: 70002,
  name: 'Dexcom',
  type: 'personal_device',
  supportedScopes: [code(CODE.bg, 'omh:blood-glucose:4.0', 'Blood glucose')],
};

describe('GET /data_sources', () => {
  it('a DRF page of DataSource with supportedScopes, for anyone signed in, the same as GraphQL', async () => {
    const { status, body } = await call(MEGAN, '/data_sources');
    expect(status).toBe(200);
    expect(body).toMatchObject({ count: 4, next: null, previous: null });
    expect(ids(body.results)).toEqual([70001, 70002, 70003, 70004]);
    expect(body.results[1]).toEqual(DEXCOM);
    expect(body.results[0].supportedScopes.map((c: { id: number }) => c.id)).toEqual([
      CODE.bg,
      CODE.bp,
      CODE.bt,
      CODE.hr,
      CODE.o2,
    ]);
    for (const who of [MEGAN, SAM, { token: peter }]) {
      const query = '{ dataSources { id name type supportedScopes { id } } }';
      const graph = typeof who === 'string' ? await gql(app, who, query) : await gqlWith(who.token, app, query);
      const expected = graph.data!.dataSources.map((d: any) => ({
        id: Number(d.id),
        name: d.name,
        type: d.type.toLowerCase(),
        supportedScopes: d.supportedScopes.map((c: { id: string }) => Number(c.id)),
      }));
      const rows = (await walk(who, '/data_sources?page_size=3')).map((d: any) => ({
        ...d,
        supportedScopes: ids(d.supportedScopes),
      }));
      expect(rows).toEqual(expected);
    }
    expect((await rest(app, '/data_sources')).status).toBe(401);
  });

  it('pages: page_size and page, limit and offset, next to the end, previous, past the end, bad cursors', async () => {
    expect(ids(await walk(MARY, '/data_sources?page_size=1'))).toEqual([70001, 70002, 70003, 70004]);
    const first = await call(MARY, '/data_sources?pageSize=3');
    expect(ids(first.body.results)).toEqual([70001, 70002, 70003]);
    expect(new URL(first.body.next).pathname).toBe('/api/v1/data_sources');
    const second = await call(MARY, first.body.next);
    expect(second.body).toMatchObject({ count: 4, next: null });
    expect(ids(second.body.results)).toEqual([70004]);
    expect(ids((await call(MARY, second.body.previous)).body.results)).toEqual([70001, 70002, 70003]);
    expect(ids((await call(MARY, '/data_sources?page=2&page_size=3')).body.results)).toEqual([70004]);
    expect(ids((await call(MARY, '/data_sources?limit=2&offset=1')).body.results)).toEqual([70002, 70003]);
    expect((await call(MARY, '/data_sources?page=3&page_size=3')).body).toMatchObject({
      count: 4,
      next: null,
      results: [],
    });
    const bad = await call(MARY, '/data_sources?cursor=bm9wZQ');
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/^cursor: /);
    expect((await call(MARY, '/data_sources?page_size=0')).status).toBe(400);
    expect((await call(MARY, '/data_sources?page=0')).status).toBe(400);
    expect((await call(MARY, '/data_sources?type=device')).status).toBe(400);
  });
});

describe('GET /data_sources/{id} and /data_sources/all_scopes', () => {
  it('one data source; unknown and malformed ids are 404s', async () => {
    expect(await call(MEGAN, '/data_sources/70002')).toMatchObject({ status: 200, body: DEXCOM });
    expect((await call({ token: peter }, '/data_sources/70002')).body).toEqual(DEXCOM);
    const unknown = await call(MEGAN, '/data_sources/79999');
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toMatch(/Data source 79999 not found/);
    expect((await call(MEGAN, '/data_sources/dexcom')).status).toBe(404);
  });

  it('all_scopes: a plain array of every code, as GraphQL’s codeableConcepts', async () => {
    const { status, body } = await call(MEGAN, '/data_sources/all_scopes');
    expect(status).toBe(200);
    expect(body).toHaveLength(12);
    expect(body[0]).toEqual(code(50001, 'omh:blood-glucose:4.0', 'Blood glucose'));
    expect(body[11]).toEqual(code(50012, 'omh:sleep-duration:2.0', 'Sleep duration'));
    const graph = await gql(app, MEGAN, '{ codeableConcepts { id codingSystem codingCode text } }');
    expect(body).toEqual(graph.data!.codeableConcepts.map((c: any) => ({ ...c, id: Number(c.id) })));
    expect((await call({ token: peter }, '/data_sources/all_scopes')).body).toEqual(body);
  });
});

describe('POST, PUT, PATCH and DELETE /data_sources', () => {
  it('super users create (201 DataSource), change (200) and delete (204) data sources', async () => {
    const name = unique('Withings');
    const created = await call(SAM, '/data_sources', { body: { name, type: 'medical_device' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(Number), name, type: 'medical_device', supportedScopes: [] });
    const { id } = created.body;
    const put = await call(SAM, `/data_sources/${id}`, {
      method: 'PUT',
      body: { name: `${name} 2`, type: 'patient_app' },
    });
    expect(put).toMatchObject({ status: 200, body: { id, name: `${name} 2`, type: 'patient_app' } });
    const patch = await call(SAM, `/data_sources/${id}`, { method: 'PATCH', body: { type: 'device' } });
    expect(patch).toMatchObject({ status: 200, body: { id, name: `${name} 2`, type: 'device', supportedScopes: [] } });
    expect((await call(MEGAN, `/data_sources/${id}`)).body.type).toBe('device');
    const deleted = await call(SAM, `/data_sources/${id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeNull();
    expect((await call(MEGAN, `/data_sources/${id}`)).status).toBe(404);
    expect((await call(SAM, `/data_sources/${id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('members, managers and patients are refused (403), whatever the id; unknown ids are 404 to super users', async () => {
    const id = await newSource();
    const changes: [string, string, unknown][] = [
      ['POST', '/data_sources', { name: unique('Nope'), type: 'device' }],
      ['PUT', `/data_sources/${id}`, { name: unique('Nope'), type: 'device' }],
      ['PATCH', `/data_sources/${id}`, { type: 'medical_device' }],
      ['DELETE', `/data_sources/${id}`, undefined],
      ['PATCH', '/data_sources/79999', { type: 'medical_device' }],
    ];
    for (const who of [MEGAN, MARY, { token: peter }]) {
      for (const [method, path, body] of changes) {
        const answer = await call(who, path, { method, body });
        expect(answer.status, `${JSON.stringify(who)} ${method} ${path}`).toBe(403);
        expect(answer.body).toEqual({ detail: expect.any(String) });
      }
    }
    expect((await call(MEGAN, `/data_sources/${id}`)).body).toMatchObject({ id, type: 'device' });
    expect((await call(SAM, '/data_sources/79999', { method: 'PATCH', body: { type: 'device' } })).status).toBe(404);
    expect(
      (await call(SAM, '/data_sources/79999', { method: 'PUT', body: { name: unique('x'), type: 'device' } })).status,
    ).toBe(404);
    expect((await call(SAM, '/data_sources/79999', { method: 'DELETE' })).status).toBe(404);
  });

  it('conflicts are 409s: a taken name, a data source observations still name', async () => {
    const taken = await call(SAM, '/data_sources', { body: { name: 'Dexcom', type: 'device' } });
    expect(taken.status).toBe(409);
    expect(taken.body.detail).toMatch(/already exists/);
    const id = await newSource();
    expect((await call(SAM, `/data_sources/${id}`, { method: 'PATCH', body: { name: 'Oura' } })).status).toBe(409);
    const inUse = await call(SAM, '/data_sources/70001', { method: 'DELETE' });
    expect(inUse.status).toBe(409);
    expect(inUse.body.detail).toMatch(/still has observations/);
  });

  it('bad bodies are 400s naming the field', async () => {
    const id = await newSource();
    const cases: [string, string, unknown, RegExp][] = [
      ['POST', '/data_sources', { type: 'device' }, /^name: .*required/],
      ['POST', '/data_sources', { name: unique('x') }, /^type: .*required/],
      [
        'POST',
        '/data_sources',
        { name: unique('x'), type: 'MEDICAL_DEVICE' },
        /^type: must be one of personal_device, /,
      ],
      ['POST', '/data_sources', { name: unique('x'), type: 'watch' }, /^type: /],
      ['POST', '/data_sources', { name: '', type: 'device' }, /^name: /],
      ['POST', '/data_sources', { name: 7, type: 'device' }, /^name: must be string/],
      [
        'POST',
        '/data_sources',
        { name: unique('x'), type: 'device', supportedScopes: [] },
        /^supportedScopes: unknown/,
      ],
      ['PUT', `/data_sources/${id}`, { name: unique('x') }, /^type: .*required/],
      ['PATCH', `/data_sources/${id}`, {}, /must NOT have fewer than 1 properties/],
      ['PATCH', `/data_sources/${id}`, { name: '   ' }, /^name: must not be empty/],
    ];
    for (const [method, path, body, detail] of cases) {
      const answer = await call(SAM, path, { method, body });
      expect(answer.status, `${method} ${JSON.stringify(body)}`).toBe(400);
      expect(answer.body.detail, `${method} ${JSON.stringify(body)}`).toMatch(detail);
    }
  });

  it('a super user’s token without Device.c cannot create (403 naming the scope)', async () => {
    const readOnly = (await scopedToken(app, SAM, 'user/*.rs')).access_token;
    const answer = await call({ token: readOnly }, '/data_sources', { body: { name: unique('x'), type: 'device' } });
    expect(answer.status).toBe(403);
    expect(answer.body.detail).toMatch(/user\/Device\.c/);
    expect((await call({ token: readOnly }, '/data_sources/70001')).status).toBe(200);
  });
});

describe('/data_sources/{id}/supported_scopes', () => {
  it('GET: a plain array of {id, dataSource, scopeCode}; unknown data sources 404', async () => {
    const { status, body } = await call(MEGAN, '/data_sources/70003/supported_scopes');
    expect(status).toBe(200);
    const careX = { id: 70003, name: 'CareX', type: 'personal_device' };
    expect(body).toEqual([
      { id: CODE.bp, dataSource: careX, scopeCode: code(CODE.bp, 'omh:blood-pressure:4.0', 'Blood pressure') },
      { id: CODE.hr, dataSource: careX, scopeCode: code(CODE.hr, 'omh:heart-rate:2.0', 'Heart rate') },
    ]);
    expect((await call({ token: peter }, '/data_sources/70003/supported_scopes')).body).toEqual(body);
    expect((await call(MEGAN, '/data_sources/79999/supported_scopes')).status).toBe(404);
  });

  it('super users add (201 the new one; 409 twice; 404 unknown code or source) and remove (204; then 404)', async () => {
    const id = await newSource();
    const added = await call(SAM, `/data_sources/${id}/supported_scopes`, { body: { scopeCodeId: CODE.hr } });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      id: CODE.hr,
      dataSource: { id, name: expect.any(String), type: 'device' },
      scopeCode: code(CODE.hr, 'omh:heart-rate:2.0', 'Heart rate'),
    });
    expect((await call(SAM, `/data_sources/${id}/supported_scopes`, { body: { scope_code_id: CODE.rr } })).status).toBe(
      201,
    );
    const twice = await call(SAM, `/data_sources/${id}/supported_scopes`, { body: { scopeCodeId: CODE.hr } });
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toMatch(/already supports/);
    expect((await call(SAM, `/data_sources/${id}/supported_scopes`, { body: { scopeCodeId: 59999 } })).status).toBe(
      404,
    );
    expect((await call(SAM, '/data_sources/79999/supported_scopes', { body: { scopeCodeId: CODE.hr } })).status).toBe(
      404,
    );
    expect(ids((await call(MEGAN, `/data_sources/${id}/supported_scopes`)).body)).toEqual([CODE.hr, CODE.rr]);
    expect((await call(MEGAN, `/data_sources/${id}`)).body.supportedScopes.map((c: { id: number }) => c.id)).toEqual([
      CODE.hr,
      CODE.rr,
    ]);
    const removed = await call(SAM, `/data_sources/${id}/supported_scopes`, {
      method: 'DELETE',
      body: { scopeCodeId: CODE.hr },
    });
    expect(removed.status).toBe(204);
    expect(ids((await call(MEGAN, `/data_sources/${id}/supported_scopes`)).body)).toEqual([CODE.rr]);
    const again = await call(SAM, `/data_sources/${id}/supported_scopes`, {
      method: 'DELETE',
      body: { scopeCodeId: CODE.hr },
    });
    expect(again.status).toBe(404);
  });

  it('members, managers and patients are refused (403); bad bodies are 400s naming the field', async () => {
    for (const method of ['POST', 'DELETE']) {
      for (const who of [MEGAN, MARY, { token: peter }]) {
        const answer = await call(who, '/data_sources/70002/supported_scopes', {
          method,
          body: { scopeCodeId: method === 'POST' ? CODE.hr : CODE.bg },
        });
        expect(answer.status, `${JSON.stringify(who)} ${method}`).toBe(403);
      }
      for (const [bad, detail] of [
        [{}, /^scopeCodeId: .*required/],
        [{ scopeCodeId: 'omh:heart-rate:2.0' }, /^scopeCodeId: must be integer/],
        [{ scopeCodeId: 0 }, /^scopeCodeId: must be >= 1/],
        [{ scopeCodeId: CODE.hr, dataSourceId: 70002 }, /^dataSourceId: unknown parameter/],
      ] as const) {
        const answer = await call(SAM, '/data_sources/70002/supported_scopes', { method, body: bad });
        expect(answer.status, `${method} ${JSON.stringify(bad)}`).toBe(400);
        expect(answer.body.detail).toMatch(detail);
      }
    }
    expect(ids((await call(MEGAN, '/data_sources/70002/supported_scopes')).body)).toEqual([CODE.bg]);
  });
});
