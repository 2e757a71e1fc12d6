import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { json } from './support/http.js';
import { redeemInvitation } from './support/invitations.js';
import { rest } from './support/rest.js';
import { scopedToken } from './support/scoped-tokens.js';
import { gql } from './support/tokens.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe('/api/v1/users', () => {
  it('profile: a practitioner with their id and organizations; a token that may not list organizations still gets the rest', async () => {
    const { status, body } = await rest(app, '/users/profile', { as: 'mary@example.com' });
    expect(status).toBe(200);
    expect(body).toEqual({
      id: 10002,
      email: 'mary@example.com',
      firstName: 'Mary',
      lastName: expect.any(String),
      userType: 'practitioner',
      isSuperuser: false,
      patient: null,
      practitioner: {
        jheUserId: 10002,
        id: expect.any(Number),
        organizations: [20001, 20002, 20003].map((id) => expect.objectContaining({ id, currentUserRole: 'manager' })),
      },
    });
    // a notebook's first call: a token narrowed to heart rate reads no organization, and still gets the profile
    const { access_token } = await scopedToken(
      app,
      'mary@example.com',
      'user/Observation.rs?code=https://w3id.org/openmhealth|omh:heart-rate:2.0',
    );
    const narrow = await rest(app, '/users/profile', { token: access_token });
    expect(narrow.status).toBe(200);
    const { organizations: _left, ...practitioner } = body.practitioner;
    expect(narrow.body).toEqual({ ...body, practitioner });
  });

  it('profile: a patient with their own record (through the patient app’s token)', async () => {
    // a patient holds no role in the organizations of their record, and sees none of them
    const invited = await gql(
      app,
      'mary@example.com',
      'mutation { createPatientInvitation(patientId: "40001") { code } }',
    );
    const tokens = await json(await redeemInvitation(app, invited.data!.createPatientInvitation.code));
    const { status, body } = await rest(app, '/users/profile', { token: tokens.access_token });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: 10007,
      userType: 'patient',
      practitioner: null,
      patient: { id: 40001, jheUserId: 10007, telecomEmail: 'peter@example.com', nameGiven: 'Peter' },
    });
    expect(body.patient.organizations).toEqual([]);
  });

  it('organizations: a plain list of the practitioner’s own', async () => {
    const { body } = await rest(app, '/users/organizations', { as: 'tom@example.com' });
    expect(body.map((o: { id: number; currentUserRole: string }) => [o.id, o.currentUserRole]).sort()).toEqual([
      [20003, 'viewer'],
      [20007, 'member'],
      [20008, 'manager'],
    ]);
  });

  it('answers 401 with {detail} without a token, and a token the scopes do not cover with 403', async () => {
    const none = await rest(app, '/users/profile');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ detail: expect.stringMatching(/access token is required/) });
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});

describe('paths around /api/v1', () => {
  it('unknown paths answer 404 in their face’s format, never the portal page', async () => {
    const apiPath = await fetch(`${app.baseUrl}/api/v1/nothing-here`, { headers: { accept: '*/*' } });
    expect(apiPath.status).toBe(404);
    expect(await apiPath.json()).toEqual({ detail: expect.stringContaining('/api/v1/nothing-here') });
    const api = await fetch(`${app.baseUrl}/api/v2/users`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ detail: expect.any(String) });
    const fhir = await fetch(`${app.baseUrl}/fhir/r4/Patient`, { headers: { accept: 'text/html' } });
    expect(fhir.status).toBe(404);
    expect((await json(fhir)).resourceType).toBe('OperationOutcome');
    for (const path of ['/graphql/x', '/o/unknown-endpoint']) {
      const other = await fetch(`${app.baseUrl}${path}`, { headers: { accept: 'text/html' } });
      expect(other.status, path).toBe(404);
      expect(other.headers.get('content-type'), path).not.toMatch(/html/);
    }
  });

  it('/FHIR/R5 is the FHIR base too (JupyterHealth’s current spelling), and /health answers like /healthz', async () => {
    const metadata = await fetch(`${app.baseUrl}/FHIR/R5/metadata`);
    expect(metadata.status).toBe(200);
    expect((await json(metadata)).resourceType).toBe('CapabilityStatement');
    expect(await (await fetch(`${app.baseUrl}/health`)).json()).toEqual({ status: 'ok' });
  });

  it('serves its OpenAPI 3.1 document without a token', async () => {
    const { status, body } = await rest(app, '/schema');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths)).toContain('/users/profile');
  });

  it('refuses bodies that are not JSON with 415 and unknown query parameters with 400', async () => {
    const text = await rest(app, '/users/profile', {
      as: 'mary@example.com',
      method: 'POST',
      body: 'name=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    const unknown = await rest(app, '/users/profile?frobnicate=1', { as: 'mary@example.com' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toMatch(/frobnicate/);
  });
});
