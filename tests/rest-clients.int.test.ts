import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { rest } from './support/rest.js';
import { allPages } from './support/rest-pages.js';
import { gqlWith, patientToken, scopedToken } from './support/scoped-tokens.js';
import { ORG, PATIENT, STUDY } from './support/seed-viewers.js';
import { gql, tokenFor } from './support/tokens.js';

/**
 * `/api/v1/clients`, `/studies/{id}/clients`, `/patients/{id}/consolidated_clients` and the client_id of
 * `/patients/{id}/invitation_link`, over real HTTP with real tokens. The seed's clients: 90001 CommonHealth
 * (`commonhealth`, data sources 70001 iHealth and 70002 Dexcom) and 90002 CareX (`carex`, 70003), both held by
 * the BIDS studies 30001 and 30002. Sam (super user) manages clients; mary (manager of BIDS 20003) and megan
 * (member there) read them and add them to or remove them from BIDS studies; victor (viewer of BIDS) reads;
 * mark (manager of Cardiology and Moslehi) does not see BIDS studies; peter is a patient of BIDS.
 */

let app: TestApp;
let peter: string;
beforeAll(async () => {
  app = await startTestApp();
  peter = (await patientToken(app, PATIENT.peter, 'patient/*.cruds')).access_token;
});
afterAll(() => app?.close());

const SAM = 'sam@example.com';
const MARY = 'mary@example.com';
const MEGAN = 'megan@example.com';
const VICTOR = 'victor@example.com';
const MARK = 'mark@example.com';

type Who = string | { token: string };
const as = (who: Who) => (typeof who === 'string' ? { as: who } : who);
const call = (who: Who, path: string, init: { method?: string; body?: unknown } = {}) =>
  rest(app, path, { ...as(who), ...init });
const graph = (who: Who, query: string, variables: Record<string, unknown> = {}) =>
  typeof who === 'string' ? gql(app, who, query, variables) : gqlWith(who.token, app, query, variables);

let serial = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++serial}`;
const ids = (rows: { id: number }[]) => rows.map((r) => r.id);

const IHEALTH = { id: 70001, name: 'iHealth', type: 'personal_device' };
const DEXCOM = { id: 70002, name: 'Dexcom', type: 'personal_device' };
const CAREX_SOURCE = { id: 70003, name: 'CareX', type: 'personal_device' };
const COMMONHEALTH = {
  id: 90001,
  name: 'CommonHealth',
  clientId: 'commonhealth',
  invitationUrl:
    'https://play.google.com/store/apps/details?id=org.thecommons.commonhealth&referrer=cloud_sharing=CODE',
};
const CAREX = { id: 90002, name: 'CareX', clientId: 'carex', invitationUrl: 'https://carex.ai/?invitation=CODE' };
const BIDS_BP_HR = {
  id: STUDY.bidsBpHr,
  name: 'BIDS Study on BP & HR',
  description: 'Blood pressure and heart rate at home.',
  organization: ORG.bids,
  iconUrl: null,
};

const CLIENT_FIELDS = 'id name clientId invitationUrl redirectUris confidential dataSources { id name type }';
/** GraphQL's client as the REST face shows it. */
const fromGraphQL = (c: any) => ({
  ...c,
  id: Number(c.id),
  dataSources: c.dataSources.map((d: any) => ({ ...d, id: Number(d.id), type: d.type.toLowerCase() })),
});

async function newClient(extra: Record<string, unknown> = {}) {
  const created = await call(SAM, '/clients', {
    body: { name: 'Test app', clientId: unique('app'), redirectUris: ['https://app.example/cb'], ...extra },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

async function newStudy() {
  const created = await call(MARY, '/studies', {
    body: { name: unique('Study'), description: 'made by a test', organization: ORG.bids },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as number;
}

async function newPatient(studyIds: number[] = []) {
  const created = await call(MARY, '/patients', {
    body: {
      organizationId: ORG.bids,
      telecomEmail: `${unique('pat')}@example.org`,
      nameFamily: 'Client',
      nameGiven: 'Test',
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.id as number;
  for (const study of studyIds) {
    expect((await call(MARY, `/studies/${study}/patients`, { body: { patientIds: [id] } })).status).toBe(201);
  }
  return id;
}

/** A GET with a JSON body, as Python's requests can send (fetch cannot). */
async function getWithBody(email: string, path: string, body: unknown) {
  const token = await tokenFor(app, email);
  const payload = JSON.stringify(body);
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request(
      `${app.baseUrl}/api/v1${path}`,
      {
        method: 'GET',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('GET /clients and /clients/{id}', () => {
  it('a DRF page of clients for practitioners, the same as GraphQL; patients 403, no token 401', async () => {
    const { status, body } = await call(MARY, '/clients');
    expect(status).toBe(200);
    expect(body).toMatchObject({ count: 2, next: null, previous: null });
    expect(body.results[0]).toEqual({
      ...COMMONHEALTH,
      redirectUris: [expect.stringMatching(/\/auth\/callback$/)],
      confidential: false,
      dataSources: [IHEALTH, DEXCOM],
    });
    expect(body.results[1]).toMatchObject({ ...CAREX, confidential: false, dataSources: [CAREX_SOURCE] });
    for (const who of [MARY, MEGAN, VICTOR, MARK, SAM]) {
      const expected = (await graph(who, `{ clients { ${CLIENT_FIELDS} } }`)).data!.clients.map(fromGraphQL);
      const { results, pages } = await allPages(app, '/clients?page_size=1', { as: who });
      expect(results, who).toEqual(expected);
      expect(pages).toHaveLength(2);
    }
    const patient = await call({ token: peter }, '/clients');
    expect(patient.status).toBe(403);
    expect(patient.body).toEqual({ detail: expect.any(String) });
    expect((await graph({ token: peter }, '{ clients { id } }')).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await rest(app, '/clients')).status).toBe(401);
  });

  it('one client; unknown and malformed ids 404; patients 403', async () => {
    const { status, body } = await call(VICTOR, '/clients/90002');
    expect(status).toBe(200);
    expect(body).toMatchObject({ ...CAREX, dataSources: [CAREX_SOURCE] });
    const expected = (await gql(app, VICTOR, `{ client(id: "90002") { ${CLIENT_FIELDS} } }`)).data!.client;
    expect(body).toEqual(fromGraphQL(expected));
    const unknown = await call(MARY, '/clients/99999');
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toMatch(/Client 99999 not found/);
    expect((await call(MARY, '/clients/carex')).status).toBe(404);
    expect((await call({ token: peter }, '/clients/90002')).status).toBe(403);
  });

  it('/clients/{id}/data_sources: a plain array of DataSource, as /data_sources shows them', async () => {
    const { status, body } = await call(MEGAN, '/clients/90001/data_sources');
    expect(status).toBe(200);
    expect(ids(body)).toEqual([70001, 70002]);
    expect(body[0]).toEqual((await call(MEGAN, '/data_sources/70001')).body);
    expect(body[1]).toEqual((await call(MEGAN, '/data_sources/70002')).body);
    expect((await call(MEGAN, '/clients/99999/data_sources')).status).toBe(404);
    expect((await call({ token: peter }, '/clients/90001/data_sources')).status).toBe(403);
  });
});

describe('POST, PUT, PATCH and DELETE /clients', () => {
  it('super users create a public client (201, clientSecret null) and a confidential one (its secret once)', async () => {
    const clientId = unique('pub');
    const created = await call(SAM, '/clients', {
      body: {
        name: 'Public app',
        clientId,
        redirectUris: ['com.example.app:/callback', 'http://127.0.0.1/callback'],
        invitationUrl: 'https://app.example/join?code=CODE',
        dataSourceIds: [70002, 70001, 70002],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(Number),
      name: 'Public app',
      clientId,
      invitationUrl: 'https://app.example/join?code=CODE',
      redirectUris: ['com.example.app:/callback', 'http://127.0.0.1/callback'],
      confidential: false,
      dataSources: [IHEALTH, DEXCOM],
      clientSecret: null,
    });
    const { clientSecret, ...shown } = created.body;
    expect(clientSecret).toBeNull();
    expect((await call(MARY, `/clients/${created.body.id}`)).body).toEqual(shown);

    const secret = await call(SAM, '/clients', {
      body: {
        name: 'Server app',
        client_id: unique('conf'),
        redirect_uris: ['https://srv.example/cb'],
        confidential: true,
      },
    });
    expect(secret.status).toBe(201);
    expect(secret.body).toMatchObject({ confidential: true, invitationUrl: null, dataSources: [] });
    expect(secret.body.clientSecret).toMatch(/^\S{40,}$/);
    const again = await call(SAM, `/clients/${secret.body.id}`);
    expect(again.body.confidential).toBe(true);
    expect(JSON.stringify(again.body)).not.toContain(secret.body.clientSecret);
  });

  it('members, managers, viewers and patients may not create, change or delete clients (403)', async () => {
    const { id } = await newClient();
    const changes: [string, string, unknown][] = [
      ['POST', '/clients', { name: 'Nope', clientId: unique('nope'), redirectUris: ['https://n.example/cb'] }],
      ['PUT', `/clients/${id}`, { name: 'Nope', redirectUris: ['https://n.example/cb'] }],
      ['PATCH', `/clients/${id}`, { name: 'Nope' }],
      ['DELETE', `/clients/${id}`, undefined],
      ['PATCH', '/clients/90002', { invitationUrl: null }],
      ['DELETE', '/clients/90002', undefined],
    ];
    for (const who of [MARY, MEGAN, VICTOR, { token: peter }]) {
      for (const [method, path, body] of changes) {
        const answer = await call(who, path, { method, body });
        expect(answer.status, `${JSON.stringify(who)} ${method} ${path}`).toBe(403);
        expect(answer.body).toEqual({ detail: expect.any(String) });
      }
    }
    expect((await call(MARY, `/clients/${id}`)).body.name).toBe('Test app');
    expect((await call(MARY, '/clients/90002')).body).toMatchObject(CAREX);
    const viaGraphQL = await gql(app, MARY, 'mutation { updateClient(id: "90002", input: { name: "x" }) { id } }');
    expect(viaGraphQL.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('super users change clients with PATCH and PUT (200) and delete them (204)', async () => {
    const { id, clientId } = await newClient({ invitationUrl: 'https://app.example/?i=CODE' });
    const patched = await call(SAM, `/clients/${id}`, { method: 'PATCH', body: { name: 'Renamed' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, name: 'Renamed', clientId, invitationUrl: 'https://app.example/?i=CODE' });
    const cleared = await call(SAM, `/clients/${id}`, { method: 'PATCH', body: { invitationUrl: null } });
    expect(cleared.body.invitationUrl).toBeNull();
    const put = await call(SAM, `/clients/${id}`, {
      method: 'PUT',
      body: {
        name: 'Replaced',
        clientId,
        confidential: false,
        redirectUris: ['https://other.example/cb'],
        dataSourceIds: [70003],
      },
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      id,
      name: 'Replaced',
      clientId,
      invitationUrl: null,
      redirectUris: ['https://other.example/cb'],
      confidential: false,
      dataSources: [CAREX_SOURCE],
    });
    expect((await call(MARY, `/clients/${id}/data_sources`)).body.map((d: { id: number }) => d.id)).toEqual([70003]);
    const deleted = await call(SAM, `/clients/${id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeNull();
    expect((await call(MARY, `/clients/${id}`)).status).toBe(404);
    expect((await call(SAM, `/clients/${id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await call(SAM, '/clients/99999', { method: 'PATCH', body: { name: 'x' } })).status).toBe(404);
    expect(
      (await call(SAM, '/clients/99999', { method: 'PUT', body: { name: 'x', redirectUris: ['https://x.example'] } }))
        .status,
    ).toBe(404);
  });

  it('bad bodies are 400s naming the field; unknown data sources 404; nothing is created', async () => {
    const before = (await call(SAM, '/clients')).body.count;
    const body = (extra: Record<string, unknown>) => ({
      name: 'Bad app',
      clientId: unique('bad'),
      redirectUris: ['https://bad.example/cb'],
      ...extra,
    });
    const cases: [Record<string, unknown>, RegExp][] = [
      [body({ clientId: 'Not An Id' }), /^clientId: must match pattern/],
      [body({ clientId: 'ab' }), /^clientId: must match pattern/],
      [body({ clientId: 42 }), /^clientId: must be string/],
      [body({ invitationUrl: 'https://bad.example/?invitation=' }), /^invitationUrl: must contain CODE/],
      [body({ invitationUrl: 'javascript:alert(1)//CODE' }), /^invitationUrl: must be an absolute URL/],
      [body({ invitationUrl: 'not a url CODE' }), /^invitationUrl: must be an absolute URL/],
      [body({ redirectUris: [] }), /^redirectUris: must NOT have fewer than 1 items/],
      [body({ redirectUris: ['javascript:alert(1)'] }), /^redirectUris\.0: must be an absolute URL/],
      [body({ redirectUris: ['https://bad.example/cb#x'] }), /^redirectUris\.0: must not contain a fragment/],
      [body({ redirectUris: 'https://bad.example/cb' }), /^redirectUris: must be array/],
      [body({ dataSourceIds: ['iHealth'] }), /^dataSourceIds\.0: must be integer/],
      [body({ confidential: 'yes' }), /^confidential: must be boolean/],
      [body({ name: '' }), /^name: /],
      [body({ secret: 'x' }), /^secret: unknown parameter/],
      [{ clientId: unique('bad'), redirectUris: ['https://bad.example/cb'] }, /^name: .*required/],
      [{ name: 'x', clientId: unique('bad') }, /^redirectUris: .*required/],
    ];
    for (const [bad, detail] of cases) {
      const answer = await call(SAM, '/clients', { body: bad });
      expect(answer.status, JSON.stringify(bad)).toBe(400);
      expect(answer.body.detail, JSON.stringify(bad)).toMatch(detail);
    }
    const unknown = await call(SAM, '/clients', { body: body({ dataSourceIds: [70001, 79999] }) });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toMatch(/Data source 79999 not found/);
    expect((await call(SAM, '/clients')).body.count).toBe(before);

    const { id, clientId } = await newClient();
    const changes: [string, unknown, RegExp][] = [
      ['PATCH', {}, /must NOT have fewer than 1 properties/],
      ['PATCH', { invitationUrl: 'https://x.example/' }, /^invitationUrl: must contain CODE/],
      ['PATCH', { redirectUris: [] }, /^redirectUris: /],
      ['PATCH', { clientId: unique('other') }, /^clientId: .*cannot change/],
      ['PATCH', { confidential: true }, /^confidential: /],
      ['PATCH', { clientId }, /Nothing to update/],
      ['PUT', { name: 'x' }, /^redirectUris: .*required/],
      ['PUT', { redirectUris: ['https://x.example/cb'] }, /^name: .*required/],
    ];
    for (const [method, bad, detail] of changes) {
      const answer = await call(SAM, `/clients/${id}`, { method, body: bad });
      expect(answer.status, `${method} ${JSON.stringify(bad)}`).toBe(400);
      expect(answer.body.detail, `${method} ${JSON.stringify(bad)}`).toMatch(detail);
    }
    expect((await call(SAM, `/clients/${id}`, { method: 'PATCH', body: { dataSourceIds: [79999] } })).status).toBe(404);
    expect((await call(SAM, `/clients/${id}`)).body).toMatchObject({ clientId, name: 'Test app', dataSources: [] });
  });

  it('a taken OAuth client id is a 409 (a client’s, or a first-party one’s)', async () => {
    for (const clientId of ['carex', 'portal', 'patient-app']) {
      const taken = await call(SAM, '/clients', {
        body: { name: 'Dup', clientId, redirectUris: ['https://dup.example/cb'] },
      });
      expect(taken.status, clientId).toBe(409);
      expect(taken.body.detail).toMatch(/already exists/);
    }
  });

  it('a super user’s token without *.c cannot create (403 naming the scope), and reads with *.rs', async () => {
    const readOnly = (await scopedToken(app, SAM, 'user/*.rs')).access_token;
    const answer = await call({ token: readOnly }, '/clients', {
      body: { name: 'x', clientId: unique('scope'), redirectUris: ['https://s.example/cb'] },
    });
    expect(answer.status).toBe(403);
    expect(answer.body.detail).toMatch(/user\/\*\.c/);
    expect((await call({ token: readOnly }, '/clients')).status).toBe(200);
    expect((await call({ token: readOnly }, '/clients/90001')).status).toBe(200);
  });
});

describe('/studies/{id}/clients', () => {
  it('GET: a plain array of {id, study, client}, as the study’s other links, the same as GraphQL’s Study.clients', async () => {
    const { status, body } = await call(MARY, `/studies/${STUDY.bidsBpHr}/clients`);
    expect(status).toBe(200);
    expect(body).toEqual([
      { id: 90001, study: BIDS_BP_HR, client: COMMONHEALTH },
      { id: 90002, study: BIDS_BP_HR, client: CAREX },
    ]);
    // the study as /studies/{id}/data_sources shows it
    expect(body[0].study).toEqual((await call(MARY, `/studies/${STUDY.bidsBpHr}/data_sources`)).body[0].study);
    for (const who of [MARY, VICTOR, { token: peter }]) {
      const expected = (
        await graph(who, `{ study(id: "${STUDY.bidsBpHr}") { clients { id name clientId invitationUrl } } }`)
      ).data!.study.clients.map((c: any) => ({ ...c, id: Number(c.id) }));
      const rows = (await call(who, `/studies/${STUDY.bidsBpHr}/clients`)).body;
      expect(rows.map((r: any) => r.client)).toEqual(expected);
    }
    expect((await call(MARY, `/studies/${STUDY.cardioRr}/clients`)).status).toBe(404);
    expect((await call(MARK, `/studies/${STUDY.cardioRr}/clients`)).body).toEqual([]);
    expect((await call(MARK, `/studies/${STUDY.moslehiBt}/clients`)).body.map((r: any) => r.id)).toEqual([90001]);
    expect((await call(MARY, '/studies/39999/clients')).status).toBe(404);
  });

  it('members and managers add a client (201 the link; 409 twice; 404 unknown) and remove it (204; then 404)', async () => {
    const study = await newStudy();
    expect((await call(MARY, `/studies/${study}/clients`)).body).toEqual([]);
    const added = await call(MARY, `/studies/${study}/clients`, { body: { clientId: 90002 } });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      id: 90002,
      study: {
        id: study,
        name: expect.any(String),
        description: 'made by a test',
        organization: ORG.bids,
        iconUrl: null,
      },
      client: CAREX,
    });
    expect((await call(MEGAN, `/studies/${study}/clients`, { body: { client_id: 90001 } })).status).toBe(201);
    const twice = await call(MARY, `/studies/${study}/clients`, { body: { clientId: 90002 } });
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toMatch(/already holds/);
    const unknown = await call(MARY, `/studies/${study}/clients`, { body: { clientId: 99999 } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toMatch(/Client 99999 not found/);
    expect((await call(MARY, '/studies/39999/clients', { body: { clientId: 90002 } })).status).toBe(404);
    expect(ids((await call(VICTOR, `/studies/${study}/clients`)).body)).toEqual([90001, 90002]);
    const viaGraphQL = await gql(app, VICTOR, `{ study(id: "${study}") { clients { id } } }`);
    expect(viaGraphQL.data!.study.clients.map((c: { id: string }) => Number(c.id))).toEqual([90001, 90002]);
    const removed = await call(MEGAN, `/studies/${study}/clients`, { method: 'DELETE', body: { clientId: 90001 } });
    expect(removed.status).toBe(204);
    expect(removed.body).toBeNull();
    expect(ids((await call(MARY, `/studies/${study}/clients`)).body)).toEqual([90002]);
    const again = await call(MARY, `/studies/${study}/clients`, { method: 'DELETE', body: { clientId: 90001 } });
    expect(again.status).toBe(404);
  });

  it('viewers and patients 403, other organizations 404 (as GraphQL answers); bad bodies 400 naming the field', async () => {
    const study = await newStudy();
    await call(MARY, `/studies/${study}/clients`, { body: { clientId: 90001 } });
    for (const method of ['POST', 'DELETE']) {
      const body = { clientId: method === 'POST' ? 90002 : 90001 };
      expect((await call(VICTOR, `/studies/${study}/clients`, { method, body })).status, method).toBe(403);
      expect((await call(MARK, `/studies/${study}/clients`, { method, body })).status, method).toBe(404);
      expect((await call(MARK, `/studies/${STUDY.bidsBp}/clients`, { method, body })).status, method).toBe(404);
      const patient = await call({ token: peter }, `/studies/${STUDY.bidsBpHr}/clients`, { method, body });
      expect(patient.status, method).toBe(403);
      for (const [bad, detail] of [
        [{}, /^clientId: .*required/],
        [{ clientId: 'carex' }, /^clientId: must be integer/],
        [{ clientId: 0 }, /^clientId: must be >= 1/],
        [{ clientId: 90002, studyId: study }, /^studyId: unknown parameter/],
      ] as const) {
        const answer = await call(MARY, `/studies/${study}/clients`, { method, body: bad });
        expect(answer.status, `${method} ${JSON.stringify(bad)}`).toBe(400);
        expect(answer.body.detail).toMatch(detail);
      }
    }
    const mark = await gql(app, MARK, `mutation { addStudyClient(studyId: "${study}", clientId: "90002") { id } }`);
    expect(mark.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const victor = await gql(app, VICTOR, `mutation { addStudyClient(studyId: "${study}", clientId: "90002") { id } }`);
    expect(victor.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(ids((await call(MARY, `/studies/${study}/clients`)).body)).toEqual([90001]);
    expect(ids((await call(MARY, `/studies/${STUDY.bidsBpHr}/clients`)).body)).toEqual([90001, 90002]);
  });
});

describe('/patients/{id}/consolidated_clients and invitation_link?client_id', () => {
  it('a link from the client’s template for a client of the patient’s studies; the legacy link without', async () => {
    const study = await newStudy();
    await call(MARY, `/studies/${study}/clients`, { body: { clientId: 90002 } });
    const patient = await newPatient([study]);
    const host = new URL(app.config.publicUrl).host;
    const carex = await call(MEGAN, `/patients/${patient}/invitation_link?client_id=90002`);
    expect(carex.status).toBe(200);
    expect(carex.body.invitationLink).toMatch(
      new RegExp(`^https://carex\\.ai/\\?invitation=${host.replaceAll('.', '\\.')}\\|[A-Za-z0-9_-]{20,}$`),
    );
    const camel = await call(MEGAN, `/patients/${patient}/invitation_link?clientId=90002`);
    expect(camel.body.invitationLink.startsWith(`https://carex.ai/?invitation=${host}|`)).toBe(true);
    const inBody = await getWithBody(MEGAN, `/patients/${patient}/invitation_link`, { client_id: 90002 });
    expect(inBody.status).toBe(200);
    expect(inBody.body.invitationLink.startsWith(`https://carex.ai/?invitation=${host}|`)).toBe(true);
    const legacy = await call(MEGAN, `/patients/${patient}/invitation_link`);
    expect(legacy.body.invitationLink.startsWith(`${app.config.auth.invitationLinkPrefix}${host}|`)).toBe(true);

    // CommonHealth is a client of BIDS studies the patient is not in
    const other = await call(MEGAN, `/patients/${patient}/invitation_link?client_id=90001`);
    expect(other.status).toBe(400);
    expect(other.body.detail).toMatch(/Client 90001 is not a client of any of this patient’s studies/);
    expect((await call(MEGAN, `/patients/${patient}/invitation_link?client_id=99999`)).status).toBe(400);
    const bad = await call(MEGAN, `/patients/${patient}/invitation_link?client_id=carex`);
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/^client_id: /);
    const badBody = await getWithBody(MEGAN, `/patients/${patient}/invitation_link`, { clientId: 'carex' });
    expect(badBody.status).toBe(400);
    expect(badBody.body.detail).toMatch(/^clientId: /);
    const both = await getWithBody(MEGAN, `/patients/${patient}/invitation_link?client_id=90002`, { clientId: 90001 });
    expect(both.status).toBe(400);
    expect(both.body.detail).toMatch(/^clientId: /);
    expect((await call(VICTOR, `/patients/${patient}/invitation_link?client_id=90002`)).status).toBe(403);
    expect((await call(MARK, `/patients/${patient}/invitation_link?client_id=90002`)).status).toBe(404);
  });

  it('lists the clients of the patient’s studies, each with the patient’s invitations to it, newest first', async () => {
    const study = await newStudy();
    await call(MARY, `/studies/${study}/clients`, { body: { clientId: 90002 } });
    const patient = await newPatient([study]);
    const path = `/patients/${patient}/consolidated_clients`;
    expect((await call(MARY, path)).body).toEqual([{ ...CAREX, patientInvitations: [] }]);
    await call(MARY, `/patients/${patient}/invitation_link?client_id=90002`);
    await call(MARY, `/patients/${patient}/invitation_link?client_id=90002`);
    await call(MARY, `/patients/${patient}/invitation_link`); // the patient app's: no client record
    const { status, body } = await call(MEGAN, path);
    expect(status).toBe(200);
    expect(body).toEqual([
      {
        ...CAREX,
        patientInvitations: [
          expect.objectContaining({ id: expect.any(Number), status: 'pending', redeemedAt: null }),
          expect.objectContaining({ status: 'superseded', supersededAt: expect.any(String) }),
        ],
      },
    ]);
    const graphql = await gql(
      app,
      MEGAN,
      `{ patientClients(patientId: "${patient}") { id } patientInvitations(patientId: "${patient}") { id clientId } }`,
    );
    expect(body.map((c: { id: number }) => String(c.id))).toEqual(
      graphql.data!.patientClients.map((c: { id: string }) => c.id),
    );
    expect(body[0].patientInvitations.map((i: { id: number }) => String(i.id))).toEqual(
      graphql
        .data!.patientInvitations.filter((i: { clientId: string }) => i.clientId === 'carex')
        .map((i: { id: string }) => i.id),
    );
    expect(JSON.stringify(body)).not.toMatch(/"(code|codeVerifier|invitationLink|link)"/);

    // enrolled in a BIDS study with both seeded clients as well: each once, by id
    await call(MARY, `/studies/${STUDY.bidsBp}/patients`, { body: { patientIds: [patient] } });
    const both = (await call(MARY, path)).body;
    expect(both.map((c: { id: number }) => c.id)).toEqual([90001, 90002]);
    expect(both[0]).toEqual({ ...COMMONHEALTH, patientInvitations: [] });
    expect(both[1].patientInvitations).toHaveLength(2);

    expect((await call(VICTOR, path)).status).toBe(403);
    expect((await call(MARK, path)).status).toBe(404);
    expect((await call(MARY, `/patients/${await newPatient()}/consolidated_clients`)).body).toEqual([]);
  });
});

describe('the OpenAPI document', () => {
  it('lists the client routes with their bodies and answers', async () => {
    const { body } = await rest(app, '/schema');
    for (const path of [
      '/clients',
      '/clients/{id}',
      '/clients/{id}/data_sources',
      '/studies/{id}/clients',
      '/patients/{id}/consolidated_clients',
    ]) {
      expect(Object.keys(body.paths), path).toContain(path);
    }
    expect(Object.keys(body.paths['/clients'])).toEqual(['get', 'post']);
    expect(Object.keys(body.paths['/clients/{id}'])).toEqual(['get', 'put', 'patch', 'delete']);
    expect(Object.keys(body.paths['/studies/{id}/clients'])).toEqual(['get', 'post', 'delete']);
    const post = body.paths['/clients'].post;
    expect(post.requestBody.content['application/json'].schema.required).toEqual(['name', 'clientId', 'redirectUris']);
    expect(Object.keys(post.responses['201'].content['application/json'].schema.properties)).toEqual([
      'id',
      'name',
      'clientId',
      'invitationUrl',
      'redirectUris',
      'confidential',
      'dataSources',
      'clientSecret',
    ]);
    expect(body.paths['/clients/{id}'].get.responses['200'].content['application/json'].schema.description).toMatch(
      /JupyterHealth’s client `\{id, name, clientId, invitationUrl\}`, and the gateway’s `redirectUris`/,
    );
    const link = body.paths['/patients/{id}/invitation_link'].get;
    expect(link.parameters.map((p: { name: string }) => p.name)).toContain('client_id');
    expect(link.requestBody.required).toBe(false);
  });
});
