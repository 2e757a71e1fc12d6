import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { rest } from './support/rest.js';
import { gqlWith, patientToken, scopedToken } from './support/scoped-tokens.js';
import { CODE, ORG, PATIENT, STUDY } from './support/seed-viewers.js';
import { gql } from './support/tokens.js';

/**
 * `/api/v1/studies` over real HTTP with real tokens: each route's answer shape, who may (mary manages BIDS
 * 20003 with studies 30001 and 30002, megan is a member there, victor a viewer; mark manages Cardiology 20006 and
 * Moslehi 20007 with 30003 and 30004; sam is a super user; peter a patient of BIDS enrolled in 30001 and 30002),
 * bad bodies naming the field, unknown ids, paging, and the same rows as GraphQL gives the same user.
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
const VICTOR = 'victor@example.com';
const MARK = 'mark@example.com';
const SAM = 'sam@example.com';
const TOM = 'tom@example.com';

type Who = string | { token: string };
const as = (who: Who) => (typeof who === 'string' ? { as: who } : who);
const call = (who: Who, path: string, init: { method?: string; body?: unknown } = {}) =>
  rest(app, path, { ...as(who), ...init });

let serial = 0;
const unique = (prefix: string) => `${prefix} ${Date.now().toString(36)}-${++serial}`;

/** Every row of a paged list, following `next` to the end; checks that every page says the same count. */
async function walk(who: Who, path: string) {
  const rows: any[] = [];
  const first = await call(who, path);
  expect(first.status, path).toBe(200);
  const { count } = first.body;
  for (let page = first; ; page = await call(who, page.body.next)) {
    expect(page.status).toBe(200);
    expect(page.body.count).toBe(count);
    rows.push(...page.body.results);
    if (!page.body.next) break;
  }
  expect(rows).toHaveLength(count);
  return rows;
}
const ids = (rows: { id: number }[]) => rows.map((r) => r.id);

async function newStudy(who = MARY, extra: Record<string, unknown> = {}) {
  const created = await call(who, '/studies', {
    body: { name: unique('Study'), description: 'made by a test', organization: ORG.bids, ...extra },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as number;
}

async function newPatient() {
  const result = await gql(
    app,
    MARY,
    `mutation ($e: String!) { createPatient(input: { organizationId: "20003", email: $e, nameFamily: "Rest", nameGiven: "R" }) { id } }`,
    { e: `${unique('p').replace(' ', '-')}@example.org` },
  );
  return Number(result.data!.createPatient.id);
}

const BIDS_STUDY = {
  id: STUDY.bidsBpHr,
  name: 'BIDS Study on BP & HR',
  description: 'Blood pressure and heart rate at home.',
  organization: { id: ORG.bids, name: 'Berkeley Institute for Data Science (BIDS)', type: 'laboratory' },
  iconUrl: null,
};

describe('GET /studies', () => {
  it('lists the studies of the viewer’s organizations as StudyRead, in a DRF page', async () => {
    const { status, body } = await call(MARY, '/studies');
    expect(status).toBe(200);
    expect(body).toEqual({ count: 2, next: null, previous: null, results: expect.any(Array) });
    expect(body.results[0]).toEqual(BIDS_STUDY);
    expect(ids(body.results)).toEqual([STUDY.bidsBpHr, STUDY.bidsBp]);
    expect(ids(await walk(MARK, '/studies'))).toEqual([STUDY.cardioRr, STUDY.moslehiBt]);
  });

  it('organization_id (or organizationId) narrows to one organization; one the viewer holds no role in is a 404', async () => {
    expect(ids(await walk(MARK, `/studies?organization_id=${ORG.moslehi}`))).toEqual([STUDY.moslehiBt]);
    expect(ids(await walk(MARK, `/studies?organizationId=${ORG.cardiology}`))).toEqual([STUDY.cardioRr]);
    // mary manages UC Berkeley (20001), which runs no study itself: roles do not inherit down the tree
    expect(ids(await walk(MARY, `/studies?organization_id=${ORG.ucb}`))).toEqual([]);
    const other = await call(MARY, `/studies?organization_id=${ORG.cardiology}`);
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ detail: expect.stringMatching(/not found/) });
    expect((await call(MARY, '/studies?organization_id=99999')).status).toBe(404);
    const bad = await call(MARY, '/studies?organization_id=bids');
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/organization_id/);
  });

  it('answers the same studies as GraphQL for each user, with or without an organization', async () => {
    for (const who of [MARY, MEGAN, VICTOR, MARK, TOM, SAM]) {
      const graph = await gql(app, who, '{ studies(first: 1000) { totalCount nodes { id } } }');
      const expected = graph.data!.studies.nodes.map((s: { id: string }) => Number(s.id));
      expect(ids(await walk(who, '/studies?page_size=2')), who).toEqual(expected);
      const inBids = await gql(app, who, '{ studies(organizationId: "20003") { nodes { id } } }');
      const rest = await call(who, '/studies?organization_id=20003');
      if (inBids.errors) {
        expect(inBids.errors[0]!.extensions?.code).toBe('NOT_FOUND');
        expect(rest.status, who).toBe(404);
      } else {
        expect(ids(rest.body.results), who).toEqual(
          inBids.data!.studies.nodes.map((s: { id: string }) => Number(s.id)),
        );
      }
    }
    // the super user sees every study; tom's are those of BIDS (viewer) and Moslehi and Olgin (member, manager)
    expect(ids(await walk(SAM, '/studies'))).toEqual(expect.arrayContaining(Object.values(STUDY)));
    expect(ids(await walk(TOM, '/studies'))).toEqual([STUDY.bidsBpHr, STUDY.bidsBp, STUDY.moslehiBt, STUDY.olginO2]);
  });

  it('a patient lists the studies they are enrolled in, without the organization they may not see', async () => {
    const { status, body } = await call({ token: peter }, '/studies');
    expect(status).toBe(200);
    expect(ids(body.results)).toEqual([STUDY.bidsBpHr, STUDY.bidsBp]);
    expect(body.results[0]).toEqual({ ...BIDS_STUDY, organization: null });
    expect((await call({ token: peter }, `/studies/${STUDY.cardioRr}`)).status).toBe(404);
    expect((await call({ token: peter }, `/studies?organization_id=${ORG.bids}`)).status).toBe(404);
    // in GraphQL too: Study.organization is null for him (it was a non-null field, and an internal error)
    const graph = await gqlWith(
      peter,
      app,
      '{ study(id: "30001") { organization { id } } me { patient { studies { id organization { id } } } } }',
    );
    expect(graph.errors).toBeUndefined();
    expect(graph.data).toEqual({
      study: { organization: null },
      me: { patient: { studies: [30001, 30002].map((id) => ({ id: String(id), organization: null })) } },
    });
  });

  it('pages: page and page_size, limit and offset, next links (keyset) to the end, previous links, past the end', async () => {
    const all = ids(await walk(SAM, '/studies'));
    expect(all.length).toBeGreaterThanOrEqual(5);
    const first = await call(SAM, '/studies?page_size=2');
    expect(first.body).toMatchObject({ count: all.length, previous: null });
    expect(ids(first.body.results)).toEqual(all.slice(0, 2));
    const next = new URL(first.body.next);
    expect(next.origin + next.pathname).toBe(`${app.baseUrl}/api/v1/studies`);
    expect(next.searchParams.get('cursor')).toEqual(expect.any(String));
    const second = await call(SAM, first.body.next);
    expect(ids(second.body.results)).toEqual(all.slice(2, 4));
    expect(ids((await call(SAM, second.body.previous)).body.results)).toEqual(all.slice(0, 2));
    const page2 = await call(SAM, '/studies?page=2&pageSize=2');
    expect(ids(page2.body.results)).toEqual(all.slice(2, 4));
    expect(page2.body.previous).toEqual(expect.stringContaining('offset=0'));
    expect(ids((await call(SAM, '/studies?limit=3&offset=1')).body.results)).toEqual(all.slice(1, 4));
    // filters survive in the links
    const narrowed = await call(MARK, `/studies?organization_id=${ORG.cardiology}&page_size=1`);
    expect(narrowed.body.next).toBeNull();
    const mark = await call(MARK, '/studies?page_size=1');
    expect(ids((await call(MARK, mark.body.next)).body.results)).toEqual([STUDY.moslehiBt]);
    const beyond = await call(SAM, '/studies?page=1000&page_size=10');
    expect(beyond.status).toBe(200);
    expect(beyond.body).toMatchObject({ count: all.length, next: null, results: [] });
    expect((await call(SAM, '/studies?page_size=0')).status).toBe(400);
    expect((await call(SAM, '/studies?page_size=1001')).status).toBe(400);
    expect((await call(SAM, '/studies?cursor=bm9wZQ')).status).toBe(400);
  });
});

describe('GET /studies/{id}', () => {
  it('one study as StudyRead; another organization’s, an unknown or a malformed id is a 404', async () => {
    expect(await call(VICTOR, `/studies/${STUDY.bidsBpHr}`)).toMatchObject({ status: 200, body: BIDS_STUDY });
    expect((await call(SAM, `/studies/${STUDY.bidsBpHr}`)).body).toEqual(BIDS_STUDY);
    expect((await call(MARK, `/studies/${STUDY.bidsBpHr}`)).status).toBe(404);
    expect((await call(MARY, '/studies/99999')).status).toBe(404);
    expect((await call(MARY, '/studies/abc')).status).toBe(404);
    expect((await rest(app, `/studies/${STUDY.bidsBpHr}`)).status).toBe(401);
  });
});

describe('POST /studies', () => {
  it('members and managers create studies in their organization: 201 StudyWrite', async () => {
    const name = unique('Megan’s study');
    const { status, body } = await call(MEGAN, '/studies', {
      body: {
        name,
        description: 'Sleep and heart rate',
        organization: ORG.bids,
        iconUrl: 'https://icons.example/s.png',
      },
    });
    expect(status).toBe(201);
    expect(body).toEqual({
      id: expect.any(Number),
      name,
      description: 'Sleep and heart rate',
      organization: ORG.bids,
      iconUrl: 'https://icons.example/s.png',
    });
    const read = await call(VICTOR, `/studies/${body.id}`);
    expect(read.body).toEqual({ ...body, organization: BIDS_STUDY.organization });
    // snake_case bodies are taken too; iconUrl is optional
    const snake = await call(MARY, '/studies', {
      body: { name: unique('Snake'), description: '', organization: ORG.bids, icon_url: null },
    });
    expect(snake.status).toBe(201);
    expect(snake.body.iconUrl).toBeNull();
  });

  it('a viewer gets 403, a manager of another organization 404, a patient 404', async () => {
    const body = { name: unique('Nope'), description: 'x', organization: ORG.bids };
    const viewer = await call(VICTOR, '/studies', { body });
    expect(viewer.status).toBe(403);
    expect(viewer.body.detail).toMatch(/member or manager/);
    expect((await call(MARK, '/studies', { body })).status).toBe(404);
    expect((await call({ token: peter }, '/studies', { body })).status).toBe(404);
    expect((await call(MARY, '/studies', { body: { ...body, organization: 99999 } })).status).toBe(404);
  });

  it('bad bodies are 400s naming the field', async () => {
    const good = { name: 'Fine', description: 'x', organization: ORG.bids };
    const cases: [unknown, RegExp][] = [
      [{ description: 'x', organization: ORG.bids }, /^name: .*required/],
      [{ name: 'Fine', organization: ORG.bids }, /^description: .*required/],
      [{ name: 'Fine', description: 'x' }, /^organization: .*required/],
      [{ ...good, organization: '20003' }, /^organization: must be integer/],
      [{ ...good, organization: 0 }, /^organization: /],
      [{ ...good, name: '' }, /^name: /],
      [{ ...good, name: 'x'.repeat(256) }, /^name: /],
      [{ ...good, iconUrl: 'ftp://icons.example/x.png' }, /^iconUrl: must be an http\(s\) URL/],
      [{ ...good, iconUrl: 5 }, /^iconUrl: /],
      [{ ...good, colour: 'red' }, /^colour: unknown parameter/],
      [[good], /^body: must be object/],
    ];
    for (const [body, detail] of cases) {
      const answer = await call(MARY, '/studies', { body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.detail, JSON.stringify(body)).toMatch(detail);
    }
    expect((await call(MARY, '/studies', { body: '{"name": ' })).status).toBe(400);
  });

  it('a token without Group.c cannot create, whatever the roles (403 naming the scope)', async () => {
    const readOnly = (await scopedToken(app, MARY, 'user/*.rs')).access_token;
    const answer = await call({ token: readOnly }, '/studies', {
      body: { name: unique('Read only'), description: 'x', organization: ORG.bids },
    });
    expect(answer.status).toBe(403);
    expect(answer.body.detail).toMatch(/user\/Group\.c/);
    expect((await call({ token: readOnly }, '/studies')).status).toBe(200);
  });
});

describe('PATCH, PUT and DELETE /studies/{id}', () => {
  it('PATCH changes some fields (200 StudyWrite); PUT takes name, description and the same organization', async () => {
    const id = await newStudy();
    const patched = await call(MEGAN, `/studies/${id}`, { method: 'PATCH', body: { description: 'changed' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, description: 'changed', organization: ORG.bids, iconUrl: null });
    const icon = await call(MEGAN, `/studies/${id}`, { method: 'PATCH', body: { iconUrl: 'https://i.example/a.png' } });
    expect(icon.body).toMatchObject({ description: 'changed', iconUrl: 'https://i.example/a.png' });
    const put = await call(MARY, `/studies/${id}`, {
      method: 'PUT',
      body: { name: 'Renamed', description: 'all new', organization: ORG.bids, iconUrl: null },
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ id, name: 'Renamed', description: 'all new', organization: ORG.bids, iconUrl: null });
    expect((await call(VICTOR, `/studies/${id}`)).body).toMatchObject({ name: 'Renamed', iconUrl: null });
  });

  it('a viewer gets 403, another organization’s manager and a patient 404 or 403, unknown ids 404', async () => {
    const id = STUDY.bidsBpHr;
    const body = { description: 'hijacked' };
    expect((await call(VICTOR, `/studies/${id}`, { method: 'PATCH', body })).status).toBe(403);
    expect((await call(MARK, `/studies/${id}`, { method: 'PATCH', body })).status).toBe(404);
    const full = { name: 'x', description: 'x', organization: ORG.bids };
    expect((await call(MARK, `/studies/${id}`, { method: 'PUT', body: full })).status).toBe(404);
    expect((await call(VICTOR, `/studies/${id}`, { method: 'PUT', body: full })).status).toBe(403);
    // peter sees the study he is enrolled in, and may not change it
    expect((await call({ token: peter }, `/studies/${id}`, { method: 'PATCH', body })).status).toBe(403);
    expect((await call({ token: peter }, `/studies/${id}`, { method: 'PUT', body: full })).status).toBe(403);
    expect((await call(MARY, '/studies/99999', { method: 'PATCH', body })).status).toBe(404);
    expect((await call(SAM, '/studies/99999', { method: 'PUT', body: full })).status).toBe(404);
    expect((await call(MARY, `/studies/${id}`)).body.description).toBe(BIDS_STUDY.description);
  });

  it('bad bodies are 400s naming the field; a study does not move to another organization', async () => {
    const id = await newStudy();
    const cases: [string, unknown, RegExp][] = [
      ['PATCH', {}, /must NOT have fewer than 1 properties/],
      ['PATCH', { name: 5 }, /^name: must be string/],
      ['PATCH', { nameFamily: 'x' }, /^nameFamily: unknown parameter/],
      ['PATCH', { organization: ORG.cardiology }, /^organization: a study cannot move/],
      ['PATCH', { organization: ORG.bids }, /Nothing to update/],
      ['PUT', { name: 'x', organization: ORG.bids }, /^description: .*required/],
      ['PUT', { name: 'x', description: 'x', organization: ORG.ccdss }, /^organization: a study cannot move/],
      ['PUT', { name: 'x', description: 'x', organization: ORG.bids, iconUrl: 'not a url' }, /^iconUrl: /],
    ];
    for (const [method, body, detail] of cases) {
      const answer = await call(MARY, `/studies/${id}`, { method, body });
      expect(answer.status, `${method} ${JSON.stringify(body)}`).toBe(400);
      expect(answer.body.detail, `${method} ${JSON.stringify(body)}`).toMatch(detail);
    }
  });

  it('DELETE: 204, then it is gone; viewers 403, other organizations 404', async () => {
    const id = await newStudy();
    expect((await call(VICTOR, `/studies/${id}`, { method: 'DELETE' })).status).toBe(403);
    expect((await call(MARK, `/studies/${id}`, { method: 'DELETE' })).status).toBe(404);
    const deleted = await call(MEGAN, `/studies/${id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeNull();
    expect((await call(MARY, `/studies/${id}`)).status).toBe(404);
    expect((await call(MARY, `/studies/${id}`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('/studies/{id}/patients', () => {
  it('GET: the enrolled patients as Patient, paged, the same as GraphQL; another organization’s study 404', async () => {
    const { status, body } = await call(VICTOR, `/studies/${STUDY.bidsBpHr}/patients`);
    expect(status).toBe(200);
    expect(ids(body.results)).toEqual([PATIENT.peter, PATIENT.pamela]);
    expect(body.results[0]).toMatchObject({
      id: PATIENT.peter,
      jheUserId: 10007,
      nameFamily: 'Patient',
      nameGiven: 'Peter',
      birthDate: '1980-01-01',
      telecomEmail: 'peter@example.com',
      identifiers: [{ system: 'https://ehr.example.com', value: expect.stringContaining('mrn') }],
      organizations: [expect.objectContaining({ id: ORG.bids, type: 'laboratory' })],
    });
    const paged = await walk(MARY, `/studies/${STUDY.bidsBpHr}/patients?page_size=1`);
    expect(ids(paged)).toEqual([PATIENT.peter, PATIENT.pamela]);
    for (const [who, study] of [
      [MARY, STUDY.bidsBp],
      [MARK, STUDY.cardioRr],
      [SAM, STUDY.olginO2],
      [TOM, STUDY.olginO2],
    ] as const) {
      const graph = await gql(app, who, `{ study(id: "${study}") { patients(first: 1000) { nodes { id } } } }`);
      expect(ids(await walk(who, `/studies/${study}/patients`)), `${who} ${study}`).toEqual(
        graph.data!.study.patients.nodes.map((p: { id: string }) => Number(p.id)),
      );
    }
    expect((await call(MARK, `/studies/${STUDY.bidsBpHr}/patients`)).status).toBe(404);
    expect((await call(MARY, '/studies/99999/patients')).status).toBe(404);
    // a patient sees themself alone among the study's patients
    expect(ids((await call({ token: peter }, `/studies/${STUDY.bidsBpHr}/patients`)).body.results)).toEqual([
      PATIENT.peter,
    ]);
  });

  it('POST enrolls patients of the study’s organization (201 studyPatients); DELETE unenrolls them (204)', async () => {
    const study = await newStudy();
    const [a, b] = [await newPatient(), await newPatient()];
    const enrolled = await call(MEGAN, `/studies/${study}/patients`, { body: { patientIds: [a, b, a] } });
    expect(enrolled.status).toBe(201);
    const studyWrite = expect.objectContaining({ id: study, organization: ORG.bids });
    expect(enrolled.body).toEqual({
      studyPatients: [
        { id: a, study: studyWrite, patient: { id: a } },
        { id: b, study: studyWrite, patient: { id: b } },
      ],
    });
    // again: no error, nothing changes (snake_case body)
    expect((await call(MARY, `/studies/${study}/patients`, { body: { patient_ids: [a] } })).status).toBe(201);
    expect(ids(await walk(VICTOR, `/studies/${study}/patients`))).toEqual([a, b]);
    const removed = await call(MEGAN, `/studies/${study}/patients`, { method: 'DELETE', body: { patientIds: [a] } });
    expect(removed.status).toBe(204);
    expect(ids(await walk(VICTOR, `/studies/${study}/patients`))).toEqual([b]);
  });

  it('all or none, naming the patient that cannot be (un)enrolled; viewers 403, other organizations 404', async () => {
    const study = await newStudy();
    const a = await newPatient();
    // percy is a patient of Moslehi Lab, not of BIDS
    const outsider = await call(MARY, `/studies/${study}/patients`, { body: { patientIds: [a, PATIENT.percy] } });
    expect(outsider.status).toBe(400);
    expect(outsider.body.detail).toMatch(/^patientIds\.1: patient 40003 is not a patient of the study’s organization/);
    expect(ids(await walk(MARY, `/studies/${study}/patients`))).toEqual([]);
    expect((await call(MARY, `/studies/${study}/patients`, { body: { patientIds: [a] } })).status).toBe(201);
    const notEnrolled = await call(MARY, `/studies/${study}/patients`, {
      method: 'DELETE',
      body: { patientIds: [a, PATIENT.pamela] },
    });
    expect(notEnrolled.status).toBe(400);
    expect(notEnrolled.body.detail).toMatch(/^patientIds\.1: patient 40002 is not enrolled in the study/);
    expect(ids(await walk(MARY, `/studies/${study}/patients`))).toEqual([a]);

    const body = { patientIds: [a] };
    expect((await call(VICTOR, `/studies/${study}/patients`, { body })).status).toBe(403);
    expect((await call(VICTOR, `/studies/${study}/patients`, { method: 'DELETE', body })).status).toBe(403);
    expect((await call(MARK, `/studies/${study}/patients`, { body })).status).toBe(404);
    expect((await call(MARK, `/studies/${study}/patients`, { method: 'DELETE', body })).status).toBe(404);
    expect((await call({ token: peter }, `/studies/${STUDY.bidsBp}/patients`, { body })).status).toBe(403);
    expect((await call(MARY, '/studies/99999/patients', { body })).status).toBe(404);
    expect(ids(await walk(MARY, `/studies/${study}/patients`))).toEqual([a]);
  });

  it('bad bodies are 400s naming the field', async () => {
    for (const method of ['POST', 'DELETE']) {
      const cases: [unknown, RegExp][] = [
        [{}, /^patientIds: .*required/],
        [{ patientIds: [] }, /^patientIds: must NOT have fewer than 1 items/],
        [{ patientIds: ['40001'] }, /^patientIds\.0: must be integer/],
        [{ patientIds: [40001, -1] }, /^patientIds\.1: /],
        [{ patientIds: 40001 }, /^patientIds: must be array/],
        [{ patientIds: [40001], studyId: 1 }, /^studyId: unknown parameter/],
      ];
      for (const [body, detail] of cases) {
        const answer = await call(MARY, `/studies/${STUDY.bidsBp}/patients`, { method, body });
        expect(answer.status, `${method} ${JSON.stringify(body)}`).toBe(400);
        expect(answer.body.detail, `${method} ${JSON.stringify(body)}`).toMatch(detail);
      }
    }
    const noBody = await call(MARY, `/studies/${STUDY.bidsBp}/patients`, { method: 'DELETE' });
    expect(noBody.status).toBe(400);
  });
});

describe('/studies/{id}/scope_requests', () => {
  it('GET: a plain array of {id, study, scopeCode}; another organization’s study 404', async () => {
    const { status, body } = await call(VICTOR, `/studies/${STUDY.bidsBpHr}/scope_requests`);
    expect(status).toBe(200);
    const study = { ...BIDS_STUDY, organization: ORG.bids };
    expect(body).toEqual([
      {
        id: CODE.bp,
        study,
        scopeCode: {
          id: CODE.bp,
          codingSystem: 'https://w3id.org/openmhealth',
          codingCode: 'omh:blood-pressure:4.0',
          text: 'Blood pressure',
        },
      },
      { id: CODE.hr, study, scopeCode: expect.objectContaining({ id: CODE.hr, codingCode: 'omh:heart-rate:2.0' }) },
    ]);
    const graph = await gql(app, MARK, `{ study(id: "${STUDY.cardioRr}") { scopeRequests { id } } }`);
    expect(ids((await call(MARK, `/studies/${STUDY.cardioRr}/scope_requests`)).body)).toEqual(
      graph.data!.study.scopeRequests.map((c: { id: string }) => Number(c.id)),
    );
    expect((await call(MARK, `/studies/${STUDY.bidsBpHr}/scope_requests`)).status).toBe(404);
    expect((await call(MARY, '/studies/99999/scope_requests')).status).toBe(404);
    // the patient sees what the study asks of them, without its organization
    const own = await call({ token: peter }, `/studies/${STUDY.bidsBpHr}/scope_requests`);
    expect(own.body[0].study).toEqual({ ...study, organization: null });
  });

  it('POST adds one (201 the new one; 409 twice; 404 unknown code); DELETE removes it (204; then 404)', async () => {
    const id = await newStudy();
    const added = await call(MEGAN, `/studies/${id}/scope_requests`, { body: { scopeCodeId: CODE.bg } });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      id: CODE.bg,
      study: expect.objectContaining({ id, organization: ORG.bids }),
      scopeCode: {
        id: CODE.bg,
        codingSystem: 'https://w3id.org/openmhealth',
        codingCode: 'omh:blood-glucose:4.0',
        text: 'Blood glucose',
      },
    });
    expect((await call(MEGAN, `/studies/${id}/scope_requests`, { body: { scope_code_id: CODE.hr } })).status).toBe(201);
    const twice = await call(MARY, `/studies/${id}/scope_requests`, { body: { scopeCodeId: CODE.bg } });
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toMatch(/already requests/);
    expect((await call(MARY, `/studies/${id}/scope_requests`, { body: { scopeCodeId: 59999 } })).status).toBe(404);
    expect(ids((await call(VICTOR, `/studies/${id}/scope_requests`)).body)).toEqual([CODE.bg, CODE.hr]);
    const removed = await call(MEGAN, `/studies/${id}/scope_requests`, {
      method: 'DELETE',
      body: { scopeCodeId: CODE.bg },
    });
    expect(removed.status).toBe(204);
    expect(ids((await call(VICTOR, `/studies/${id}/scope_requests`)).body)).toEqual([CODE.hr]);
    const again = await call(MEGAN, `/studies/${id}/scope_requests`, {
      method: 'DELETE',
      body: { scopeCodeId: CODE.bg },
    });
    expect(again.status).toBe(404);
  });

  it('viewers 403, other organizations 404, patients 403; bad bodies 400 naming the field', async () => {
    const id = STUDY.bidsBp;
    for (const method of ['POST', 'DELETE']) {
      const body = { scopeCodeId: CODE.hr };
      expect((await call(VICTOR, `/studies/${id}/scope_requests`, { method, body })).status, method).toBe(403);
      expect((await call(MARK, `/studies/${id}/scope_requests`, { method, body })).status, method).toBe(404);
      expect((await call({ token: peter }, `/studies/${id}/scope_requests`, { method, body })).status, method).toBe(
        403,
      );
      for (const [bad, detail] of [
        [{}, /^scopeCodeId: .*required/],
        [{ scopeCodeId: '50004' }, /^scopeCodeId: must be integer/],
        [{ scopeCodeId: CODE.hr, codingCode: 'x' }, /^codingCode: unknown parameter/],
      ] as const) {
        const answer = await call(MARY, `/studies/${id}/scope_requests`, { method, body: bad });
        expect(answer.status).toBe(400);
        expect(answer.body.detail).toMatch(detail);
      }
    }
    expect(ids((await call(MARY, `/studies/${id}/scope_requests`)).body)).toEqual([CODE.bp]);
  });
});

describe('/studies/{id}/data_sources', () => {
  it('GET: a plain array of {id, study, dataSource: {id, name, type}}; another organization’s study 404', async () => {
    const { status, body } = await call(VICTOR, `/studies/${STUDY.bidsBp}/data_sources`);
    expect(status).toBe(200);
    const study = expect.objectContaining({ id: STUDY.bidsBp, organization: ORG.bids });
    // the demo's studies use the data sources that support one of their scopes: blood pressure here
    expect(body).toEqual([
      { id: 70001, study, dataSource: { id: 70001, name: 'iHealth', type: 'personal_device' } },
      { id: 70003, study, dataSource: { id: 70003, name: 'CareX', type: 'personal_device' } },
    ]);
    const graph = await gql(app, MARK, `{ study(id: "${STUDY.moslehiBt}") { dataSources { id } } }`);
    expect(ids((await call(MARK, `/studies/${STUDY.moslehiBt}/data_sources`)).body)).toEqual(
      graph.data!.study.dataSources.map((d: { id: string }) => Number(d.id)),
    );
    expect((await call(MARK, `/studies/${STUDY.bidsBp}/data_sources`)).status).toBe(404);
    expect((await call(MARY, '/studies/99999/data_sources')).status).toBe(404);
  });

  it('POST adds one (201; 409 twice; 404 unknown); DELETE removes it (204; then 404)', async () => {
    const id = await newStudy();
    const added = await call(MEGAN, `/studies/${id}/data_sources`, { body: { dataSourceId: 70002 } });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      id: 70002,
      study: expect.objectContaining({ id, organization: ORG.bids }),
      dataSource: { id: 70002, name: 'Dexcom', type: 'personal_device' },
    });
    expect((await call(MARY, `/studies/${id}/data_sources`, { body: { dataSourceId: 70002 } })).status).toBe(409);
    expect((await call(MARY, `/studies/${id}/data_sources`, { body: { dataSourceId: 79999 } })).status).toBe(404);
    expect(ids((await call(VICTOR, `/studies/${id}/data_sources`)).body)).toEqual([70002]);
    const removed = await call(MEGAN, `/studies/${id}/data_sources`, {
      method: 'DELETE',
      body: { data_source_id: 70002 },
    });
    expect(removed.status).toBe(204);
    expect((await call(VICTOR, `/studies/${id}/data_sources`)).body).toEqual([]);
    const again = await call(MEGAN, `/studies/${id}/data_sources`, { method: 'DELETE', body: { dataSourceId: 70002 } });
    expect(again.status).toBe(404);
  });

  it('viewers 403, other organizations 404; bad bodies 400 naming the field', async () => {
    const id = STUDY.bidsBp;
    for (const method of ['POST', 'DELETE']) {
      const body = { dataSourceId: 70004 };
      expect((await call(VICTOR, `/studies/${id}/data_sources`, { method, body })).status, method).toBe(403);
      expect((await call(MARK, `/studies/${id}/data_sources`, { method, body })).status, method).toBe(404);
      for (const [bad, detail] of [
        [{}, /^dataSourceId: .*required/],
        [{ dataSourceId: 'iHealth' }, /^dataSourceId: must be integer/],
        [{ dataSourceId: 1.5 }, /^dataSourceId: must be integer/],
      ] as const) {
        const answer = await call(MARY, `/studies/${id}/data_sources`, { method, body: bad });
        expect(answer.status).toBe(400);
        expect(answer.body.detail).toMatch(detail);
      }
    }
  });
});

describe('the OpenAPI document', () => {
  it('lists the routes (/studies/{id}/clients: tests/rest-clients.int.test.ts)', async () => {
    const { body } = await rest(app, '/schema');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/studies',
        '/studies/{id}',
        '/studies/{id}/patients',
        '/studies/{id}/scope_requests',
        '/studies/{id}/data_sources',
        '/studies/{id}/clients',
      ]),
    );
    expect(Object.keys(body.paths['/studies/{id}'])).toEqual(['get', 'put', 'patch', 'delete']);
  });
});
