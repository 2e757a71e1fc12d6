import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { codes, gql } from './support/tokens.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const ROLES = ['sam', 'mary', 'megan', 'victor', 'tom', 'mark', 'peter', 'anonymous'] as const;
type Who = (typeof ROLES)[number];
const email = (who: Who) => (who === 'anonymous' ? null : `${who}@example.com`);

/**
 * Runs the operation as every seeded role and checks who gets data and who gets which error code.
 * `vars` may depend on the role so that mutations create distinct rows.
 */
async function matrix(
  query: string,
  vars: (who: Who) => Record<string, unknown>,
  expected: { allowed: Who[]; denied: Partial<Record<Who, string>> },
) {
  const outcome: Record<string, string> = {};
  for (const who of ROLES) {
    const result = await gql(app, email(who), query, vars(who));
    outcome[who] = result.errors ? (codes(result)[0] ?? 'ERROR') : 'OK';
  }
  const want = Object.fromEntries(
    ROLES.map((who) => [who, expected.allowed.includes(who) ? 'OK' : (expected.denied[who] ?? 'UNSPECIFIED')]),
  );
  expect(outcome).toEqual(want);
}

const none = () => ({});

/** Who gets data, and the error code every other role gets (with exceptions). */
function only(allowed: Who[], code: string, exceptions: Partial<Record<Who, string>> = {}) {
  const denied = Object.fromEntries(ROLES.filter((who) => !allowed.includes(who)).map((who) => [who, code]));
  return { allowed, denied: { ...denied, ...exceptions } };
}

describe('GraphQL authorization matrix (every seeded role)', () => {
  it('patient(id)', () =>
    matrix(
      'query { patient(id: "40001") { id } }',
      none,
      only(['sam', 'mary', 'megan', 'victor', 'tom', 'peter'], 'NOT_FOUND', { anonymous: 'FORBIDDEN' }),
    ));

  it('patients(organizationId)', () =>
    matrix(
      'query { patients(organizationId: "20003") { totalCount nodes { id } } }',
      none,
      only(['sam', 'mary', 'megan', 'victor', 'tom'], 'NOT_FOUND', { anonymous: 'FORBIDDEN' }),
    ));

  it('organization(id) of a sub-organization (no inheritance)', () =>
    matrix(
      'query { organization(id: "20008") { id } }',
      none,
      only(['sam', 'tom'], 'NOT_FOUND', { anonymous: 'FORBIDDEN' }),
    ));

  it('study(id): the organization’s practitioners and the enrolled patient', () =>
    matrix(
      'query { study(id: "30001") { id name scopeRequests { codingCode } dataSources { name } } }',
      none,
      only(['sam', 'mary', 'megan', 'victor', 'tom', 'peter'], 'NOT_FOUND', { anonymous: 'FORBIDDEN' }),
    ));

  it('studies(organizationId)', () =>
    matrix(
      'query { studies(organizationId: "20007") { totalCount nodes { id } } }',
      none,
      only(['sam', 'tom', 'mark'], 'NOT_FOUND', { anonymous: 'FORBIDDEN' }),
    ));

  it('dataSources and codeableConcepts: anyone signed in', async () => {
    await matrix(
      'query { dataSources { id supportedScopes { id } } codeableConcepts { id } }',
      none,
      only(['sam', 'mary', 'megan', 'victor', 'tom', 'mark', 'peter'], 'FORBIDDEN'),
    );
  });

  it('createStudy: members and managers of the organization', () =>
    matrix(
      'mutation ($input: CreateStudyInput!) { createStudy(input: $input) { id } }',
      (who) => ({
        input: { organizationId: '20003', name: `Study by ${who}`, scopeIds: ['50002'], dataSourceIds: ['70001'] },
      }),
      only(['sam', 'mary', 'megan'], 'FORBIDDEN', { mark: 'NOT_FOUND', peter: 'NOT_FOUND' }),
    ));

  it('createPatient in a lab: its members and managers, not the parent’s manager', () =>
    matrix(
      'mutation ($input: CreatePatientInput!) { createPatient(input: $input) { id } }',
      (who) => ({
        input: { organizationId: '20008', nameFamily: 'Test', nameGiven: who, email: `p-${who}@example.org` },
      }),
      only(['sam', 'tom'], 'NOT_FOUND', { anonymous: 'FORBIDDEN' }),
    ));

  it('createDataSource: super users only', () =>
    matrix(
      'mutation ($input: CreateDataSourceInput!) { createDataSource(input: $input) { id } }',
      (who) => ({ input: { name: `Device of ${who}`, type: 'PERSONAL_DEVICE', supportedScopeIds: ['50001'] } }),
      only(['sam'], 'FORBIDDEN'),
    ));

  it('updateStudy of a lab’s study: the lab’s members and managers', () =>
    matrix(
      'mutation ($name: String) { updateStudy(id: "30005", input: { name: $name }) { id } }',
      (who) => ({ name: `O2 study (${who})` }),
      only(['sam', 'tom'], 'NOT_FOUND', { anonymous: 'FORBIDDEN' }),
    ));

  it('createPatientInvitation: members and managers of one of the patient’s organizations', () =>
    matrix(
      'mutation { createPatientInvitation(patientId: "40001") { link code } }',
      none,
      only(['sam', 'mary', 'megan'], 'FORBIDDEN', { mark: 'NOT_FOUND' }),
    ));

  it('practitioners of an organization: listed to its members, managed by its managers', async () => {
    await matrix(
      'query { organization(id: "20003") { practitioners { role practitioner { user { email } } } } }',
      none,
      only(['sam', 'mary', 'megan', 'victor', 'tom'], 'NOT_FOUND', { anonymous: 'FORBIDDEN' }),
    );
    await matrix(
      'mutation { changePractitionerRole(organizationId: "20003", practitionerId: "4", role: VIEWER) { role } }',
      none,
      only(['sam', 'mary'], 'FORBIDDEN'),
    );
  });
});

/** One fresh row per role, made directly in the database, for operations that consume their target. */
async function perRole(insert: (who: Who) => string): Promise<Record<Who, string>> {
  const ids = {} as Record<Who, string>;
  for (const who of ROLES) {
    const [row] = await app.db.orm.em.getConnection().execute<{ id: number }[]>(insert(who));
    ids[who] = String(row!.id);
  }
  return ids;
}

const BIDS_ONLY = only(['sam', 'mary', 'megan'], 'FORBIDDEN', { mark: 'NOT_FOUND', peter: 'NOT_FOUND' });

describe('GraphQL authorization matrix: the remaining operations', () => {
  it('updateOrganization: managers', () =>
    matrix(
      'mutation ($name: String) { updateOrganization(id: "20003", input: { name: $name }) { id } }',
      (who) => ({ name: `BIDS ${who}` }),
      only(['sam', 'mary'], 'FORBIDDEN'),
    ));

  it('deleteOrganization: managers of the parent', async () => {
    const ids = await perRole(
      (who) => `insert into organizations (name, type, part_of_id) values ('Team ${who}', 'team', 20003) returning id`,
    );
    await matrix(
      'mutation ($id: ID!) { deleteOrganization(id: $id) }',
      (who) => ({ id: ids[who] }),
      only(['sam', 'mary'], 'NOT_FOUND', { anonymous: 'FORBIDDEN' }),
    );
  });

  it('updatePatient: members, managers and the patient themself', () =>
    matrix(
      'mutation ($phone: String) { updatePatient(id: "40001", input: { phone: $phone }) { id } }',
      () => ({ phone: '+1 555 0100' }),
      only(['sam', 'mary', 'megan', 'peter'], 'FORBIDDEN', { mark: 'NOT_FOUND' }),
    ));

  it('deletePatient: members and managers of all its organizations', async () => {
    const ids = await perRole(
      (who) =>
        `with p as (insert into patients (name_family, name_given, email) values ('Gone', '${who}', 'gone-${who}@example.org') returning id)
         insert into patient_organizations (patient_id, organization_id) select id, 20003 from p returning patient_id as id`,
    );
    await matrix('mutation ($id: ID!) { deletePatient(id: $id) }', (who) => ({ id: ids[who] }), BIDS_ONLY);
  });

  it('addPatientIdentifier: members and managers', () =>
    matrix(
      'mutation ($value: String!) { addPatientIdentifier(patientId: "40002", identifier: { system: "https://ehr.example.com", value: $value }) { id } }',
      (who) => ({ value: `pamela-${who}` }),
      BIDS_ONLY,
    ));

  it('addStudyScopeRequest and deleteStudy: members and managers', async () => {
    const ids = await perRole(
      (who) => `insert into studies (organization_id, name) values (20003, 'Temp ${who}') returning id`,
    );
    await matrix(
      'mutation ($id: ID!) { addStudyScopeRequest(studyId: $id, codeableConceptId: "50001") { id } }',
      (who) => ({ id: ids[who] }),
      BIDS_ONLY,
    );
    await matrix('mutation ($id: ID!) { deleteStudy(id: $id) }', (who) => ({ id: ids[who] }), BIDS_ONLY);
  });

  it('addPatientsToStudy: members and managers (an enrolled patient sees the study, may not change it)', () =>
    matrix(
      'mutation { addPatientsToStudy(studyId: "30002", patientIds: ["40002"]) { id } }',
      none,
      only(['sam', 'mary', 'megan'], 'FORBIDDEN', { mark: 'NOT_FOUND' }),
    ));

  it('updateCodeableConcept: super users only', () =>
    matrix(
      'mutation { updateCodeableConcept(id: "50001", input: { text: "Blood glucose" }) { id } }',
      none,
      only(['sam'], 'FORBIDDEN'),
    ));

  it('registerClient: super users only', () =>
    matrix(
      'mutation ($id: String!) { registerClient(input: { clientId: $id, name: "Dash", redirectUris: ["https://dash.example/cb"] }) { clientId } }',
      (who) => ({ id: `dash-${who}` }),
      only(['sam'], 'FORBIDDEN'),
    ));

  it('observations and observation(id): consent-gated readers', async () => {
    const [row] = await app.db.orm.em
      .getConnection()
      .execute<{ id: string }[]>(
        'select min(id) as id from observations where subject_patient_id = 40001 and codeable_concept_id = 50002',
      );
    const readers = only(['sam', 'mary', 'megan', 'victor', 'tom', 'peter'], 'NOT_FOUND', { anonymous: 'FORBIDDEN' });
    await matrix(
      'query { observations(filter: { patientId: "40001" }, first: 5) { totalCount nodes { id } } }',
      none,
      readers,
    );
    await matrix('query ($id: ID!) { observation(id: $id) { id omh } }', () => ({ id: row!.id }), readers);
  });
});

const SUPER_ONLY = only(['sam'], 'FORBIDDEN');

describe('GraphQL authorization matrix: catalog and study setup', () => {
  it('catalog writes: super users only', async () => {
    const sources = await perRole(
      (who) => `insert into data_sources (name, type) values ('Source ${who}', 'device') returning id`,
    );
    await matrix(
      'mutation ($id: ID!) { updateDataSource(id: $id, input: { type: MEDICAL_DEVICE }) { id } }',
      (who) => ({ id: sources[who] }),
      SUPER_ONLY,
    );
    await matrix(
      'mutation ($id: ID!) { addDataSourceScope(dataSourceId: $id, codeableConceptId: "50008") { id } }',
      (who) => ({ id: sources[who] }),
      SUPER_ONLY,
    );
    await matrix(
      'mutation ($id: ID!) { removeDataSourceScope(dataSourceId: $id, codeableConceptId: "50008") { id } }',
      (who) => ({ id: sources[who] }),
      SUPER_ONLY,
    );
    await matrix('mutation ($id: ID!) { deleteDataSource(id: $id) }', (who) => ({ id: sources[who] }), SUPER_ONLY);
    await matrix(
      'mutation ($code: String!) { createCodeableConcept(input: { codingSystem: "https://example.org/codes", codingCode: $code, text: "Test" }) { id } }',
      (who) => ({ code: `code-${who}` }),
      SUPER_ONLY,
    );
  });

  it('study setup and enrollment: members and managers of the study’s organization', async () => {
    const studies = await perRole(
      (who) =>
        `with s as (insert into studies (organization_id, name) values (20003, 'Setup ${who}') returning id),
              r as (insert into study_scope_requests (study_id, codeable_concept_id) select id, 50002 from s),
              d as (insert into study_data_sources (study_id, data_source_id) select id, 70001 from s)
         insert into study_patients (study_id, patient_id) select id, 40002 from s returning study_id as id`,
    );
    const vars = (who: Who) => ({ id: studies[who] });
    await matrix(
      'mutation ($id: ID!) { addStudyDataSource(studyId: $id, dataSourceId: "70003") { id } }',
      vars,
      BIDS_ONLY,
    );
    await matrix(
      'mutation ($id: ID!) { removeStudyDataSource(studyId: $id, dataSourceId: "70001") { id } }',
      vars,
      BIDS_ONLY,
    );
    await matrix(
      'mutation ($id: ID!) { removeStudyScopeRequest(studyId: $id, codeableConceptId: "50002") { id } }',
      vars,
      BIDS_ONLY,
    );
    await matrix(
      'mutation ($id: ID!) { removePatientFromStudy(studyId: $id, patientId: "40002") { id } }',
      vars,
      BIDS_ONLY,
    );
  });

  it('removePatientIdentifier: members and managers', async () => {
    await perRole(
      (who) =>
        `insert into patient_identifiers (patient_id, system, value) values (40002, 'https://ehr.example.com', 'gone-${who}') returning id`,
    );
    await matrix(
      'mutation ($value: String!) { removePatientIdentifier(patientId: "40002", identifier: { system: "https://ehr.example.com", value: $value }) { id } }',
      (who) => ({ value: `gone-${who}` }),
      BIDS_ONLY,
    );
  });
});

describe('GraphQL authorization matrix: memberships', () => {
  it('add and remove practitioners: managers of the organization', async () => {
    await perRole(
      (who) =>
        `with u as (insert into users (email, kind, first_name, last_name) values ('staff-${who}@example.org', 'practitioner', 'Staff', '${who}') returning id)
         insert into practitioners (user_id) select id from u returning id`,
    );
    const managers = only(['sam', 'mary'], 'FORBIDDEN');
    await matrix(
      'mutation ($email: String!) { addPractitionerToOrganization(organizationId: "20003", email: $email, role: MEMBER) { role practitioner { id } } }',
      (who) => ({ email: `staff-${who}@example.org` }),
      managers,
    );
    const [row] = await app.db.orm.em.getConnection().execute<{ sam: number; mary: number }[]>(
      `select (select p.id from practitioners p join users u on u.id = p.user_id where u.email = 'staff-sam@example.org') as sam,
                (select p.id from practitioners p join users u on u.id = p.user_id where u.email = 'staff-mary@example.org') as mary`,
    );
    await matrix(
      'mutation ($id: ID!) { removePractitionerFromOrganization(organizationId: "20003", practitionerId: $id) }',
      (who) => ({ id: String(who === 'mary' ? row!.mary : row!.sam) }),
      managers,
    );
  });

  it('link and unlink patients to another organization: rights in both', async () => {
    const patients = await perRole(
      (who) =>
        `with p as (insert into patients (name_family, name_given, email) values ('Linked', '${who}', 'linked-${who}@example.org') returning id)
         insert into patient_organizations (patient_id, organization_id) select id, 20003 from p returning patient_id as id`,
    );
    const both = only(['sam', 'mary'], 'NOT_FOUND', { anonymous: 'FORBIDDEN' });
    await matrix(
      'mutation ($id: ID!) { addPatientToOrganization(patientId: $id, organizationId: "20002") { id } }',
      (who) => ({ id: patients[who] }),
      both,
    );
    await matrix(
      'mutation ($id: ID!) { removePatientFromOrganization(patientId: $id, organizationId: "20002") { id } }',
      (who) => ({ id: patients[who] }),
      both,
    );
  });
});
