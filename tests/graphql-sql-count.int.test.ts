import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { sqlCounter } from '../bench/sql-counter.js';
import { gql, tokenFor } from './support/tokens.js';

const counter = sqlCounter();
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({}, counter.options);
  await tokenFor(app, 'mary@example.com');
});
afterAll(() => app?.close());

const DEEP = `{
  organizations {
    id name children { id }
    studies(first: 10) {
      totalCount
      nodes {
        id name scopeRequests { codingCode } dataSources { name }
        patients(first: 300) {
          totalCount
          nodes {
            id nameGiven identifiers { value } organizations { id }
            consents { studies { study { id } scopeConsents { consented } } }
            observations(first: 1) { totalCount }
          }
        }
      }
    }
    patients(first: 300) { totalCount nodes { id } }
  }
}`;

async function statementsFor(query: string) {
  counter.reset();
  const result = await gql(app, 'mary@example.com', query);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  expect(counter.count, 'the counter sees the statements').toBeGreaterThan(0);
  return { statements: counter.count, data: result.data };
}

/** 200 more BIDS patients, enrolled in BIDS Study on BP & HR, with identifiers. */
async function addPatients(n: number) {
  const sql = app.db.orm.em.getConnection();
  await sql.execute(
    `with created as (
       insert into patients (name_family, name_given, email)
       select 'Extra', 'Patient ' || i, 'extra' || i || '@example.org' from generate_series(1, ?) as i returning id
     ), linked as (
       insert into patient_organizations (patient_id, organization_id) select id, 20003 from created returning patient_id
     ), enrolled as (
       insert into study_patients (study_id, patient_id) select 30001, patient_id from linked returning patient_id
     )
     insert into patient_identifiers (patient_id, system, value) select patient_id, 'https://ehr.example.com', 'extra-' || patient_id from enrolled`,
    [n],
  );
}

describe('GraphQL SQL statements per request', () => {
  it('do not grow with the number of rows', async () => {
    const before = await statementsFor(DEEP);
    await addPatients(200);
    const after = await statementsFor(DEEP);
    const bidsStudy = after.data?.organizations
      .find((o: { id: string }) => o.id === '20003')
      .studies.nodes.find((s: { id: string }) => s.id === '30001');
    expect(bidsStudy.patients.totalCount).toBe(202);
    expect(bidsStudy.patients.nodes).toHaveLength(202);
    expect(after.statements).toBe(before.statements);
    // bounded by the query's depth: a handful of statements per level, not one per row
    expect(after.statements).toBeLessThanOrEqual(20);
  });

  it('count the consents of every listed study in a fixed number of statements, however many studies', async () => {
    const COUNTED =
      '{ studies(first: 100) { nodes { id consentCounts { enrolled pending scopes { code { id } consented } } } } }';
    const PLAIN = '{ studies(first: 100) { nodes { id } } }';
    const extra = async () => (await statementsFor(COUNTED)).statements - (await statementsFor(PLAIN)).statements;
    const before = await extra();
    await app.db.orm.em.getConnection().execute(
      `with created as (
         insert into studies (organization_id, name, description) select 20003, 'Counted ' || i, '' from generate_series(1, 6) as i
         returning id
       ) insert into study_scope_requests (study_id, codeable_concept_id) select id, 50004 from created`,
    );
    const counted = await statementsFor(COUNTED);
    expect(counted.data!.studies.nodes.length).toBeGreaterThan(6);
    expect(await extra()).toBe(before);
    expect(before).toBeLessThanOrEqual(3); // the two counts and the codes
  });

  it('load the relations of observation pages once per request, however many pages and however selected', async () => {
    const nodes = (patients: number, selection: string) => `{ patients(first: ${patients}) { nodes { id
      observations(first: 5) { nodes { ${selection} } } } } } fragment Relations on Observation {
      subject { nameGiven } code { codingCode } dataSource { name } identifiers { value } }`;
    const direct = 'id subject { nameGiven } code { codingCode } dataSource { name } identifiers { value }';
    const one = await statementsFor(nodes(1, `${direct} ...Relations`));
    const all = await statementsFor(nodes(300, `id ...Relations`));
    const inline = await statementsFor(nodes(300, `id ... on Observation { ...Relations }`));
    type Page = { patients: { nodes: { observations: { nodes: { code: { codingCode: string } }[] } }[] } };
    const pages = (all.data as Page).patients.nodes.filter((p) => p.observations.nodes.length > 0);
    expect(pages.length).toBeGreaterThan(1);
    expect((one.data as Page).patients.nodes[0]!.observations.nodes.length).toBeGreaterThan(0);
    expect(pages.flatMap((p) => p.observations.nodes.map((o) => o.code.codingCode))).not.toContain(undefined);
    expect(all.statements).toBe(one.statements);
    expect(inline).toEqual(all);
  });

  it('read no patient or data source asked for by its id alone (as FHIR references them), and read them otherwise', async () => {
    const page = (selection: string) =>
      `{ observations(filter: { studyId: "30001" }, first: 50) { nodes { id ${selection} } } }`;
    type Nodes = {
      observations: {
        nodes: {
          id: string;
          subject?: { id: string; nameGiven?: string };
          dataSource?: { id: string; name?: string };
        }[];
      };
    };
    const nodesOf = (result: { data: unknown }) => (result.data as Nodes).observations.nodes;
    const named = await statementsFor(page('subject { id nameGiven }'));
    const referenced = await statementsFor(page('subject { __typename id }'));
    expect(nodesOf(named).length).toBeGreaterThan(0);
    expect(nodesOf(named).every((o) => typeof o.subject!.nameGiven === 'string')).toBe(true);
    const subjects = (result: { data: unknown }) => nodesOf(result).map((o) => [o.id, o.subject!.id]);
    expect(subjects(referenced)).toEqual(subjects(named));
    expect(referenced.statements).toBe(named.statements - 1);

    const sourceNamed = await statementsFor(page('dataSource { id name }'));
    const sourceReferenced = await statementsFor(page('dataSource { id }'));
    expect(nodesOf(sourceNamed).every((o) => typeof o.dataSource!.name === 'string')).toBe(true);
    const sources = (result: { data: unknown }) => nodesOf(result).map((o) => [o.id, o.dataSource!.id]);
    expect(sources(sourceReferenced)).toEqual(sources(sourceNamed));
    expect(sourceReferenced.statements).toBe(sourceNamed.statements - 1);
  });

  it('read the concept of a page of one code by its coding, while the page is read, when the page shows it', async () => {
    const page = (
      selection: string,
    ) => `{ observations(filter: { studyId: "30001", code: { system: "https://w3id.org/openmhealth", code: "omh:heart-rate:2.0" } }, first: 50) {
        nodes { id ${selection} } } }`;
    type Nodes = { observations: { nodes: { id: string; code?: { codingCode: string; text: string } }[] } };
    const byCoding = (statements: readonly string[]) => statements.filter((s) => /"coding_code" = /.test(s));
    const shown = await statementsFor(page('code { codingCode text }'));
    const nodes = (shown.data as Nodes).observations.nodes;
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.every((o) => o.code!.codingCode === 'omh:heart-rate:2.0' && o.code!.text === 'Heart rate')).toBe(true);
    expect(byCoding(counter.statements)).toHaveLength(1);
    await statementsFor(page(''));
    expect(byCoding(counter.statements)).toEqual([]);
  });

  it('list consents, practitioner roles and practitioners (the FHIR searches) in as many statements for 1 row as for all', async () => {
    const lists = {
      enrollmentConsents: `patient { id nameGiven } study { id name } organization { id name }
        state lastAnswered scopeConsents { consented code { codingCode } }`,
      practitionerRoles: 'role practitioner { id user { email } } organization { id name }',
      practitioners: 'user { email firstName }',
    };
    for (const [field, selection] of Object.entries(lists)) {
      const one = await statementsFor(`{ ${field}(first: 1) { nodes { id ${selection} } } }`);
      const all = await statementsFor(`{ ${field}(first: 1000) { nodes { id ${selection} } } }`);
      expect((all.data as Record<string, { nodes: unknown[] }>)[field]!.nodes.length, field).toBeGreaterThan(3);
      expect(all.statements, field).toBe(one.statements);
    }
  });
});
