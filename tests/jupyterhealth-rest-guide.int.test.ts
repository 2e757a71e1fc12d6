import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { json } from './support/http.js';
import { rest } from './support/rest.js';
import { patientAppToken } from './support/rest-pages.js';
import { tokenFor } from './support/tokens.js';

/**
 * The JupyterHealth Exchange REST guide's examples, sent as written: the requests of its API collection
 * (`opencollection/JHE`, snake_case bodies, `pageSize`/`organizationId` queries), the camelCase consents body of
 * its README, and the README's quick-start walkthrough (an organization, a study with scope requests and data
 * sources, a patient, an invitation, consents, an upload, the observations). Checked: statuses and shapes; bad
 * bodies answer 400 naming the field; paths the gateway does not serve answer 404 in JSON.
 */

let app: TestApp;
let fhirBase: string;
beforeAll(async () => {
  app = await startTestApp();
  fhirBase = `${app.baseUrl}/FHIR/R5`;
});
afterAll(() => app?.close());

const MARY = 'mary@example.com';
const OMH = 'https://w3id.org/openmhealth';
const BP = 'omh:blood-pressure:4.0';
const HR = 'omh:heart-rate:2.0';

/** The collection's "Bundle Create Observation" attachment: an Open mHealth blood pressure, base64. */
const BUNDLE_EXAMPLE_DATA =
  'ewogICJoZWFkZXIiOiB7CiAgICAidXVpZCI6ICJhYWFhMTIzNC0xYTJiLTNjNGQtNWU2Zi0wMDAwMDAwMDAwMDIiLAogICAgInNjaGVtYV9pZCI6IHsKICAgICAgIm5hbWUiOiAiYmxvb2QtcHJlc3N1cmUiLAogICAgICAidmVyc2lvbiI6ICI0LjAiLAogICAgICAibmFtZXNwYWNlIjogIm9taCIKICAgIH0sCiAgICAic291cmNlX2NyZWF0aW9uX2RhdGVfdGltZSI6ICIyMDI1LTAxLTAxVDAxOjAyOjAxLTA4OjAwIiwKICAgICJtb2RhbGl0eSI6ICJzZW5zZWQiLAogICAgImV4dGVybmFsX2RhdGFzaGVldHMiOiBbCiAgICAgIHsKICAgICAgICAiZGF0YXNoZWV0X3R5cGUiOiAibWFudWZhY3R1cmVyIiwKICAgICAgICAiZGF0YXNoZWV0X3JlZmVyZW5jZSI6ICJpSGVhbHRoIgogICAgICB9CiAgICBdCiAgfSwKICAiYm9keSI6IHsKICAgICJzeXN0b2xpY19ibG9vZF9wcmVzc3VyZSI6IHsKICAgICAgInZhbHVlIjogMTE1LAogICAgICAidW5pdCI6ICJtbUhnIgogICAgfSwKICAgICJkaWFzdG9saWNfYmxvb2RfcHJlc3N1cmUiOiB7CiAgICAgICJ2YWx1ZSI6IDYwLAogICAgICAidW5pdCI6ICJtbUhnIgogICAgfSwKICAgICJlZmZlY3RpdmVfdGltZV9mcmFtZSI6IHsKICAgICAgImRhdGVfdGltZSI6ICIyMDI1LTAxLTAxVDAwOjAyOjAwLTA4OjAwIgogICAgfQogIH0KfQ==';

/** A FHIR request with the collection's headers (`Content-Type: application/json`). */
async function fhir(path: string, token: string, body?: unknown) {
  const response = await fetch(`${fhirBase}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json', 'accept-encoding': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await json(response) };
}

/** What the walkthrough creates, step after step (the tests of the first describe run in order). */
const made = { organization: 0, study: 0, patient: 0, patientToken: '' };

describe('the quick-start walkthrough, with the collection’s requests as written', () => {
  it('Create Organization (snake_case part_of): 201, the creator its manager', async () => {
    const { status, body } = await rest(app, '/organizations', {
      as: MARY,
      body: { name: 'Department or Urology', type: 'dept', part_of: 20003 },
    });
    expect(status).toBe(201);
    expect(body).toEqual({
      id: expect.any(Number),
      name: 'Department or Urology',
      type: 'dept',
      partOf: 20003,
      // the viewer's roles are those the request began with: the creator is its manager from the next one on
      currentUserRole: null,
      children: [],
    });
    made.organization = body.id;
    expect((await rest(app, `/organizations/${body.id}`, { as: MARY })).body.currentUserRole).toBe('manager');
  });

  it('List Organizations (pageSize, page), Organization Details, Types, Tree, Update Organization', async () => {
    const list = await rest(app, '/organizations?pageSize=5&page=1', { as: MARY });
    expect(list.status).toBe(200);
    expect(Object.keys(list.body)).toEqual(['count', 'next', 'previous', 'results']);
    expect(list.body).toMatchObject({ count: 4, next: null, previous: null });
    expect(list.body.results.map((o: { id: number }) => o.id)).toEqual([20001, 20002, 20003, made.organization]);

    expect((await rest(app, `/organizations/${made.organization}`, { as: MARY })).body.name).toBe(
      'Department or Urology',
    );
    const types = await rest(app, '/organizations/types', { as: MARY });
    expect(types.body).toMatchObject({ dept: expect.any(String), prov: expect.any(String) });
    const tree = await rest(app, '/organizations/20003/tree', { as: MARY });
    expect(tree.body.children.map((c: { id: number }) => c.id)).toEqual([made.organization]);

    const updated = await rest(app, `/organizations/${made.organization}`, {
      as: MARY,
      method: 'PATCH',
      body: { name: 'Lee Lab Updated' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: made.organization, name: 'Lee Lab Updated', type: 'dept' });
  });

  it('Add Organization User (jhe_user_id, organization_partitioner_role), Organization Users, Remove Organization User', async () => {
    const path = `/organizations/${made.organization}`;
    const added = await rest(app, `${path}/user`, {
      as: MARY,
      body: { jhe_user_id: 10003, organization_partitioner_role: 'member' },
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      id: expect.any(Number),
      organization: { id: made.organization },
      practitioner: { jheUserId: 10003, telecomEmail: 'megan@example.com' },
      role: 'member',
    });
    const changed = await rest(app, `${path}/user`, {
      as: MARY,
      body: { jhe_user_id: 10003, organization_partitioner_role: 'manager' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.role).toBe('manager');

    // a plain array: the collection's pageSize is accepted and ignored, as DRF ignores it there
    const users = await rest(app, `${path}/users?pageSize=1`, { as: MARY });
    expect(users.status).toBe(200);
    expect(users.body.map((u: { email: string; role: string }) => [u.email, u.role]).sort()).toEqual([
      ['mary@example.com', 'manager'],
      ['megan@example.com', 'manager'],
    ]);
    expect(Object.keys(users.body[0]).sort()).toEqual(['email', 'firstName', 'id', 'lastName', 'role']);

    const removed = await rest(app, `${path}/remove_user`, {
      as: MARY,
      method: 'DELETE',
      body: { jhe_user_id: 10003 },
    });
    expect(removed.status).toBe(204);
    expect((await rest(app, `${path}/users`, { as: MARY })).body).toHaveLength(1);
  });

  it('Create Study (organization as an id), List Studies (pageSize), Organization Studies', async () => {
    const created = await rest(app, '/studies', {
      as: MARY,
      body: {
        name: 'Heart and Diet ',
        description: "We're trying to predict heart problems...",
        organization: made.organization,
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(Number),
      name: expect.stringMatching(/^Heart and Diet ?$/),
      description: "We're trying to predict heart problems...",
      organization: made.organization,
      iconUrl: null,
    });
    made.study = created.body.id;

    const list = await rest(app, '/studies?pageSize=1', { as: MARY });
    expect(list.body).toMatchObject({ count: 3, previous: null, results: [{ id: 30001 }] });
    expect(list.body.next).toMatch(new RegExp(`^${app.baseUrl}/api/v1/studies\\?`));
    const second = await rest(app, list.body.next, { as: MARY });
    expect(second.body.results.map((s: { id: number }) => s.id)).toEqual([30002]);
    expect(second.body.previous).toEqual(expect.any(String));

    const ofOrganization = await rest(app, `/organizations/${made.organization}/studies`, { as: MARY });
    expect(ofOrganization.body).toEqual([created.body]);
  });

  it('a patient: the web UI’s camelCase body creates it (201); the collection’s stale body is a 400 naming a field', async () => {
    const created = await rest(app, '/patients', {
      as: MARY,
      body: {
        organizationId: made.organization,
        identifiers: [{ system: 'http://tcp.org', value: 'fhir-777' }],
        nameFamily: 'Smith3',
        nameGiven: 'Anna3',
        birthDate: '1990-01-03',
        telecomEmail: 'ms.anna5@example.com',
        telecomPhone: null,
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(Number),
      jheUserId: null,
      identifiers: [{ system: 'http://tcp.org', value: 'fhir-777' }],
      nameFamily: 'Smith3',
      nameGiven: 'Anna3',
      birthDate: '1990-01-03',
      telecomPhone: null,
      telecomEmail: 'ms.anna5@example.com',
      organizations: [{ id: made.organization }],
    });
    made.patient = created.body.id;

    // the collection's "Create Patient" names fields JupyterHealth's model lacks (identifier, telecom_cell) and no
    // organization
    const stale = await rest(app, '/patients', {
      as: MARY,
      body: {
        identifier: 'xyz123',
        name_family: 'Smith3',
        name_given: 'Anna3',
        birth_date: '1990-01-03',
        telecom_cell: '347 222 2222',
        telecom_email: 'ms.anna6@example.com',
      },
    });
    expect(stale.status).toBe(400);
    expect(stale.body.detail).toMatch(/^(organizationId: this field is required|identifier: unknown parameter)$/);

    const list = await rest(app, '/patients?pageSize=1', { as: MARY });
    expect(list.body).toMatchObject({ count: 3, results: [{ id: 40001 }] });
    const lookup = await rest(app, '/patients/global_lookup?email=ms.anna5@example.com', { as: MARY });
    expect(lookup.body).toEqual([created.body]);
  });

  it('scope requests and data sources of the study (the web UI’s scopeCodeId, dataSourceId), then enrolment (patient_ids)', async () => {
    const study = `/studies/${made.study}`;
    for (const scopeCodeId of [50002, 50004]) {
      const requested = await rest(app, `${study}/scope_requests`, { as: MARY, body: { scopeCodeId } });
      expect(requested.status).toBe(201);
      expect(requested.body).toMatchObject({
        id: scopeCodeId,
        study: { id: made.study },
        scopeCode: { id: scopeCodeId },
      });
    }
    const scopes = await rest(app, `${study}/scope_requests`, { as: MARY });
    expect(scopes.body.map((s: any) => s.scopeCode.codingCode)).toEqual([BP, HR]);

    const source = await rest(app, `${study}/data_sources`, { as: MARY, body: { data_source_id: 70001 } });
    expect(source.status).toBe(201);
    expect(source.body).toMatchObject({
      id: 70001,
      study: { id: made.study },
      dataSource: { id: 70001, name: 'iHealth' },
    });
    expect((await rest(app, `${study}/data_sources`, { as: MARY })).body).toEqual([source.body]);

    const client = await rest(app, `${study}/clients`, { as: MARY, body: { client_id: 90001 } });
    expect(client.status).toBe(201);
    expect(client.body).toMatchObject({
      id: 90001,
      study: { id: made.study },
      client: { id: 90001, name: 'CommonHealth', clientId: 'commonhealth' },
    });
    expect((await rest(app, `${study}/clients`, { as: MARY })).body).toEqual([client.body]);

    const enrolled = await rest(app, `${study}/patients`, { as: MARY, body: { patient_ids: [made.patient] } });
    expect(enrolled.status).toBe(201);
    expect(enrolled.body).toEqual({
      studyPatients: [
        { id: made.patient, study: expect.objectContaining({ id: made.study }), patient: { id: made.patient } },
      ],
    });
    const patients = await rest(app, `${study}/patients`, { as: MARY });
    expect(patients.body).toMatchObject({ count: 1, results: [{ id: made.patient }] });
  });

  it('an invitation link; the patient answers with the README’s camelCase body and the collection’s snake_case ones', async () => {
    const link = await rest(app, `/patients/${made.patient}/invitation_link`, { as: MARY });
    expect(link.body.invitationLink).toMatch(new RegExp(`^${app.config.auth.invitationLinkPrefix}`));
    made.patientToken = await patientAppToken(app, made.patient);
    const token = made.patientToken;
    const consents = `/patients/${made.patient}/consents`;

    const listed = await rest(app, consents, { token });
    expect(listed.body.studiesPendingConsent.map((s: any) => [s.id, s.pendingScopeConsents.length])).toEqual([
      [made.study, 2],
    ]);

    // README: POST /api/v1/patients/40001/consents
    const readme = await rest(app, consents, {
      token,
      body: {
        studyScopeConsents: [
          { studyId: made.study, scopeConsents: [{ codingSystem: OMH, codingCode: BP, consented: true }] },
        ],
      },
    });
    expect(readme.status).toBe(201);
    expect(readme.body.studyScopeConsents).toEqual([
      {
        id: expect.any(Number),
        studyPatient: { study: made.study, patient: made.patient },
        scopeCode: { id: 50002, codingSystem: OMH, codingCode: BP, text: 'Blood pressure' },
        consented: true,
        consentedTime: expect.any(String),
      },
    ]);

    const heartRate = (consented: boolean) => ({
      study_scope_consents: [
        { study_id: made.study, scope_consents: [{ coding_system: OMH, coding_code: HR, consented }] },
      ],
    });
    // the collection's Create Consents, Update Consents and Delete Consents
    const create = await rest(app, consents, { token, body: heartRate(false) });
    expect(create.status).toBe(201);
    expect(create.body.studyScopeConsents.map((a: any) => [a.scopeCode.codingCode, a.consented])).toEqual([
      [HR, false],
    ]);
    const update = await rest(app, consents, { token, method: 'PATCH', body: heartRate(true) });
    expect(update.status).toBe(200);
    expect(update.body.studyScopeConsents.map((a: any) => [a.scopeCode.codingCode, a.consented])).toEqual([[HR, true]]);
    const remove = await rest(app, consents, { token, method: 'DELETE', body: heartRate(true) });
    expect(remove.status).toBe(204);

    const after = (await rest(app, consents, { token })).body;
    expect(after.studies[0].scopeConsents.map((s: any) => [s.code.codingCode, s.consented])).toEqual([[BP, true]]);
    expect(after.studiesPendingConsent[0].pendingScopeConsents.map((s: any) => s.code.codingCode)).toEqual([HR]);
  });

  it('Bundle Create Observation to /FHIR/R5/ as written; the observations by REST (organizationId, page, pageSize) and FHIR', async () => {
    const token = made.patientToken;
    const uploaded = await fhir('/', token, {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        {
          resource: {
            resourceType: 'Observation',
            identifier: [{ system: 'https://jhe.fly.dev/Observation/', value: 'A1234Z7' }],
            status: 'final',
            code: { coding: [{ system: OMH, code: BP }] },
            subject: { reference: `Patient/${made.patient}` },
            device: { reference: 'Device/70001' },
            valueAttachment: { contentType: 'application/json', data: BUNDLE_EXAMPLE_DATA },
          },
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    });
    expect(uploaded.status).toBe(200);
    expect(uploaded.body.entry.map((e: any) => e.response.status)).toEqual(['201']);

    const paged = await rest(app, `/observations?organizationId=${made.organization}&page=1&pageSize=3`, { as: MARY });
    expect(paged.status).toBe(200);
    expect(paged.body).toMatchObject({ count: 1, next: null, previous: null });
    const [item] = paged.body.results;
    expect(item).toMatchObject({
      subjectPatientId: made.patient,
      patientNameFamily: 'Smith3',
      codingCode: BP,
      dataSourceId: 70001,
      status: 'final',
      omhData: JSON.parse(Buffer.from(BUNDLE_EXAMPLE_DATA, 'base64').toString()),
    });
    expect(new Date(item.effectiveTime).toISOString()).toBe('2025-01-01T08:02:00.000Z');

    const maryToken = await tokenFor(app, MARY);
    const ofPatient = await fhir(
      `/Observation?patient=${made.patient}&patient._has:Group:member:_id=${made.study}`,
      maryToken,
    );
    expect(ofPatient.body.entry.map((e: any) => e.resource.identifier)).toEqual([
      [{ system: 'https://jhe.fly.dev/Observation/', value: 'A1234Z7' }],
    ]);
    const ofStudy = await fhir(`/Observation?patient._has:Group:member:_id=${made.study}`, maryToken);
    expect(ofStudy.body.entry.map((e: any) => e.resource.id)).toEqual([String(item.id)]);
    const summary = await fhir(
      `/Observation?patient=${made.patient}&patient._has:Group:member:_id=${made.study}&date=ge2025-01-01&date=le2025-06-01&_summary=count`,
      maryToken,
    );
    expect(summary.body).toMatchObject({ resourceType: 'Bundle', total: 1 });
    const patients = await fhir('/Patient?identifier=http://tcp.org|fhir-777', maryToken);
    expect(patients.body.entry.map((e: any) => e.resource.id)).toEqual([String(made.patient)]);
  });

  it('data sources (page, pageSize), All Scopes, Data Source Details, Supported Scopes; Profile, User Organizations', async () => {
    const page = await rest(app, '/data_sources?page=1&pageSize=5', { as: MARY });
    expect(page.body).toMatchObject({ count: 4, next: null });
    expect(page.body.results[0]).toEqual({
      id: 70001,
      name: 'iHealth',
      type: 'personal_device',
      supportedScopes: expect.arrayContaining([
        { id: 50002, codingSystem: OMH, codingCode: BP, text: 'Blood pressure' },
      ]),
    });
    const all = await rest(app, '/data_sources/all_scopes', { as: MARY });
    expect(all.body).toHaveLength(12);
    expect((await rest(app, '/data_sources/70001', { as: MARY })).body).toEqual(page.body.results[0]);
    const supported = await rest(app, '/data_sources/70001/supported_scopes', { as: MARY });
    expect(supported.body[0]).toEqual({
      id: expect.any(Number),
      dataSource: { id: 70001, name: 'iHealth', type: 'personal_device' },
      scopeCode: expect.objectContaining({ codingSystem: OMH }),
    });

    expect((await rest(app, '/users/profile', { as: MARY })).body).toMatchObject({
      id: 10002,
      userType: 'practitioner',
    });
    const organizations = await rest(app, '/users/organizations', { as: MARY });
    expect(organizations.body.map((o: { id: number }) => o.id).sort()).toEqual([
      20001,
      20002,
      20003,
      made.organization,
    ]);
  });

  it('Consolidated Clients, then Delete Patient (organization_id): the last organization removes the record', async () => {
    const clients = await rest(app, `/patients/${made.patient}/consolidated_clients`, { as: MARY });
    // the clients of the patient's studies; the patient-app invitation above is not one of them
    expect(clients.body).toEqual([
      expect.objectContaining({ id: 90001, clientId: 'commonhealth', patientInvitations: [] }),
    ]);
    const deleted = await rest(app, `/patients/${made.patient}?organization_id=${made.organization}`, {
      as: MARY,
      method: 'DELETE',
    });
    expect(deleted.status).toBe(204);
    expect((await rest(app, `/patients/${made.patient}`, { as: MARY })).status).toBe(404);
  });
});

describe('what the gateway refuses', () => {
  it('bad bodies: 400 with the field named', async () => {
    for (const [path, body, detail] of [
      ['/organizations', { name: 'No type' }, /^type: this field is required$/],
      ['/organizations', { name: 'X', type: 'hospital' }, /^type: must be one of /],
      ['/studies', { name: 'S', description: '', organization: 'abc' }, /^organization: /],
      ['/studies/30001/scope_requests', { scope_code_id: 'x' }, /^scopeCodeId: /],
      ['/organizations/20003/user', { organization_partitioner_role: 'member' }, /^jheUserId: this field is required$/],
      [
        '/patients',
        { organizationId: 20003, nameFamily: 'A', nameGiven: 'B', telecomEmail: 'no-at' },
        /^telecomEmail: /,
      ],
      [
        '/patients/40001/consents',
        { study_scope_consents: [{ study_id: 30002 }] },
        /^studyScopeConsents\.0\.scopeConsents: this field is required$/,
      ],
    ] as const) {
      const { status, body: answer } = await rest(app, path, { as: MARY, body });
      expect(status, path).toBe(400);
      expect(answer.detail, path).toMatch(detail);
    }
    const unparsable = await rest(app, '/organizations', { as: MARY, body: '{"name": ' });
    expect(unparsable).toMatchObject({ status: 400, body: { detail: expect.stringMatching(/JSON/) } });
    const form = await rest(app, '/organizations', {
      as: MARY,
      body: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
  });

  it('unknown paths, and the collection’s routes the gateway does not serve, answer 404 in JSON', async () => {
    for (const [method, path] of [
      ['GET', '/nothing-here'],
      ['GET', '/users?pageSize=2'],
      ['GET', '/users/search_by_email?email=admin@admin.com'],
      ['GET', '/jhe_settings'],
      ['POST', '/invitation'],
    ]) {
      const { status, headers, body } = await rest(app, path!, {
        as: MARY,
        method,
        body: method === 'POST' ? {} : undefined,
      });
      expect(status, path).toBe(404);
      expect(headers.get('content-type'), path).toMatch(/^application\/json/);
      expect(body, path).toEqual({ detail: expect.stringContaining('No such endpoint') });
    }
    expect((await rest(app, '/organizations/0', { as: MARY })).status).toBe(404);
  });

  it('a page past the end is an empty page with the count (JupyterHealth: 404 "Invalid page."); a page size over 1000 is a 400', async () => {
    const { count } = (await rest(app, '/organizations', { as: MARY })).body;
    const past = await rest(app, '/organizations?page=99', { as: MARY });
    expect(past).toMatchObject({ status: 200, body: { count, next: null, results: [] } });
    expect(past.body.previous).toEqual(expect.any(String));
    const big = await rest(app, '/organizations?page_size=5000', { as: MARY });
    expect(big.status).toBe(400);
    expect(big.body.detail).toMatch(/page size/);
    // a plain array ignores paging parameters, but they must still be paging parameters
    const ignored = await rest(app, '/organizations/20003/users?page_size=abc', { as: MARY });
    expect(ignored.status).toBe(400);
    expect(ignored.body.detail).toMatch(/^page_size: /);
  });

  it('serves the OpenAPI document at JupyterHealth’s address too, Swagger UI, /health', async () => {
    const redirect = await fetch(`${app.baseUrl}/api/schema/`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/api/v1/schema');
    const document = await rest(app, '/schema');
    expect(document.status).toBe(200);
    expect(document.body.openapi).toBe('3.1.0');
    const ui = await fetch(`${app.baseUrl}/api/v1/schema/swagger-ui/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
    expect(await json(await fetch(`${app.baseUrl}/health`))).toEqual({ status: 'ok' });
  });
});
