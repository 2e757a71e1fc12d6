import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { rest } from './support/rest.js';
import { allPages, graphqlIds, patientAppToken } from './support/rest-pages.js';
import { scopedToken } from './support/scoped-tokens.js';
import { gql } from './support/tokens.js';

/**
 * /api/v1/patients over real HTTP with real tokens: each route's allowed and denied sides, for the demo's people
 * (mary manager, megan member, victor viewer of BIDS 20003; mark manager of Cardiology 20006 and Moslehi 20007,
 * who must never see BIDS's peter 40001 and pamela 40002; tom viewer of BIDS, member of Moslehi).
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const MARY = 'mary@example.com';
const MEGAN = 'megan@example.com';
const VICTOR = 'victor@example.com';
const MARK = 'mark@example.com';
const TOM = 'tom@example.com';
const SAM = 'sam@example.com';
const PRACTITIONERS = [MARY, MEGAN, VICTOR, MARK, TOM, SAM];

let serial = 0;
const uniqueEmail = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++serial}@example.org`;

/** A new BIDS patient, made through the REST face by megan (a member). */
async function newBidsPatient(extra: Record<string, unknown> = {}) {
  const created = await rest(app, '/patients', {
    as: MEGAN,
    body: { organizationId: 20003, telecomEmail: uniqueEmail('p'), nameFamily: 'Rest', nameGiven: 'Test', ...extra },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

const PATIENT_KEYS = [
  'birthDate',
  'id',
  'identifiers',
  'jheUserId',
  'nameFamily',
  'nameGiven',
  'organizations',
  'telecomEmail',
  'telecomPhone',
];

describe('GET /api/v1/patients', () => {
  it('answers the same visible set as GraphQL for every practitioner, following next to the end', async () => {
    for (const as of PRACTITIONERS) {
      const { results, pages } = await allPages(app, '/patients?page_size=2', { as });
      const viaGraphQL = await graphqlIds(
        app,
        as,
        'patients',
        'query ($after: String) { patients(first: 1000, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }',
      );
      expect(
        results.map((p) => p.id),
        as,
      ).toEqual(viaGraphQL);
      expect(results.map((p) => p.id)).toEqual([...results.map((p) => p.id)].sort((a, b) => a - b));
      if (pages.length > 1) expect(pages[1].previous).toMatch(/offset=0/);
    }
  });

  it('mark never sees BIDS’s patients, in the list or by filter', async () => {
    const { results } = await allPages(app, '/patients', { as: MARK });
    expect(results.map((p) => p.id)).toContain(40003);
    expect(results.map((p) => p.id)).not.toContain(40001);
    expect(results.map((p) => p.id)).not.toContain(40002);
    expect((await rest(app, '/patients?patient_id=40001', { as: MARK })).body).toMatchObject({ count: 0, results: [] });
    expect((await rest(app, '/patients?organization_id=20003', { as: MARK })).status).toBe(404);
    expect((await rest(app, '/patients?study_id=30001', { as: MARK })).status).toBe(404);
    const byMrn = await rest(app, '/patients?patient_identifier_value=peter-mrn-40001', { as: MARK });
    expect(byMrn.body).toMatchObject({ count: 0, results: [] });
  });

  it('shapes each patient as JupyterHealth does', async () => {
    const { status, body } = await rest(app, '/patients?patient_id=40001', { as: MARY });
    expect(status).toBe(200);
    expect(body).toEqual({ count: 1, next: null, previous: null, results: [expect.any(Object)] });
    const [peter] = body.results;
    expect(Object.keys(peter).sort()).toEqual(PATIENT_KEYS);
    expect(peter).toMatchObject({
      id: 40001,
      jheUserId: 10007,
      nameGiven: 'Peter',
      telecomEmail: 'peter@example.com',
      identifiers: [{ system: 'https://ehr.example.com', value: 'peter-mrn-40001' }],
      organizations: [{ id: 20003, type: 'laboratory', currentUserRole: 'manager', children: [] }],
    });
  });

  it('filters by organization, study, patient and identifier (value alone, or with its system)', async () => {
    const ids = async (query: string) =>
      (await allPages(app, `/patients?${query}`, { as: TOM })).results.map((p) => p.id);
    expect(await ids('organization_id=20003')).toEqual([40001, 40002]);
    expect(await ids('organizationId=20007')).toEqual([40003]);
    expect(await ids('study_id=30002')).toEqual([40001, 40002]);
    expect(await ids('patient_id=40002')).toEqual([40002]);
    expect(await ids('patient_identifier_value=pamela-mrn-40002')).toEqual([40002]);
    expect(
      await ids('patient_identifier_system=https://ehr.example.com&patient_identifier_value=pamela-mrn-40002'),
    ).toEqual([40002]);
    expect(
      await ids('patient_identifier_system=https://other.example&patient_identifier_value=pamela-mrn-40002'),
    ).toEqual([]);
    expect(await ids('organization_id=20007&patient_id=40001')).toEqual([]);
  });

  it('refuses malformed queries with 400 naming the parameter', async () => {
    for (const [query, name] of [
      ['organization_id=abc', 'organization_id'],
      ['page_size=0', 'page size'],
      ['page_size=1001', 'page size'],
      ['patient_identifier_system=https://ehr.example.com', 'patient_identifier_system'],
      ['frobnicate=1', 'frobnicate'],
    ]) {
      const { status, body } = await rest(app, `/patients?${query}`, { as: MARY });
      expect(status, query).toBe(400);
      expect(body.detail, query).toContain(name);
    }
  });

  it('answers 401 without a token', async () => {
    expect((await rest(app, '/patients')).status).toBe(401);
    expect((await rest(app, '/patients/40001')).status).toBe(401);
  });
});

describe('GET /api/v1/patients/{id} and /patients/me', () => {
  it('reads a visible patient; others are not found', async () => {
    expect((await rest(app, '/patients/40001', { as: VICTOR })).body).toMatchObject({ id: 40001, nameGiven: 'Peter' });
    expect((await rest(app, '/patients/40003', { as: MARK })).body).toMatchObject({ id: 40003, nameGiven: 'Percy' });
    for (const id of [40001, 40002]) {
      const denied = await rest(app, `/patients/${id}`, { as: MARK });
      expect(denied.status).toBe(404);
      expect(JSON.stringify(denied.body)).not.toContain('Patient"');
    }
    expect((await rest(app, '/patients/99999', { as: MARY })).status).toBe(404);
    expect((await rest(app, '/patients/abc', { as: MARY })).status).toBe(404);
  });

  it('me is the calling patient’s own record; practitioners have none', async () => {
    const peter = await patientAppToken(app, 40001);
    const own = await rest(app, '/patients/me', { token: peter });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: 40001, jheUserId: 10007, telecomEmail: 'peter@example.com' });
    expect(Object.keys(own.body).sort()).toEqual(PATIENT_KEYS);
    expect((await rest(app, '/patients/40001', { token: peter })).status).toBe(200);
    expect((await rest(app, '/patients/40002', { token: peter })).status).toBe(404);
    const practitioner = await rest(app, '/patients/me', { as: MARY });
    expect(practitioner.status).toBe(404);
    expect(practitioner.body.detail).toMatch(/no patient record/);
  });
});

describe('POST, PATCH, PUT /api/v1/patients', () => {
  it('creates a patient of an organization (members and managers), 201', async () => {
    const email = uniqueEmail('new');
    const { status, body } = await rest(app, '/patients', {
      as: MEGAN,
      body: {
        organizationId: 20003,
        telecomEmail: email,
        nameFamily: 'Doe',
        nameGiven: 'Jane',
        birthDate: '1990-05-06',
        telecomPhone: '+1 555 0100',
        identifiers: [{ system: 'https://ehr.example.com', value: `jane-${serial}` }],
      },
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({
      nameFamily: 'Doe',
      nameGiven: 'Jane',
      birthDate: '1990-05-06',
      telecomPhone: '+1 555 0100',
      telecomEmail: email,
      jheUserId: null,
      organizations: [{ id: 20003, currentUserRole: 'member' }],
    });
    expect((await rest(app, `/patients/${body.id}`, { as: MARY })).status).toBe(200);
    expect((await rest(app, `/patients/${body.id}`, { as: MARK })).status).toBe(404);
  });

  it('takes snake_case bodies too', async () => {
    const { status, body } = await rest(app, '/patients', {
      as: MARY,
      body: { organization_id: '20003', telecom_email: uniqueEmail('snake'), name_family: 'Snake', name_given: 'Case' },
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({ nameFamily: 'Snake', nameGiven: 'Case' });
  });

  it('refuses viewers (403), other organizations (404) and duplicate emails (409)', async () => {
    const body = { organizationId: 20003, telecomEmail: uniqueEmail('x'), nameFamily: 'X', nameGiven: 'Y' };
    expect((await rest(app, '/patients', { as: VICTOR, body })).status).toBe(403);
    expect((await rest(app, '/patients', { as: MARK, body })).status).toBe(404);
    const peter = await rest(app, '/patients', { as: MARY, body: { ...body, telecomEmail: 'peter@example.com' } });
    expect(peter.status).toBe(409);
    expect(peter.body.detail).not.toMatch(/20003|40001|Peter/);
    const colleague = await rest(app, '/patients', { as: MARY, body: { ...body, telecomEmail: 'mark@example.com' } });
    expect(colleague.status).toBe(409);
  });

  it('refuses bad bodies with 400 naming the field', async () => {
    const good = { organizationId: 20003, telecomEmail: uniqueEmail('bad'), nameFamily: 'B', nameGiven: 'B' };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, telecomEmail: undefined }, 'telecomEmail: this field is required'],
      [{ ...good, organizationId: undefined }, 'organizationId: this field is required'],
      [{ ...good, nameFamily: 42 }, 'nameFamily'],
      [{ ...good, nameGiven: '' }, 'nameGiven'],
      [{ ...good, telecomEmail: 'not-an-email' }, 'telecomEmail'],
      [{ ...good, birthDate: '2023-02-30' }, 'birthDate'],
      [{ ...good, organizationId: 'BIDS' }, 'organizationId'],
      [{ ...good, identifiers: [{ system: 'https://x' }] }, 'identifiers.0.value: this field is required'],
      [{ ...good, identifiers: 'mrn' }, 'identifiers'],
      [{ ...good, favouriteColour: 'blue' }, 'favouriteColour: unknown parameter'],
    ];
    for (const [body, message] of cases) {
      const answer = await rest(app, '/patients', { as: MARY, body: JSON.parse(JSON.stringify(body)) });
      expect(answer.status, message).toBe(400);
      expect(answer.body.detail, message).toContain(message);
    }
    const future = await rest(app, '/patients', { as: MARY, body: { ...good, birthDate: '2999-01-01' } });
    expect(future.status).toBe(400);
    expect(future.body.detail).toContain('birthDate');
    const notJson = await rest(app, '/patients', { as: MARY, body: '{"organizationId": 2' });
    expect(notJson.status).toBe(400);
  });

  it('PATCH changes fields; identifiers, when given, replace all', async () => {
    const patient = await newBidsPatient({
      identifiers: [
        { system: 'https://ehr.example.com', value: `a-${serial}` },
        { system: 'https://ehr.example.com', value: `b-${serial}` },
      ],
    });
    const keep = patient.identifiers[1];
    const replaced = await rest(app, `/patients/${patient.id}?organization_id=20003`, {
      as: MEGAN,
      method: 'PATCH',
      body: {
        telecomPhone: '+1 555 0199',
        identifiers: [keep, { system: 'https://lab.example', value: `c-${serial}` }],
      },
    });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.body).toMatchObject({ id: patient.id, telecomPhone: '+1 555 0199', nameFamily: 'Rest' });
    expect(replaced.body.identifiers).toEqual([keep, { system: 'https://lab.example', value: `c-${serial}` }]);
    const untouched = await rest(app, `/patients/${patient.id}`, {
      as: MEGAN,
      method: 'PATCH',
      body: { nameGiven: 'Renamed' },
    });
    expect(untouched.body.identifiers).toHaveLength(2);
    const cleared = await rest(app, `/patients/${patient.id}`, {
      as: MEGAN,
      method: 'PATCH',
      body: { identifiers: [] },
    });
    expect(cleared.body.identifiers).toEqual([]);
    // an identifier of another patient is taken
    const taken = await rest(app, `/patients/${patient.id}`, {
      as: MEGAN,
      method: 'PATCH',
      body: { identifiers: [{ system: 'https://ehr.example.com', value: 'peter-mrn-40001' }] },
    });
    expect(taken.status).toBe(409);
  });

  it('PUT needs the names and email; both take back a GET answer', async () => {
    const patient = await newBidsPatient();
    const partial = await rest(app, `/patients/${patient.id}`, {
      as: MARY,
      method: 'PUT',
      body: { nameGiven: 'Only' },
    });
    expect(partial.status).toBe(400);
    expect(partial.body.detail).toMatch(/nameFamily|telecomEmail/);
    const echoed = await rest(app, `/patients/${patient.id}`, {
      as: MARY,
      method: 'PUT',
      body: { ...patient, nameGiven: 'Whole' },
    });
    expect(echoed.status, JSON.stringify(echoed.body)).toBe(200);
    expect(echoed.body).toMatchObject({ id: patient.id, nameGiven: 'Whole', telecomEmail: patient.telecomEmail });
  });

  it('refuses changes by viewers (403) and other organizations (404); bad bodies name the field', async () => {
    const patient = await newBidsPatient();
    expect(
      (await rest(app, `/patients/${patient.id}`, { as: VICTOR, method: 'PATCH', body: { nameGiven: 'V' } })).status,
    ).toBe(403);
    expect(
      (await rest(app, `/patients/${patient.id}`, { as: MARK, method: 'PATCH', body: { nameGiven: 'M' } })).status,
    ).toBe(404);
    const bad = await rest(app, `/patients/${patient.id}`, { as: MARY, method: 'PATCH', body: { telecomPhone: 5 } });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toContain('telecomPhone');
    const empty = await rest(app, `/patients/${patient.id}`, { as: MARY, method: 'PATCH', body: {} });
    expect(empty.status).toBe(400);
  });
});

describe('DELETE /api/v1/patients/{id}', () => {
  it('with organization_id removes the patient from that organization, and deletes the record with the last one', async () => {
    const patient = await newBidsPatient();
    const shared = await gql(
      app,
      MARY,
      `mutation { addPatientToOrganization(patientId: "${patient.id}", organizationId: "20002") { id } }`,
    );
    expect(shared.errors).toBeUndefined();
    const first = await rest(app, `/patients/${patient.id}?organization_id=20002`, { as: MARY, method: 'DELETE' });
    expect(first.status).toBe(204);
    const still = await rest(app, `/patients/${patient.id}`, { as: SAM });
    expect(still.body.organizations.map((o: { id: number }) => o.id)).toEqual([20003]);
    // not (or no longer) in that organization
    expect(
      (await rest(app, `/patients/${patient.id}?organization_id=20002`, { as: MARY, method: 'DELETE' })).status,
    ).toBe(404);
    const last = await rest(app, `/patients/${patient.id}?organization_id=20003`, { as: MEGAN, method: 'DELETE' });
    expect(last.status).toBe(204);
    expect((await rest(app, `/patients/${patient.id}`, { as: SAM })).status).toBe(404);
  });

  it('refuses viewers (403) and other organizations (404); leaves the record as it was', async () => {
    const patient = await newBidsPatient();
    expect(
      (await rest(app, `/patients/${patient.id}?organization_id=20003`, { as: VICTOR, method: 'DELETE' })).status,
    ).toBe(403);
    expect((await rest(app, `/patients/${patient.id}`, { as: VICTOR, method: 'DELETE' })).status).toBe(403);
    expect(
      (await rest(app, `/patients/${patient.id}?organization_id=20003`, { as: MARK, method: 'DELETE' })).status,
    ).toBe(404);
    expect(
      (await rest(app, `/patients/${patient.id}?organization_id=20007`, { as: MARK, method: 'DELETE' })).status,
    ).toBe(404);
    expect((await rest(app, `/patients/${patient.id}`, { as: MARY })).status).toBe(200);
  });

  it('without organization_id deletes the record (rights in all its organizations)', async () => {
    const patient = await newBidsPatient();
    await gql(
      app,
      SAM,
      `mutation { addPatientToOrganization(patientId: "${patient.id}", organizationId: "20007") { id } }`,
    );
    // megan is a member of BIDS only: deleting would take the record from Moslehi too
    expect((await rest(app, `/patients/${patient.id}`, { as: MEGAN, method: 'DELETE' })).status).toBe(403);
    expect((await rest(app, `/patients/${patient.id}`, { as: SAM, method: 'DELETE' })).status).toBe(204);
    expect((await rest(app, `/patients/${patient.id}`, { as: SAM })).status).toBe(404);
  });

  it('a token that may not delete patients removes none, even from one organization', async () => {
    const patient = await newBidsPatient();
    const { access_token } = await scopedToken(app, MARY, 'user/Patient.cru');
    const refused = await rest(app, `/patients/${patient.id}?organization_id=20003`, {
      token: access_token,
      method: 'DELETE',
    });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('user/Patient.d');
    expect((await rest(app, `/patients/${patient.id}`, { as: MARY })).status).toBe(200);
  });
});

describe('GET /api/v1/patients/global_lookup and PATCH …/global_add_organization', () => {
  it('shows another organization’s patient only by id and names; the record where the viewer may see it', async () => {
    const stranger = await rest(app, '/patients/global_lookup?email=peter@example.com', { as: MARK });
    expect(stranger.status).toBe(200);
    // exactly these keys: no birth date, phone, identifiers, organizations or login
    expect(stranger.body).toEqual([
      { id: 40001, nameFamily: 'Patient', nameGiven: 'Peter', telecomEmail: 'peter@example.com' },
    ]);
    const own = await rest(app, '/patients/global_lookup?email=Peter@Example.com', { as: MARY });
    expect(own.body).toHaveLength(1);
    expect(Object.keys(own.body[0]).sort()).toEqual(PATIENT_KEYS);
    expect(own.body[0]).toMatchObject({ id: 40001, birthDate: '1980-01-01', jheUserId: 10007 });
    // tom views BIDS: he sees peter's record anyway
    expect(
      Object.keys((await rest(app, '/patients/global_lookup?email=peter@example.com', { as: TOM })).body[0]),
    ).toContain('identifiers');
    expect((await rest(app, '/patients/global_lookup?email=nobody@example.com', { as: MARK })).body).toEqual([]);
    // a practitioner's email is no patient's
    expect((await rest(app, '/patients/global_lookup?email=mary@example.com', { as: MARK })).body).toEqual([]);
  });

  it('is for members and managers: viewers and patients get 403; the email is required and exact', async () => {
    expect((await rest(app, '/patients/global_lookup?email=percy@example.com', { as: VICTOR })).status).toBe(403);
    const pamela = await patientAppToken(app, 40002);
    expect((await rest(app, '/patients/global_lookup?email=peter@example.com', { token: pamela })).status).toBe(403);
    const missing = await rest(app, '/patients/global_lookup', { as: MARK });
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toContain('email');
    expect((await rest(app, '/patients/global_lookup?email=peter', { as: MARK })).status).toBe(400);
    expect((await rest(app, '/patients/global_lookup?email=peter%25', { as: MARK })).status).toBe(400);
    // compared exactly: a pattern character matches nobody (or is no email at all)
    const wild = await rest(app, '/patients/global_lookup?email=%25@example.com', { as: MARK });
    expect(wild.status === 400 || (wild.status === 200 && wild.body.length === 0), JSON.stringify(wild.body)).toBe(
      true,
    );
  });

  it('adds a patient found by email to the viewer’s organization; an id alone finds nobody', async () => {
    const patient = await newBidsPatient();
    const path = `/patients/${patient.id}/global_add_organization?organization_id=20006`;
    const guessed = await rest(app, path, { as: MARK, method: 'PATCH' });
    expect(guessed.status).toBe(404);
    expect((await rest(app, `${path}&email=someone@example.org`, { as: MARK, method: 'PATCH' })).status).toBe(404);
    expect((await rest(app, `/patients/${patient.id}`, { as: MARK })).status).toBe(404);

    const [found] = (await rest(app, `/patients/global_lookup?email=${patient.telecomEmail}`, { as: MARK })).body;
    expect(found).toEqual({
      id: patient.id,
      nameFamily: 'Rest',
      nameGiven: 'Test',
      telecomEmail: patient.telecomEmail,
    });
    const added = await rest(app, `${path}&email=${found.telecomEmail}`, { as: MARK, method: 'PATCH' });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    // mark sees his own organization of the patient's, not BIDS
    expect(added.body.organizations.map((o: { id: number }) => o.id)).toEqual([20006]);
    expect((await rest(app, `/patients/${patient.id}`, { as: MARK })).status).toBe(200);
    expect(
      (await rest(app, '/patients?organization_id=20006', { as: MARK })).body.results.map((p: { id: number }) => p.id),
    ).toContain(patient.id);
    const again = await rest(app, `${path}&email=${found.telecomEmail}`, { as: MARK, method: 'PATCH' });
    expect(again.status).toBe(400);
    expect(again.body.detail).toMatch(/already belongs/);
  });

  it('adds only to organizations where the viewer is a member or manager', async () => {
    const patient = await newBidsPatient();
    const email = patient.telecomEmail;
    // tom is a viewer of BIDS, a member of Moslehi: into Moslehi, not into BIDS
    expect(
      (
        await rest(app, `/patients/${patient.id}/global_add_organization?organization_id=20003&email=${email}`, {
          as: TOM,
          method: 'PATCH',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await rest(app, `/patients/${patient.id}/global_add_organization?organization_id=20007&email=${email}`, {
          as: TOM,
          method: 'PATCH',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await rest(app, `/patients/40003/global_add_organization?organization_id=20003&email=percy@example.com`, {
          as: VICTOR,
          method: 'PATCH',
        })
      ).status,
    ).toBe(403);
    // mark holds no role in BIDS: not found
    expect(
      (
        await rest(app, `/patients/40003/global_add_organization?organization_id=20003&email=percy@example.com`, {
          as: MARK,
          method: 'PATCH',
        })
      ).status,
    ).toBe(404);
    const missing = await rest(app, `/patients/${patient.id}/global_add_organization`, { as: MARK, method: 'PATCH' });
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toContain('organization_id');
  });

  it('GraphQL’s patientLookup holds the same limits', async () => {
    const result = await gql(
      app,
      MARK,
      '{ patientLookup(email: "pamela@example.com") { id nameGiven email patient { id birthDate } } }',
    );
    expect(result.data!.patientLookup).toEqual([
      { id: '40002', nameGiven: 'Pamela', email: 'pamela@example.com', patient: null },
    ]);
    const viewer = await gql(app, VICTOR, '{ patientLookup(email: "pamela@example.com") { id } }');
    expect(viewer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('GET /api/v1/patients/{id}/invitation_link and …/consolidated_clients', () => {
  it('mints a link for members and managers; viewers 403, other organizations 404', async () => {
    const patient = await newBidsPatient();
    const { status, body } = await rest(app, `/patients/${patient.id}/invitation_link`, { as: MEGAN });
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['invitationLink']);
    expect(body.invitationLink.startsWith(app.config.auth.invitationLinkPrefix)).toBe(true);
    expect((await rest(app, `/patients/${patient.id}/invitation_link`, { as: VICTOR })).status).toBe(403);
    expect((await rest(app, `/patients/${patient.id}/invitation_link`, { as: MARK })).status).toBe(404);
    const email = await rest(app, `/patients/${patient.id}/invitation_link?send_email=true`, { as: MEGAN });
    // this app has no SMTP_URL (tests/email-invitations.int.test.ts sends through one)
    expect(email.status).toBe(400);
    expect(email.body.detail).toContain('sends no email');
  });

  it('lists the clients of the patient’s studies with the patient’s invitations to each, newest first', async () => {
    const patient = await newBidsPatient();
    expect((await rest(app, `/patients/${patient.id}/consolidated_clients`, { as: MARY })).body).toEqual([]);
    // the seed's BIDS studies hold CommonHealth (90001) and CareX (90002)
    const enrolled = await rest(app, '/studies/30002/patients', { as: MARY, body: { patientIds: [patient.id] } });
    expect(enrolled.status).toBe(201);
    await rest(app, `/patients/${patient.id}/invitation_link?client_id=90002`, { as: MARY });
    await rest(app, `/patients/${patient.id}/invitation_link?client_id=90002`, { as: MARY });
    // the patient app's (no client_id) is no client of a study: not listed
    await rest(app, `/patients/${patient.id}/invitation_link`, { as: MARY });
    const { status, body } = await rest(app, `/patients/${patient.id}/consolidated_clients`, { as: MEGAN });
    expect(status).toBe(200);
    expect(body).toEqual([
      {
        id: 90001,
        name: 'CommonHealth',
        clientId: 'commonhealth',
        invitationUrl: expect.stringContaining('CODE'),
        patientInvitations: [],
      },
      {
        id: 90002,
        name: 'CareX',
        clientId: 'carex',
        invitationUrl: 'https://carex.ai/?invitation=CODE',
        patientInvitations: [
          expect.objectContaining({ id: expect.any(Number), status: 'pending', redeemedAt: null }),
          expect.objectContaining({ status: 'superseded', supersededAt: expect.any(String) }),
        ],
      },
    ]);
    // neither codes (stored hashed) nor the static PKCE verifier, which JupyterHealth shows here
    expect(JSON.stringify(body)).not.toMatch(/"(code|codeVerifier|invitationLink)"/);
    expect(JSON.stringify(body)).not.toContain(app.config.auth.patientCodeVerifier);
    expect((await rest(app, `/patients/${patient.id}/consolidated_clients`, { as: VICTOR })).status).toBe(403);
    expect((await rest(app, `/patients/${patient.id}/consolidated_clients`, { as: MARK })).status).toBe(404);
  });
});

describe('the OpenAPI document', () => {
  it('lists the patient routes with their bodies', async () => {
    const { body } = await rest(app, '/schema');
    for (const path of [
      '/patients',
      '/patients/{id}',
      '/patients/me',
      '/patients/global_lookup',
      '/patients/{id}/global_add_organization',
      '/patients/{id}/invitation_link',
      '/patients/{id}/consolidated_clients',
    ]) {
      expect(Object.keys(body.paths), path).toContain(path);
    }
    expect(body.paths['/patients'].post.requestBody.content['application/json'].schema.required).toContain(
      'telecomEmail',
    );
    expect(Object.keys(body.paths['/patients/{id}'])).toEqual(['get', 'patch', 'put', 'delete']);
  });
});
