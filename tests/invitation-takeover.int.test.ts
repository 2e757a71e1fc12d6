import { readFileSync } from 'node:fs';
import path from 'node:path';
import { importJWK, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authEndpoints } from '../src/auth/provider.js';
import { DEMO_DEFAULTS } from '../src/config.js';
import { startTestApp, type TestApp } from './support/app.js';
import { Browser, readForm } from './support/browser.js';
import { json } from './support/http.js';
import { redeemInvitation } from './support/invitations.js';
import { ORG, SEED_USERS } from './support/seed-viewers.js';
import { codes, gql } from './support/tokens.js';

/**
 * The account takeover through invitations (a member creates a "patient" with a practitioner's email, invites
 * it and redeems the code as that practitioner) and its variants, refused at every step it could take.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const CREATE = `mutation ($email: String!, $org: ID!) {
  createPatient(input: { organizationId: $org, email: $email, nameFamily: "Mallory", nameGiven: "M" }) { id }
}`;
const INVITE = `mutation ($id: ID!) { createPatientInvitation(patientId: $id) { code link } }`;

const sql = <T>(query: string, params: unknown[] = []) =>
  app.db.orm.em.fork().getConnection().execute<T[]>(query, params);

const signup = (email: string) =>
  fetch(`${app.baseUrl}/o/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ inviteCode: 'jhe', firstName: 'Eve', lastName: 'E', email, password: 'Secret123' }),
  });

describe('a patient record never gets a practitioner’s or super user’s login', () => {
  it.each([
    ['the super user', 'sam@example.com', 'megan@example.com', ORG.bids],
    ['the super user, other case and spaces', '  SAM@Example.COM ', 'megan@example.com', ORG.bids],
    ['a manager of the same organization', 'mary@example.com', 'megan@example.com', ORG.bids],
    ['a manager of another organization', 'mark@example.com', 'megan@example.com', ORG.bids],
    ['the creator themself', 'tom@example.com', 'tom@example.com', ORG.moslehi],
  ])('creating a patient with %s’s email is a CONFLICT', async (_who, email, as, org) => {
    const result = await gql(app, as, CREATE, { email, org: String(org) });
    expect(codes(result)).toEqual(['CONFLICT']);
    expect(result.errors![0]!.message).toMatch(/belongs to another account/);
    const [row] = await sql<{ n: string }>(`select count(*) as n from patients where name_family = 'Mallory'`);
    expect(Number(row!.n)).toBe(0);
  });

  it('a freshly signed-up practitioner’s email is refused too, and so is moving a patient onto it', async () => {
    expect((await signup('eve@example.org')).status).toBe(201);
    expect(codes(await gql(app, 'megan@example.com', CREATE, { email: 'Eve@example.org', org: '20003' }))).toEqual([
      'CONFLICT',
    ]);
    const moved = await gql(
      app,
      'megan@example.com',
      `mutation { updatePatient(id: "40001", input: { email: "eve@example.org" }) { email } }`,
    );
    expect(codes(moved)).toEqual(['CONFLICT']);
    const [peter] = await sql<{ email: string }>(`select email from patients where id = 40001`);
    expect(peter!.email).toBe('peter@example.com');
  });

  it('a practitioner cannot sign up with the email of a patient record, invited or not', async () => {
    const created = await gql(app, 'megan@example.com', CREATE, { email: 'nora@example.org', org: '20003' });
    expect(created.errors).toBeUndefined();
    expect((await signup('nora@example.org')).status).toBe(409);
    expect((await signup('NORA@example.org')).status).toBe(409);
    expect((await signup('peter@example.com')).status).toBe(409);
  });

  it('a record that already carries a practitioner’s email (stored before this check) gets no invitation', async () => {
    const [row] = await sql<{ id: number }>(
      `insert into patients (name_family, name_given, email) values ('Legacy', 'L', 'sam@example.com') returning id`,
    );
    await sql('insert into patient_organizations (patient_id, organization_id) values (?, 20003)', [row!.id]);
    const result = await gql(app, 'megan@example.com', INVITE, { id: String(row!.id) });
    expect(codes(result)).toEqual(['CONFLICT']);
    const [bound] = await sql<{ user_id: number | null }>('select user_id from patients where id = ?', [row!.id]);
    expect(bound!.user_id).toBeNull();
  });

  it('a patient’s invitation still works end to end: the token is the patient’s own', async () => {
    const created = await gql(app, 'megan@example.com', CREATE, { email: 'olive@example.org', org: '20003' });
    const id = created.data!.createPatient.id as string;
    const invited = await gql(app, 'megan@example.com', INVITE, { id });
    const tokens = await json(await redeemInvitation(app, invited.data!.createPatientInvitation.code));
    expect(tokens.patient).toBe(id);
    const me = await fetch(`${app.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.access_token}` },
      body: JSON.stringify({ query: '{ me { kind isSuperuser patient { id email } } }' }),
    });
    expect((await json(me)).data.me).toEqual({
      kind: 'PATIENT',
      isSuperuser: false,
      patient: { id, email: 'olive@example.org' },
    });
  });
});

describe('clients that serve patients issue tokens only to patient logins', () => {
  it('a patient-app code for the super user, however it was minted, is refused at the token endpoint', async () => {
    const { provider } = app.auth;
    const { resource } = authEndpoints(app.baseUrl);
    const client = await provider.Client.find('patient-app');
    const grant = new provider.Grant({ accountId: String(SEED_USERS.sam), clientId: 'patient-app' });
    grant.addOIDCScope('openid offline_access');
    grant.addResourceScope(resource, 'patient/*.cruds');
    const code = await new provider.AuthorizationCode({
      accountId: String(SEED_USERS.sam),
      client: client!,
      gty: 'authorization_code',
      grantId: await grant.save(),
      scope: 'openid offline_access patient/*.cruds',
      resource,
      redirectUri: `${app.baseUrl}/auth/callback`,
      codeChallenge: DEMO_DEFAULTS.patientCodeChallenge,
      codeChallengeMethod: 'S256',
    }).save();
    const response = await redeemInvitation(app, code);
    expect(response.status).toBe(400);
    expect((await json(response)).error).toBe('invalid_grant');
  });

  // the patient app, and a study's app (the seeded CareX client, registered for the default PUBLIC_URL's callback)
  for (const [clientId, redirectUri] of [
    ['patient-app', () => `${app.baseUrl}/auth/callback`],
    ['carex', () => 'http://localhost:3000/auth/callback'],
  ] as const) {
    it(`the login form of ${clientId} refuses a practitioner with a clear message`, async () => {
      const client = await oidc.discovery(new URL(`${app.baseUrl}/o`), clientId, undefined, oidc.None(), {
        execute: [oidc.allowInsecureRequests],
      });
      const url = oidc.buildAuthorizationUrl(client, {
        redirect_uri: redirectUri(),
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      const browser = new Browser();
      const login = await browser.follow(url.toString());
      const form = readForm(await login.response.text(), login.url);
      const answer = await browser.request(form.action, { form: { email: 'mary@example.com', password: 'Jhe1234!' } });
      expect(answer.status).toBe(403);
      expect(await answer.text()).toContain('This app is for patients');
    });

    it(`an access token of ${clientId} for a practitioner (signed with the gateway’s own key) is refused`, async () => {
      const secrets = JSON.parse(readFileSync(path.join(app.config.dataDir, 'oidc-secrets.json'), 'utf8'));
      const key = await importJWK(secrets.signingKey, 'RS256');
      const { issuer, resource } = authEndpoints(app.baseUrl);
      const token = await new SignJWT({ client_id: clientId, scope: 'patient/*.cruds' })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: secrets.signingKey.kid })
        .setSubject(String(SEED_USERS.sam))
        .setIssuer(issuer)
        .setAudience(resource)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key);
      const response = await fetch(`${app.baseUrl}/fhir/r5/Observation`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(401);
      expect((await json(response)).issue[0].diagnostics).toMatch(/patient app/);
    });
  }
});
