import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerClient } from '../src/auth/client-registry.js';
import { startTestApp, type TestApp } from './support/app.js';
import { json } from './support/http.js';
import { redeemInvitation } from './support/invitations.js';
import { scopedToken, thirdPartySignIn } from './support/scoped-tokens.js';
import { PATIENT } from './support/seed-viewers.js';
import { gql, portalSignIn } from './support/tokens.js';

/** What the provider grants: exactly what was asked and allowed, listed in full, with the patient's context. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const fhirGet = (token: string, path: string) =>
  fetch(`${app.baseUrl}/fhir/r5${path}`, { headers: { authorization: `Bearer ${token}` } });

/** The portal's flow as mary with an explicit scope (first-party: no consent screen). */
const portalTokens = (scope: string, params: Record<string, string> = {}) =>
  portalSignIn(app, 'mary@example.com', { scope, params });

describe('granted scopes', () => {
  it('a third-party client gets what the user ticked, and the answer lists all of it', async () => {
    await registerClient(app.db.orm.em.fork(), {
      clientId: 'fewer-dash',
      name: 'Fewer',
      redirectUris: ['https://fewer.example/cb'],
    });
    const { tokens, consent } = await thirdPartySignIn(app, 'mary@example.com', {
      clientId: 'fewer-dash',
      redirectUri: 'https://fewer.example/cb',
      scope: 'openid offline_access fhirUser user/Patient.rs user/Observation.rs',
      params: { prompt: 'consent' },
      tick: ['offline_access', 'fhirUser', 'user/Patient.rs'],
    });
    expect(consent).toContain('read, search Observation resources you have access to');
    expect(consent).toMatch(/<input type="checkbox" id="scope-\d" name="scope" value="user\/Observation\.rs" checked>/);
    expect(consent.split('value="user/Observation.rs"').length).toBe(2); // listed once
    expect(tokens.scope!.split(' ').sort()).toEqual(['fhirUser', 'offline_access', 'openid', 'user/Patient.rs']);
    expect(decodeJwt(tokens.access_token).scope).toBe('user/Patient.rs');
    expect(tokens.refresh_token).toBeTruthy();
    expect((await fhirGet(tokens.access_token, '/Patient/40001')).status).toBe(200);
    expect((await fhirGet(tokens.access_token, '/Observation')).status).toBe(403);
  });

  it('scopes the gateway does not grant are left out, never widened', async () => {
    const granted = await scopedToken(
      app,
      'mary@example.com',
      'user/Observation.rs?category=vital-signs user/Foo.rs system/*.rs user/Patient.r?name=x user/Observation.rs?code=https://w3id.org/openmhealth|omh:heart-rate:2.0',
    );
    expect(granted.scope).toBe('openid user/Observation.rs?code=https://w3id.org/openmhealth|omh:heart-rate:2.0');
  });

  it('first-party clients get their documented defaults when they ask for no resource scope, else what they ask', async () => {
    const defaults = await portalTokens('openid');
    expect('scope' in defaults && defaults.scope).toBe('openid user/*.cruds');
    const explicit = await portalTokens('openid user/Patient.rs');
    expect('scope' in explicit && explicit.scope).toBe('openid user/Patient.rs');
  });

  it('SMART’s aud must name this FHIR server', async () => {
    const right = await portalTokens('openid', { aud: `${app.baseUrl}/fhir/r5` });
    expect('access_token' in right).toBe(true);
    const wrong = await portalTokens('openid', { aud: 'https://other.example/fhir' });
    expect(wrong).toEqual({ error: expect.stringContaining('aud must be') });
  });
});

describe('patient context and fhirUser', () => {
  it('the patient app’s token answer carries the patient, and fhirUser resolves', async () => {
    const invited = await gql(
      app,
      'mary@example.com',
      `mutation { createPatientInvitation(patientId: "${PATIENT.peter}") { code } }`,
    );
    const tokens = await json(await redeemInvitation(app, invited.data!.createPatientInvitation.code));
    expect(tokens.patient).toBe('40001');
    expect(tokens.scope.split(' ').sort()).toEqual(
      ['fhirUser', 'launch/patient', 'offline_access', 'openid', 'patient/*.cruds'].sort(),
    );
    const fhirUser = decodeJwt(tokens.id_token).fhirUser as string;
    expect(fhirUser).toBe(`${app.baseUrl}/fhir/r5/Patient/40001`);
    const resolved = await fetch(fhirUser, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(resolved.status).toBe(200);
    // refreshed tokens keep the context
    const refreshed = await json(
      await fetch(`${app.baseUrl}/o/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: 'patient-app',
          refresh_token: tokens.refresh_token,
        }),
      }),
    );
    expect(refreshed.patient).toBe('40001');
  });

  it('a practitioner’s fhirUser is their Practitioner resource, readable with their token', async () => {
    const tokens = await portalTokens('openid fhirUser');
    const fhirUser = decodeJwt((tokens as { id_token: string }).id_token).fhirUser as string;
    expect(fhirUser).toMatch(/\/fhir\/r5\/Practitioner\/\d+$/);
    const resolved = await fetch(fhirUser, {
      headers: { authorization: `Bearer ${(tokens as { access_token: string }).access_token}` },
    });
    expect(resolved.status).toBe(200);
    expect(await resolved.json()).toMatchObject({ resourceType: 'Practitioner', name: [{ family: 'Manager' }] });
  });

  it('a Practitioner is readable by their colleagues, not by others', async () => {
    const megan = (await gql(app, 'megan@example.com', '{ me { practitioner { id } } }')).data!.me.practitioner.id;
    const read = `{ practitioner(id: "${megan}") { id user { email } } }`;
    expect((await gql(app, 'mary@example.com', read)).data!.practitioner.user.email).toBe('megan@example.com');
    expect((await gql(app, 'mark@example.com', read)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await gql(app, 'peter@example.com', read)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
