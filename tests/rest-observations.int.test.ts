import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlCounter } from '../bench/sql-counter.js';
import { startTestApp, type TestApp } from './support/app.js';
import { addConsentingPatients } from './support/extra-patients.js';
import { rest } from './support/rest.js';
import { allPages, graphqlIds, patientAppToken } from './support/rest-pages.js';
import { gqlWith, scopedToken } from './support/scoped-tokens.js';
import { gql } from './support/tokens.js';

/**
 * /api/v1/observations: GraphQL's consent-gated search and read under JupyterHealth's names. Seed: BIDS's study
 * 30001 holds peter's (40001) and pamela's (40002) BP and HR, 30002 pamela's BP (peter has not answered);
 * Moslehi's 30004 percy's (40003) body temperature.
 */

const counter = sqlCounter();
let app: TestApp;
let peter: string;
beforeAll(async () => {
  app = await startTestApp({}, counter.options);
  peter = await patientAppToken(app, 40001);
});
afterAll(() => app?.close());

const MARY = 'mary@example.com';
const MEGAN = 'megan@example.com';
const VICTOR = 'victor@example.com';
const MARK = 'mark@example.com';
const TOM = 'tom@example.com';
const SAM = 'sam@example.com';
const OMH = 'https://w3id.org/openmhealth';
const BP = 'omh:blood-pressure:4.0';

const GRAPHQL_IDS = `query ($after: String, $filter: ObservationFilter!) {
  observations(filter: $filter, first: 1000, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } }
}`;
const viaGraphQL = (as: string, filter: Record<string, unknown> = {}) =>
  graphqlIds(app, as, 'observations', GRAPHQL_IDS, { filter });

const ITEM_KEYS = [
  'codeableConceptId',
  'codingCode',
  'codingSystem',
  'codingText',
  'dataSourceId',
  'effectiveTime',
  'id',
  'jheUserId',
  'lastUpdated',
  'omhData',
  'patientNameFamily',
  'patientNameGiven',
  'resource',
  'status',
  'subjectPatientId',
];

const idsOf = (results: { id: number }[]) => results.map((o) => o.id);

describe('GET /api/v1/observations', () => {
  it('answers the same visible set as GraphQL for every user, in its order, following next to the end', async () => {
    for (const as of [MARY, MEGAN, VICTOR, MARK, TOM, SAM]) {
      const { results } = await allPages(app, '/observations?page_size=100', { as });
      expect(idsOf(results), as).toEqual(await viaGraphQL(as));
    }
    const own = await allPages(app, '/observations?page_size=100', { token: peter });
    const ownViaGraphQL = await gqlWith(peter, app, '{ observations(filter: {}, first: 1000) { nodes { id } } }');
    expect(idsOf(own.results)).toEqual(ownViaGraphQL.data!.observations.nodes.map((n: { id: string }) => Number(n.id)));
    expect(new Set(own.results.map((o: { subjectPatientId: number }) => o.subjectPatientId))).toEqual(new Set([40001]));
  });

  it('mark never sees BIDS’s patients’ observations', async () => {
    const { results } = await allPages(app, '/observations?page_size=1000', { as: MARK });
    expect(results.length).toBeGreaterThan(0);
    const subjects = new Set(results.map((o: { subjectPatientId: number }) => o.subjectPatientId));
    expect(subjects.has(40001) || subjects.has(40002)).toBe(false);
    const [petersFirst] = (await rest(app, '/observations?patient_id=40001&page_size=1', { as: MARY })).body.results;
    expect((await rest(app, `/observations/${petersFirst.id}`, { as: MARK })).status).toBe(404);
    expect((await rest(app, `/observations?observation_id=${petersFirst.id}`, { as: MARK })).body.count).toBe(0);
    for (const query of ['patient_id=40001', 'study_id=30001', 'organization_id=20003']) {
      expect((await rest(app, `/observations?${query}`, { as: MARK })).status, query).toBe(404);
    }
  });

  it('shapes each item as JupyterHealth does, with the Open mHealth data decoded', async () => {
    const { status, body } = await rest(app, '/observations?patient_id=40001&page_size=1', { as: MARY });
    expect(status).toBe(200);
    const [item] = body.results;
    expect(Object.keys(item).sort()).toEqual(ITEM_KEYS);
    expect(item).toMatchObject({
      subjectPatientId: 40001,
      patientNameFamily: 'Patient',
      patientNameGiven: 'Peter',
      jheUserId: 10007,
      codingSystem: OMH,
      status: 'final',
      omhData: { header: expect.objectContaining({ uuid: expect.any(String) }), body: expect.any(Object) },
    });
    const graphql = await gql(
      app,
      MARY,
      `{ observation(id: "${item.id}") { omh code { id codingCode text } dataSource { id } effectiveTime lastUpdated } }`,
    );
    const node = graphql.data!.observation;
    expect(item.omhData).toEqual(node.omh);
    expect(item).toMatchObject({
      codeableConceptId: Number(node.code.id),
      codingCode: node.code.codingCode,
      codingText: node.code.text,
      dataSourceId: Number(node.dataSource.id),
      effectiveTime: node.effectiveTime,
      lastUpdated: node.lastUpdated,
    });
  });

  it('filters by organization, study, patient, observation and code (system|code or a bare Open mHealth code)', async () => {
    const ids = async (query: string, as = MARY) =>
      idsOf((await allPages(app, `/observations?page_size=1000&${query}`, { as })).results);
    const study30002 = await allPages(app, '/observations?study_id=30002&page_size=1000', { as: MARY });
    expect(
      new Set(
        study30002.results.map(
          (o: { subjectPatientId: number; codingCode: string }) => `${o.subjectPatientId} ${o.codingCode}`,
        ),
      ),
    ).toEqual(new Set([`40002 ${BP}`]));
    expect(idsOf(study30002.results)).toEqual(await viaGraphQL(MARY, { studyId: '30002' }));
    const bySystem = await ids(`code=${encodeURIComponent(`${OMH}|${BP}`)}`);
    expect(bySystem.length).toBeGreaterThan(0);
    expect(await ids(`code=${BP}`)).toEqual(bySystem);
    expect(bySystem).toEqual(await viaGraphQL(MARY, { code: { system: OMH, code: BP } }));
    expect(await ids('patient_id=40002')).toEqual(await viaGraphQL(MARY, { patientId: '40002' }));
    expect(await ids('organization_id=20003')).toEqual(await viaGraphQL(MARY));
    // tom: viewer of BIDS, member of Moslehi (percy), manager of Olgin
    expect(await ids('organization_id=20007', TOM)).toEqual(await viaGraphQL(TOM, { patientId: '40003' }));
    const one = (await rest(app, '/observations?patient_id=40002&page_size=1', { as: MARY })).body.results[0].id;
    expect(await ids(`observation_id=${one}`)).toEqual([one]);
    expect(await ids(`observation_id=${one}&patient_id=40001`)).toEqual([]);
    expect(await ids(`code=omh:unknown:1.0`)).toEqual([]);
  });

  it('pages by page number and offset land where the next links go', async () => {
    const { results } = await allPages(app, '/observations?page_size=50', { as: MARY });
    const second = await rest(app, '/observations?page=2&page_size=50', { as: MARY });
    expect(idsOf(second.body.results)).toEqual(idsOf(results.slice(50, 100)));
    expect(second.body.previous).toMatch(/offset=0/);
    const offset = await rest(app, '/observations?limit=30&offset=70', { as: MARY });
    expect(idsOf(offset.body.results)).toEqual(idsOf(results.slice(70, 100)));
    const beyond = await rest(app, `/observations?limit=10&offset=${results.length + 5}`, { as: MARY });
    expect(beyond.body).toMatchObject({ count: results.length, next: null, results: [] });
  });

  it('refuses malformed queries with 400 naming the parameter', async () => {
    for (const [query, name] of [
      ['code=%7Cx', 'code'],
      ['code=x%7C', 'code'],
      ['observation_id=abc', 'observation_id'],
      ['study_id=1e3', 'study_id'],
      ['page_size=5000', 'page size'],
      ['cursor=not-a-cursor', 'cursor'],
      ['patient=40001', 'patient'],
    ]) {
      const { status, body } = await rest(app, `/observations?${query}`, { as: MARY });
      expect(status, query).toBe(400);
      expect(body.detail, query).toContain(name);
    }
    expect((await rest(app, '/observations')).status).toBe(401);
  });

  it('a token’s scopes decide too: observations without Patient reads cannot name the patient', async () => {
    const { access_token } = await scopedToken(app, MARY, 'user/Observation.rs');
    const refused = await rest(app, '/observations?page_size=1', { token: access_token });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('user/Patient.r');
    const coded = await scopedToken(app, MARY, `user/Observation.rs?code=${OMH}|${BP} user/Patient.rs`);
    const onlyBloodPressure = await allPages(app, '/observations?page_size=1000', { token: coded.access_token });
    expect(new Set(onlyBloodPressure.results.map((o: { codingCode: string }) => o.codingCode))).toEqual(new Set([BP]));
  });
});

describe('GET /api/v1/observations/{id}', () => {
  it('reads an observation the viewer may see; anything else is not found', async () => {
    const [peters] = (await rest(app, '/observations?patient_id=40001&page_size=1', { as: MARY })).body.results;
    const read = await rest(app, `/observations/${peters.id}`, { as: VICTOR });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(peters);
    expect((await rest(app, `/observations/${peters.id}`, { token: peter })).body).toEqual(peters);
    const pamela = await patientAppToken(app, 40002);
    expect((await rest(app, `/observations/${peters.id}`, { token: pamela })).status).toBe(404);
    expect((await rest(app, `/observations/${peters.id}`, { as: MARK })).status).toBe(404);
    expect((await rest(app, '/observations/999999999', { as: SAM })).status).toBe(404);
    expect((await rest(app, '/observations/abc', { as: MARY })).status).toBe(404);
  });
});

describe('a page of 1000', () => {
  it('reads the relations of its rows once: the statements do not grow with the page or its patients', async () => {
    await addConsentingPatients(app, 30);
    const statements = async (size: number) => {
      counter.reset();
      const { status, body } = await rest(app, `/observations?study_id=30001&page_size=${size}`, { as: MARY });
      expect(status).toBe(200);
      return { count: counter.count, body };
    };
    await statements(1000); // warm: the token's viewer and compiled operation
    const small = await statements(5);
    const started = performance.now();
    const large = await statements(1000);
    const elapsed = performance.now() - started;
    expect(large.body.results).toHaveLength(1000);
    const patients = new Set(large.body.results.map((o: { subjectPatientId: number }) => o.subjectPatientId));
    expect(patients.size).toBeGreaterThan(5);
    expect(large.count).toBe(small.count);
    expect(large.count).toBeLessThanOrEqual(12);
    console.log(
      `[rest-observations] a page of 1000 over ${patients.size} patients: ${large.count} statements, ${elapsed.toFixed(0)} ms`,
    );
    // and the whole study, page after page, is GraphQL's
    const all = await allPages(app, '/observations?study_id=30001&page_size=1000', { as: MARY });
    expect(idsOf(all.results)).toEqual(await viaGraphQL(MARY, { studyId: '30001' }));
  });
});
