import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { fhirFetch } from './support/fhir.js';
import { r5SchemaErrors } from './support/fhir-r5-schema.js';
import { OMH } from './support/omh.js';
import { gqlWith, patientToken, scopedToken } from './support/scoped-tokens.js';
import { PATIENT } from './support/seed-viewers.js';
import { gql } from './support/tokens.js';

/**
 * Practitioner, PractitionerRole and Consent on the FHIR face: who sees which, the token scopes each needs, the
 * references they carry, and bad parameters. Seed practitioners: sam 1 (super user), mary 2 (manager UCB, CCDSS,
 * BIDS), megan 3 (member BIDS), victor 4 (viewer BIDS), tom 5 (viewer BIDS, member Moslehi, manager Olgin), mark 6
 * (manager UCSF, Medicine, Cardiology, Moslehi); their memberships (PractitionerRole ids) 1-12 in that order.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const withToken = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const ids = (bundle: any): string[] => bundle.entry.map((e: any) => e.resource.id);
const MARY = { as: 'mary@example.com' };
const MARK = { as: 'mark@example.com' };
const SAM = { as: 'sam@example.com' };
const TOM = { as: 'tom@example.com' };

async function refused(path: string, init: Parameters<typeof fhirFetch>[2], status = 400) {
  const { status: got, body } = await fhirFetch(app, path, init);
  expect(got, path).toBe(status);
  expect(body.resourceType, path).toBe('OperationOutcome');
  return body.issue[0].diagnostics as string;
}

describe('FHIR Practitioner', () => {
  it('reads a practitioner of the viewer’s organizations; others are 404', async () => {
    const { status, body } = await fhirFetch(app, '/Practitioner/3', MARY);
    expect(status).toBe(200);
    expect(body).toEqual({
      resourceType: 'Practitioner',
      id: '3',
      active: true,
      name: [{ family: expect.any(String), given: ['Megan'] }],
      telecom: [{ system: 'email', value: 'megan@example.com' }],
    });
    expect(r5SchemaErrors(body)).toBeNull();
    expect((await fhirFetch(app, '/Practitioner/3', MARK)).status).toBe(404);
    expect((await fhirFetch(app, '/Practitioner/5', MARK)).status).toBe(200); // tom, of Moslehi
    expect((await fhirFetch(app, '/Practitioner/3', SAM)).status).toBe(200);
  });

  it('searches the visible practitioners, by _id, names, email and organization', async () => {
    expect(ids((await fhirFetch(app, '/Practitioner', MARY)).body)).toEqual(['2', '3', '4', '5']);
    expect(ids((await fhirFetch(app, '/Practitioner', MARK)).body)).toEqual(['5', '6']);
    expect(ids((await fhirFetch(app, '/Practitioner', SAM)).body)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(ids((await fhirFetch(app, '/Practitioner?_id=3,6', MARY)).body)).toEqual(['3']);
    expect(ids((await fhirFetch(app, '/Practitioner?given=meg', MARY)).body)).toEqual(['3']);
    expect(ids((await fhirFetch(app, '/Practitioner?name=VICT', MARY)).body)).toEqual(['4']);
    expect(ids((await fhirFetch(app, '/Practitioner?email=Tom@Example.com', MARY)).body)).toEqual(['5']);
    expect(ids((await fhirFetch(app, '/Practitioner?email=mark@example.com', MARY)).body)).toEqual([]);
    const moslehi = await fhirFetch(app, '/Practitioner?_has:PractitionerRole:practitioner:organization=20007', MARK);
    expect(ids(moslehi.body)).toEqual(['5', '6']);
    const paged = await fhirFetch(app, '/Practitioner?_count=2', MARY);
    expect(ids(paged.body)).toEqual(['2', '3']);
    const next = paged.body.link.find((l: any) => l.relation === 'next').url.split('/fhir/r5')[1];
    expect(ids((await fhirFetch(app, next, MARY)).body)).toEqual(['4', '5']);
    expect((await fhirFetch(app, '/Practitioner?_summary=count', MARY)).body).toMatchObject({ total: 4, entry: [] });
  });

  it('refuses bad parameters and names them', async () => {
    expect(await refused('/Practitioner?gender=female', MARY)).toContain('gender');
    expect(await refused('/Practitioner?_id=abc', MARY)).toContain('_id');
    expect(await refused('/Practitioner?name=', MARY)).toContain('name');
    expect(await refused('/Practitioner?email=not-an-email', MARY)).toContain('email');
    expect(await refused('/Practitioner/abc', MARY)).toContain('id');
    // an organization the viewer cannot see is not found, as for Patient?organization
    await refused('/Practitioner?_has:PractitionerRole:practitioner:organization=20007', MARY, 404);
    await refused('/Practitioner', { ...MARY, method: 'POST', body: { resourceType: 'Practitioner' } }, 405);
  });

  it('a patient sees no practitioner (the policy gives them none); a narrower token gets 403', async () => {
    const patient = await patientToken(app, PATIENT.peter, 'patient/*.rs');
    expect((await fhirFetch(app, '/Practitioner', withToken(patient.access_token))).body.entry).toEqual([]);
    expect((await fhirFetch(app, '/Practitioner/2', withToken(patient.access_token))).status).toBe(404);
    const { access_token } = await scopedToken(app, 'mary@example.com', 'user/Patient.rs');
    expect(await refused('/Practitioner', withToken(access_token), 403)).toContain('user/Practitioner.s');
    expect(await refused('/Practitioner/3', withToken(access_token), 403)).toContain('user/Practitioner.r');
  });
});

describe('FHIR PractitionerRole', () => {
  it('reads a membership with its role, practitioner and organization, and the references resolve', async () => {
    const { status, body } = await fhirFetch(app, '/PractitionerRole/4', MARY);
    expect(status).toBe(200);
    expect(body).toEqual({
      resourceType: 'PractitionerRole',
      id: '4',
      active: true,
      practitioner: { reference: 'Practitioner/3' },
      organization: { reference: 'Organization/20003' },
      code: [
        {
          coding: [
            { system: `${app.baseUrl}/fhir/r5/CodeSystem/organization-role`, code: 'member', display: 'Member' },
          ],
          text: 'Member',
        },
      ],
    });
    expect(r5SchemaErrors(body)).toBeNull();
    for (const reference of [body.practitioner.reference, body.organization.reference]) {
      const followed = await fhirFetch(app, `/${reference}`, MARY);
      expect(followed.status, reference).toBe(200);
      expect(`${followed.body.resourceType}/${followed.body.id}`).toBe(reference);
    }
  });

  it('shows the roles in the viewer’s organizations only', async () => {
    expect((await fhirFetch(app, '/PractitionerRole/4', MARK)).status).toBe(404);
    expect((await fhirFetch(app, '/PractitionerRole/7', MARK)).status).toBe(200); // tom in Moslehi
    expect(ids((await fhirFetch(app, '/PractitionerRole', MARY)).body)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(ids((await fhirFetch(app, '/PractitionerRole', MARK)).body)).toEqual(['7', '9', '10', '11', '12']);
    expect((await fhirFetch(app, '/PractitionerRole', SAM)).body.total).toBe(12);
    // tom's roles: mary sees the BIDS one, tom all three
    expect(ids((await fhirFetch(app, '/PractitionerRole?practitioner=Practitioner/5', MARY)).body)).toEqual(['6']);
    expect(ids((await fhirFetch(app, '/PractitionerRole?practitioner=5', TOM)).body)).toEqual(['6', '7', '8']);
    const patient = await patientToken(app, PATIENT.peter, 'patient/*.rs');
    expect((await fhirFetch(app, '/PractitionerRole', withToken(patient.access_token))).body.entry).toEqual([]);
  });

  it('searches by organization, role and _id', async () => {
    expect(ids((await fhirFetch(app, '/PractitionerRole?organization=20003', MARY)).body)).toEqual([
      '3',
      '4',
      '5',
      '6',
    ]);
    expect(ids((await fhirFetch(app, '/PractitionerRole?role=manager', MARY)).body)).toEqual(['1', '2', '3']);
    const system = `${app.baseUrl}/fhir/r5/CodeSystem/organization-role`;
    const viewers = await fhirFetch(app, `/PractitionerRole?role=${encodeURIComponent(`${system}|viewer`)}`, MARY);
    expect(ids(viewers.body)).toEqual(['5', '6']);
    expect(ids((await fhirFetch(app, '/PractitionerRole?_id=4', MARY)).body)).toEqual(['4']);
    expect(ids((await fhirFetch(app, '/PractitionerRole?_id=4&role=manager', MARY)).body)).toEqual([]);
    expect((await fhirFetch(app, '/PractitionerRole?_id=4', MARK)).body).toMatchObject({ total: 0, entry: [] });
  });

  it('names its roles in the gateway’s own CodeSystem, which resolves (without a token, like the metadata)', async () => {
    const { body: role } = await fhirFetch(app, '/PractitionerRole/1', MARY);
    const { system, code } = role.code[0].coding[0];
    const response = await fetch(system, { headers: { accept: 'application/fhir+json' } });
    expect(response.status).toBe(200);
    const codeSystem = (await response.json()) as any;
    expect(r5SchemaErrors(codeSystem)).toBeNull();
    expect(codeSystem).toMatchObject({
      resourceType: 'CodeSystem',
      url: system,
      status: 'active',
      content: 'complete',
    });
    expect(codeSystem.concept.map((c: any) => c.code)).toEqual(['manager', 'member', 'viewer']);
    expect(codeSystem.concept.map((c: any) => c.code)).toContain(code);
    await refused('/CodeSystem/organization-role', { ...MARY, method: 'DELETE' }, 405);
    expect(await refused('/CodeSystem/other', MARY, 404)).toContain('/CodeSystem/organization-role');
  });

  it('refuses bad parameters, writes and narrower tokens', async () => {
    expect(await refused('/PractitionerRole?role=boss', MARY)).toContain('role');
    expect(await refused('/PractitionerRole?role=http://other.example|manager', MARY)).toContain('role');
    expect(await refused('/PractitionerRole?practitioner=Patient/2', MARY)).toContain('practitioner');
    expect(await refused('/PractitionerRole?specialty=x', MARY)).toContain('specialty');
    await refused('/PractitionerRole?organization=20007', MARY, 404);
    await refused('/PractitionerRole/4', { ...MARY, method: 'DELETE' }, 405);
    // the role alone: its references need no Practitioner or Organization scope
    const narrow = await scopedToken(app, 'mary@example.com', 'user/PractitionerRole.rs');
    const role = await fhirFetch(app, '/PractitionerRole/4', withToken(narrow.access_token));
    expect(role.status).toBe(200);
    expect(role.body.organization).toEqual({ reference: 'Organization/20003' });
    expect(await refused('/Organization/20003', withToken(narrow.access_token), 403)).toContain('user/Organization.r');
    const other = await scopedToken(app, 'mary@example.com', 'user/Practitioner.rs');
    expect(await refused('/PractitionerRole/4', withToken(other.access_token), 403)).toContain(
      'user/PractitionerRole.r',
    );
    expect(await refused('/PractitionerRole', withToken(other.access_token), 403)).toContain('user/PractitionerRole.s');
  });
});

describe('the GraphQL queries behind them', () => {
  const codes = async (as: string, query: string) => (await gql(app, as, query)).errors?.map((e) => e.extensions?.code);

  it('answer bad input and hidden rows with typed errors', async () => {
    expect(await codes('mary@example.com', '{ practitioners(email: "nope") { nodes { id } } }')).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(await codes('mary@example.com', '{ practitioners(organizationId: "20007") { nodes { id } } }')).toEqual([
      'NOT_FOUND',
    ]);
    expect(await codes('mary@example.com', '{ practitionerRole(id: "7") { id } }')).toEqual(['NOT_FOUND']);
    expect(await codes('mary@example.com', '{ practitionerRoles(organizationId: "20007") { nodes { id } } }')).toEqual([
      'NOT_FOUND',
    ]);
    expect(
      await codes('mark@example.com', '{ enrollmentConsent(patientId: "40001", studyId: "30001") { id } }'),
    ).toEqual(['NOT_FOUND']);
    expect(await codes('mary@example.com', '{ enrollmentConsents(first: 1001) { nodes { id } } }')).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(await codes('mary@example.com', '{ enrollmentConsents(after: "bogus") { nodes { id } } }')).toEqual([
      'BAD_USER_INPUT',
    ]);
  });

  it('filter consents by state and study, and count them', async () => {
    const result = await gql(
      app,
      'mary@example.com',
      `{ pending: enrollmentConsents(state: PENDING) { totalCount nodes { id state lastAnswered } }
         study: enrollmentConsents(studyId: "30002") { totalCount nodes { id state } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.pending).toEqual({
      totalCount: 1,
      nodes: [{ id: '40001-30002', state: 'PENDING', lastAnswered: null }],
    });
    expect(result.data!.study.nodes.map((n: any) => [n.id, n.state])).toEqual([
      ['40001-30002', 'PENDING'],
      ['40002-30002', 'SHARING'],
    ]);
  });
});

describe('FHIR Consent', () => {
  const BP = 'omh:blood-pressure:4.0';
  const HR = 'omh:heart-rate:2.0';

  it('reads a patient’s answers to a study as an R5 Consent', async () => {
    const { status, body } = await fhirFetch(app, '/Consent/40001-30001', MARY);
    expect(status).toBe(200);
    expect(r5SchemaErrors(body)).toBeNull();
    expect(body).toMatchObject({
      resourceType: 'Consent',
      id: '40001-30001',
      status: 'active',
      category: [
        { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentcategorycodes', code: 'research' }] },
      ],
      subject: { reference: 'Patient/40001' },
      date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      grantor: [{ reference: 'Patient/40001' }],
      grantee: [{ reference: 'Organization/20003' }],
      controller: [{ reference: 'Organization/20003' }],
      policyBasis: { reference: { reference: 'ResearchStudy/30001' } },
      decision: 'deny',
    });
    // each shared code is a permit exception to the base deny
    expect(body.provision.map((p: any) => p.code[0].coding[0].code).sort()).toEqual([BP, HR]);
    expect(body.provision[0]).toMatchObject({
      period: { start: expect.any(String) },
      purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HRESCH' }],
      code: [{ coding: [{ system: OMH }] }],
    });
    // nothing answered yet: a draft, permitting nothing
    const pending = await fhirFetch(app, '/Consent/40001-30002', MARY);
    expect(pending.body).toMatchObject({ status: 'draft', decision: 'deny' });
    expect(pending.body).not.toHaveProperty('provision');
    expect(pending.body).not.toHaveProperty('date');
    expect(r5SchemaErrors(pending.body)).toBeNull();
  });

  it('its references resolve: subject, study, organization', async () => {
    const { body } = await fhirFetch(app, '/Consent/40001-30001', MARY);
    for (const reference of [body.subject.reference, body.policyBasis.reference.reference, body.grantee[0].reference]) {
      const followed = await fhirFetch(app, `/${reference}`, MARY);
      expect(followed.status, reference).toBe(200);
      expect(`${followed.body.resourceType}/${followed.body.id}`).toBe(reference);
    }
  });

  it('shows practitioners the consents of their patients in their organizations’ studies', async () => {
    const mary = await fhirFetch(app, '/Consent', MARY);
    expect(ids(mary.body).sort()).toEqual(['40001-30001', '40001-30002', '40002-30001', '40002-30002']);
    expect(ids((await fhirFetch(app, '/Consent', MARK)).body).sort()).toEqual(['40003-30004', '40005-30003']);
    // pat (40005) is in Cardiology and Olgin: tom, of Olgin, sees pat's Olgin study, not the Cardiology one
    const tom = ids((await fhirFetch(app, '/Consent?patient=40005', TOM)).body);
    expect(tom).toEqual(['40005-30005']);
    expect((await fhirFetch(app, '/Consent', SAM)).body.total).toBe(8);
    expect((await fhirFetch(app, '/Consent/40001-30001', MARK)).status).toBe(404);
    expect((await fhirFetch(app, '/Consent/40005-30003', TOM)).status).toBe(404);
    expect((await fhirFetch(app, '/Consent?_id=40001-30001', MARK)).body).toMatchObject({ total: 0, entry: [] });
  });

  it('searches by patient, subject, status and _id', async () => {
    expect(ids((await fhirFetch(app, '/Consent?patient=Patient/40002', MARY)).body)).toEqual([
      '40002-30001',
      '40002-30002',
    ]);
    expect(ids((await fhirFetch(app, '/Consent?subject=40001&status=draft', MARY)).body)).toEqual(['40001-30002']);
    expect(ids((await fhirFetch(app, '/Consent?status=active', MARY)).body)).toHaveLength(3);
    expect(ids((await fhirFetch(app, '/Consent?_id=40001-30002', MARY)).body)).toEqual(['40001-30002']);
    expect(ids((await fhirFetch(app, '/Consent?_id=40001-30002&status=active', MARY)).body)).toEqual([]);
    const paged = await fhirFetch(app, '/Consent?_count=3', MARY);
    expect(ids(paged.body)).toHaveLength(3);
    const next = paged.body.link.find((l: any) => l.relation === 'next').url.split('/fhir/r5')[1];
    expect(ids((await fhirFetch(app, next, MARY)).body)).toHaveLength(1);
  });

  it('refuses bad parameters and every write', async () => {
    expect(await refused('/Consent?status=revoked', MARY)).toContain('status');
    expect(await refused('/Consent?_id=40001', MARY)).toContain('<patientId>-<studyId>');
    expect(await refused('/Consent/40001', MARY)).toContain('<patientId>-<studyId>');
    expect(await refused('/Consent?patient=Group/1', MARY)).toContain('patient');
    expect(await refused('/Consent?patient=40001&subject=40001', MARY)).toContain('subject');
    expect(await refused('/Consent?category=research', MARY)).toContain('category');
    const consent = { resourceType: 'Consent', status: 'active' };
    await refused('/Consent', { ...MARY, body: consent }, 405);
    await refused('/Consent/40001-30001', { ...MARY, method: 'PUT', body: consent }, 405);
    await refused('/Consent/40001-30001', { ...MARY, method: 'DELETE' }, 405);
  });

  it('gives a patient their own consents only', async () => {
    const { access_token } = await patientToken(app, PATIENT.peter, 'patient/Consent.rs patient/Patient.r');
    const own = await fhirFetch(app, '/Consent', withToken(access_token));
    expect(ids(own.body)).toEqual(['40001-30001', '40001-30002']);
    expect((await fhirFetch(app, '/Consent/40002-30001', withToken(access_token))).status).toBe(404);
    expect(ids((await fhirFetch(app, '/Consent?patient=40002', withToken(access_token))).body)).toEqual([]);
    const subject = await fhirFetch(app, `/${own.body.entry[0].resource.subject.reference}`, withToken(access_token));
    expect(subject.status).toBe(200);
    const narrow = await patientToken(app, PATIENT.peter, 'patient/Observation.rs');
    expect(await refused('/Consent', withToken(narrow.access_token), 403)).toContain('patient/Consent.s');
  });

  it('a token with Consent scopes alone reads consents; without them, 403', async () => {
    const consentOnly = await scopedToken(app, 'mary@example.com', 'user/Consent.rs');
    const read = await fhirFetch(app, '/Consent/40001-30001', withToken(consentOnly.access_token));
    expect(read.status).toBe(200);
    expect(read.body.subject).toEqual({ reference: 'Patient/40001' });
    expect((await fhirFetch(app, '/Consent', withToken(consentOnly.access_token))).body.total).toBe(4);
    // the subject is a Patient read, which this token does not allow
    expect(await refused('/Patient/40001', withToken(consentOnly.access_token), 403)).toContain('user/Patient.r');
    const other = await scopedToken(app, 'mary@example.com', 'user/Patient.rs user/Group.rs');
    expect(await refused('/Consent/40001-30001', withToken(other.access_token), 403)).toContain('user/Consent.r');
    expect(await refused('/Consent', withToken(other.access_token), 403)).toContain('user/Consent.s');
  });

  it('records each read and search of consents in the audit trail, with the patients concerned', async () => {
    const requestId = (name: string) => `fhir-consent-${name}-${Date.now()}`;
    const events = async (id: string) => {
      await app.audit.flush();
      return app.db.orm.em
        .fork()
        .getConnection()
        .execute<{ operation: string; action: string; resource_type: string; patient_ids: number[]; face: string }[]>(
          'select operation, action, resource_type, patient_ids, face from audit_events where request_id = ? order by id',
          [id],
        );
    };
    const read = requestId('read');
    await fhirFetch(app, '/Consent/40002-30001', { ...MARY, headers: { 'x-request-id': read } });
    expect(await events(read)).toEqual([
      {
        operation: 'Query.enrollmentConsent',
        action: 'read',
        resource_type: 'Consent',
        patient_ids: [40002],
        face: 'fhir',
      },
    ]);
    const search = requestId('search');
    await fhirFetch(app, '/Consent?status=active', { ...MARY, headers: { 'x-request-id': search } });
    const [event] = await events(search);
    expect(event).toMatchObject({ operation: 'Query.enrollmentConsents', action: 'search', resource_type: 'Consent' });
    expect([...event!.patient_ids].sort()).toEqual([40001, 40002]);
  });

  it('follows the patient’s answers at once: declined is inactive, consented is active again', async () => {
    const peter = await patientToken(app, PATIENT.peter, 'patient/*.cruds');
    const answer = (consented: boolean) =>
      gqlWith(
        peter.access_token,
        app,
        `mutation ($c: Boolean!) { setConsents(patientId: "40001", studyScopeConsents: [{ studyId: "30002",
          scopeConsents: [{ codingSystem: "${OMH}", codingCode: "${BP}", consented: $c }] }]) { consolidatedConsentedScopes { id } } }`,
        { c: consented },
      );
    expect((await answer(false)).errors).toBeUndefined();
    const declined = await fhirFetch(app, '/Consent/40001-30002', MARY);
    expect(declined.body).toMatchObject({ status: 'inactive', decision: 'deny', date: expect.any(String) });
    expect(declined.body).not.toHaveProperty('provision');
    expect(ids((await fhirFetch(app, '/Consent?status=inactive', MARY)).body)).toEqual(['40001-30002']);
    expect((await answer(true)).errors).toBeUndefined();
    const consented = await fhirFetch(app, '/Consent/40001-30002', MARY);
    expect(consented.body.status).toBe('active');
    expect(consented.body.provision.map((p: any) => p.code[0].coding[0].code)).toEqual([BP]);
    expect(ids((await fhirFetch(app, '/Consent?status=draft', MARY)).body)).toEqual([]);
  });
});

describe('FHIR ResearchStudy (a study, beside its Group)', () => {
  it('reads a study with its sponsor and its enrolled patients’ Group; the references resolve', async () => {
    const { status, body } = await fhirFetch(app, '/ResearchStudy/30001', MARY);
    expect(status).toBe(200);
    expect(r5SchemaErrors(body)).toBeNull();
    expect(body).toEqual({
      resourceType: 'ResearchStudy',
      id: '30001',
      title: 'BIDS Study on BP & HR',
      status: 'active',
      description: expect.any(String),
      associatedParty: [
        {
          role: {
            coding: [{ system: 'http://hl7.org/fhir/research-study-party-role', code: 'sponsor', display: 'sponsor' }],
          },
          party: { reference: 'Organization/20003' },
        },
      ],
      recruitment: { actualGroup: { reference: 'Group/30001' } },
    });
    for (const reference of [body.associatedParty[0].party.reference, body.recruitment.actualGroup.reference]) {
      expect((await fhirFetch(app, `/${reference}`, MARY)).status, reference).toBe(200);
    }
    expect((await fhirFetch(app, '/ResearchStudy/30001', MARK)).status).toBe(404);
    expect((await fhirFetch(app, '/ResearchStudy/30004', MARK)).status).toBe(200);
  });

  it('searches the visible studies, by _id; search entries are SUBSETTED (no sponsor)', async () => {
    const all = await fhirFetch(app, '/ResearchStudy', MARY);
    expect(ids(all.body)).toEqual(['30001', '30002']);
    expect(all.body.entry[0].resource.meta.tag[0].code).toBe('SUBSETTED');
    expect(all.body.entry[0].resource).not.toHaveProperty('associatedParty');
    const one = await fhirFetch(app, '/ResearchStudy?_id=ResearchStudy/30002', MARY);
    expect(one.body.entry[0].resource.associatedParty[0].party).toEqual({ reference: 'Organization/20003' });
    expect((await fhirFetch(app, '/ResearchStudy?_id=30001', MARK)).body).toMatchObject({ total: 0, entry: [] });
    expect(await refused('/ResearchStudy?title=BIDS', MARY)).toContain('title');
    expect(await refused('/ResearchStudy/x', MARY)).toContain('id');
    await refused('/ResearchStudy', { ...MARY, body: { resourceType: 'ResearchStudy', status: 'active' } }, 405);
  });

  it('needs the Group scopes; the sponsor needs Organization read and is left out without it', async () => {
    const groupOnly = await scopedToken(app, 'mary@example.com', 'user/Group.rs');
    const study = await fhirFetch(app, '/ResearchStudy/30001', withToken(groupOnly.access_token));
    expect(study.status).toBe(200);
    expect(study.body).not.toHaveProperty('associatedParty');
    expect(study.body.recruitment).toEqual({ actualGroup: { reference: 'Group/30001' } });
    const other = await scopedToken(app, 'mary@example.com', 'user/Observation.rs');
    expect(await refused('/ResearchStudy/30001', withToken(other.access_token), 403)).toContain('user/Group.r');
    expect(await refused('/ResearchStudy', withToken(other.access_token), 403)).toContain('user/Group.s');
    // an enrolled patient sees their studies, and who runs them
    const patient = await patientToken(app, PATIENT.peter, 'patient/*.rs');
    expect(ids((await fhirFetch(app, '/ResearchStudy', withToken(patient.access_token))).body)).toEqual([
      '30001',
      '30002',
    ]);
    const own = await fhirFetch(app, '/ResearchStudy/30001', withToken(patient.access_token));
    expect(own.body.associatedParty[0].party).toEqual({ reference: 'Organization/20003' });
    expect((await fhirFetch(app, '/ResearchStudy/30003', withToken(patient.access_token))).status).toBe(404);
  });
});

describe('the CapabilityStatement', () => {
  it('lists the new resources with their interactions and search parameters', async () => {
    const { body } = await fhirFetch(app, '/metadata');
    const byType = new Map(body.rest[0].resource.map((r: any) => [r.type, r]));
    const summary = (type: string) => {
      const r: any = byType.get(type);
      return { interactions: r.interaction.map((i: any) => i.code), params: r.searchParam.map((p: any) => p.name) };
    };
    expect(summary('Practitioner')).toEqual({
      interactions: ['read', 'search-type'],
      params: ['_id', 'name', 'family', 'given', 'email', '_has:PractitionerRole:practitioner:organization'],
    });
    expect(summary('PractitionerRole')).toEqual({
      interactions: ['read', 'search-type'],
      params: ['_id', 'practitioner', 'organization', 'role'],
    });
    expect(summary('Consent')).toEqual({
      interactions: ['read', 'search-type'],
      params: ['_id', 'patient', 'subject', 'status'],
    });
    expect(summary('ResearchStudy')).toEqual({ interactions: ['read', 'search-type'], params: ['_id'] });
    expect(summary('CodeSystem')).toEqual({ interactions: ['read'], params: [] });
  });
});
