import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { json } from './support/http.js';
import { redeemInvitation } from './support/invitations.js';
import { bloodPressure, bundle, heartRate, observation, OMH } from './support/omh.js';
import { rest } from './support/rest.js';
import { allPages } from './support/rest-pages.js';
import { ORG, PATIENT, STUDY } from './support/seed-viewers.js';
import { gql } from './support/tokens.js';

/**
 * A JupyterHealth patient app (CommonHealth, CareX) against the gateway, step by step as JupyterHealth's README
 * describes it: a practitioner mints an invitation link, the app takes the host and the code from it, finds the
 * token endpoint from the host, redeems the code, reads who it is and what the patient's studies ask, posts the
 * patient's answers, and uploads Open mHealth observations as a FHIR batch; the practitioner then reads them
 * on /api/v1/observations.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const MARY = 'mary@example.com';
const BP = 'omh:blood-pressure:4.0';
const HR = 'omh:heart-rate:2.0';

// ---- the app's invitation steps ------------------------------------------------------------------------------

/**
 * The app a link is for: the gateway's default patient app (links at INVITATION_LINK_PREFIX), or a client of the
 * patient's study (the seed's CommonHealth, record 90001, OAuth client `commonhealth`), whose link is its
 * invitation URL with CODE replaced.
 */
interface InvitingClient {
  name: string;
  /** the client record's id, as `invitation_link?client_id=` takes it (none: the default patient app) */
  recordId?: number;
  oauthClientId: string;
  template: () => string;
  /** the redirect URI the app registered (any of its registered ones redeems) */
  redirectUri: (host: string) => string;
}

const PATIENT_APP: InvitingClient = {
  name: 'the default patient app',
  oauthClientId: 'patient-app',
  template: () => `${app.config.auth.invitationLinkPrefix}CODE`,
  redirectUri: (host) => `${hostUrl(host)}/auth/callback`,
};
const COMMONHEALTH: InvitingClient = {
  name: 'CommonHealth, a client of the study',
  recordId: 90001,
  oauthClientId: 'commonhealth',
  template: () =>
    'https://play.google.com/store/apps/details?id=org.thecommons.commonhealth&referrer=cloud_sharing=CODE',
  // the seed registers `${PUBLIC_URL}/auth/callback`; the test app's seed used http://localhost:3000
  redirectUri: () => 'http://localhost:3000/auth/callback',
};

/** A practitioner mints a link as JupyterHealth's portal does (its legacy route)… */
async function mintLink(as: string, patientId: number, client = PATIENT_APP): Promise<string> {
  const query = client.recordId === undefined ? '' : `?client_id=${client.recordId}`;
  const { status, body } = await rest(app, `/patients/${patientId}/invitation_link${query}`, { as });
  expect(status, JSON.stringify(body)).toBe(200);
  return body.invitationLink;
}

/** …or through GraphQL's createPatientInvitation, as the gateway's portal does. */
async function mintLinkWithGraphQL(as: string, patientId: number): Promise<string> {
  const result = await gql(app, as, 'mutation ($id: ID!) { createPatientInvitation(patientId: $id) { link } }', {
    id: String(patientId),
  });
  expect(result.errors).toBeUndefined();
  return result.data!.createPatientInvitation.link;
}

/**
 * The app is launched by a link made from its template; where the template says CODE, the link has
 * `<host>|<authorization code>`.
 */
function parseLink(link: string, client = PATIENT_APP) {
  const [before, after] = client.template().split('CODE') as [string, string];
  expect(link.startsWith(before) && link.endsWith(after), link).toBe(true);
  const rest = link.slice(before.length, link.length - after.length);
  const bar = rest.lastIndexOf('|');
  return { host: rest.slice(0, bar), code: rest.slice(bar + 1) };
}

/** The link's host, as a base URL (the test server speaks http; a deployed one https). */
const hostUrl = (host: string) => `${new URL(app.baseUrl).protocol}//${host}`;

/** The app finds the token endpoint from the host: OpenID discovery, which the SMART configuration agrees with. */
async function discoverTokenEndpoint(host: string): Promise<string> {
  const openid = await json(await fetch(`${hostUrl(host)}/o/.well-known/openid-configuration`));
  const smart = await json(await fetch(`${hostUrl(host)}/FHIR/R5/.well-known/smart-configuration`));
  expect(smart.token_endpoint).toBe(openid.token_endpoint);
  return openid.token_endpoint;
}

/** Trades the code at the token endpoint with the static PKCE verifier, as the app's own client. */
async function redeem(host: string, code: string, client = PATIENT_APP) {
  const response = await redeemInvitation(app, code, app.config.auth.patientCodeVerifier, client.redirectUri(host), {
    tokenEndpoint: await discoverTokenEndpoint(host),
    clientId: client.oauthClientId,
  });
  return { status: response.status, body: await json(response) };
}

/** From an invitation link to the app's access token. */
async function signInWith(link: string): Promise<string> {
  const { host, code } = parseLink(link);
  const { status, body } = await redeem(host, code);
  expect(status, JSON.stringify(body)).toBe(200);
  return body.access_token;
}

/** The app's upload: a FHIR batch Bundle POSTed to the FHIR base of the link's host (JupyterHealth's spelling). */
async function upload(token: string, resources: unknown[], host = new URL(app.baseUrl).host) {
  const response = await fetch(`${hostUrl(host)}/FHIR/R5/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
    body: JSON.stringify(bundle('batch', resources)),
  });
  return { status: response.status, body: await json(response) };
}

/** A new BIDS patient, created and enrolled in study 30001 (BP and HR) by mary, as the REST guide does it. */
async function enrolledPatient(email: string): Promise<number> {
  const created = await rest(app, '/patients', {
    as: MARY,
    body: { organizationId: ORG.bids, nameFamily: 'App', nameGiven: 'Alice', telecomEmail: email },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const enrolled = await rest(app, `/studies/${STUDY.bidsBpHr}/patients`, {
    as: MARY,
    body: { patientIds: [created.body.id] },
  });
  expect(enrolled.status).toBe(201);
  return created.body.id;
}

const uuids = (resources: { valueAttachment: { data: string } }[]) =>
  resources.map((r) => JSON.parse(Buffer.from(r.valueAttachment.data, 'base64').toString()).header.uuid);

describe.each([PATIENT_APP, COMMONHEALTH])('the patient app: $name', (client) => {
  it('redeems an invitation, answers the pending scopes, uploads, and the practitioner reads what was shared', async () => {
    const patientId = await enrolledPatient(`alice.${client.oauthClientId}@example.org`);
    const link = await mintLink(MARY, patientId, client);
    const { host, code } = parseLink(link, client);
    expect(host).toBe(new URL(app.baseUrl).host);
    const tokens = await redeem(host, code, client);
    expect(tokens.status).toBe(200);
    expect(tokens.body).toMatchObject({ patient: String(patientId), refresh_token: expect.any(String) });
    expect(tokens.body.scope.split(' ')).toEqual(expect.arrayContaining(['launch/patient', 'patient/*.cruds']));
    const token = tokens.body.access_token;

    // who am I
    const profile = await rest(app, '/users/profile', { token });
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({
      userType: 'patient',
      patient: { id: patientId, telecomEmail: `alice.${client.oauthClientId}@example.org` },
    });
    const me = profile.body.patient.id;

    // what the studies ask
    const consents = await rest(app, `/patients/${me}/consents`, { token });
    expect(consents.status).toBe(200);
    expect(consents.body.studies).toEqual([]);
    const [pending] = consents.body.studiesPendingConsent;
    expect(consents.body.studiesPendingConsent).toHaveLength(1);
    expect(pending.id).toBe(STUDY.bidsBpHr);
    expect(pending.dataSources.map((d: { id: number }) => d.id).sort()).toEqual([70001, 70003, 70004]);
    expect(pending.pendingScopeConsents.map((s: any) => s.code)).toEqual([
      { id: 50002, codingSystem: OMH, codingCode: BP, text: 'Blood pressure' },
      { id: 50004, codingSystem: OMH, codingCode: HR, text: 'Heart rate' },
    ]);

    // the patient shares blood pressure, not heart rate
    const answers = {
      studyScopeConsents: consents.body.studiesPendingConsent.map((study: any) => ({
        studyId: study.id,
        scopeConsents: study.pendingScopeConsents.map(({ code: c }: any) => ({
          codingSystem: c.codingSystem,
          codingCode: c.codingCode,
          consented: c.codingCode === BP,
        })),
      })),
    };
    const answered = await rest(app, `/patients/${me}/consents`, { token, body: answers });
    expect(answered.status, JSON.stringify(answered.body)).toBe(201);
    expect(
      answered.body.studyScopeConsents.map((a: any) => [a.studyPatient, a.scopeCode.codingCode, a.consented]),
    ).toEqual([
      [{ study: STUDY.bidsBpHr, patient: me }, BP, true],
      [{ study: STUDY.bidsBpHr, patient: me }, HR, false],
    ]);
    const after = (await rest(app, `/patients/${me}/consents`, { token })).body;
    expect(after.studiesPendingConsent).toEqual([]);
    expect(after.studies[0].scopeConsents.map((s: any) => [s.code.codingCode, s.consented])).toEqual([
      [BP, true],
      [HR, false],
    ]);
    expect(after.consolidatedConsentedScopes.map((c: any) => c.codingCode)).toEqual([BP]);

    // upload through a source of the study: blood pressure goes in, heart rate (not shared) is refused
    // a study's client uploads only from the data sources it carries; the default patient app from any
    const carried =
      client.recordId === undefined
        ? null
        : (await rest(app, `/clients/${client.recordId}/data_sources`, { as: MARY })).body.map((d: any) => d.id);
    const device = pending.dataSources.find(
      (d: any) => (carried?.includes(d.id) ?? true) && d.supportedScopes.some((s: any) => s.codingCode === BP),
    ).id;
    const readings = [bloodPressure(121, 79), bloodPressure(118, 77), bloodPressure(125, 82)].map((omh) =>
      observation({ patient: me, device, code: BP, omh }),
    );
    const refusedHeartRate = observation({ patient: me, device, code: HR, omh: heartRate(70) });
    const uploaded = await upload(token, [...readings, refusedHeartRate], host);
    expect(uploaded.status).toBe(200);
    expect(uploaded.body).toMatchObject({ resourceType: 'Bundle', type: 'batch-response' });
    expect(uploaded.body.entry.map((e: any) => e.response.status)).toEqual(['201', '201', '201', '403']);
    if (carried) {
      const careX = 70003; // a source of the study, with blood pressure, that CommonHealth does not carry
      expect(carried).not.toContain(careX);
      const other = await upload(
        token,
        [observation({ patient: me, device: careX, code: BP, omh: bloodPressure(130, 85) })],
        host,
      );
      expect(other.body.entry.map((e: any) => e.response.status)).toEqual(['403']);
    }

    // mary sees them through /api/v1/observations, for the patient and for the study
    const seen = await allPages(app, `/observations?patient_id=${me}`, { as: MARY });
    expect(seen.results.map((o: any) => o.omhData.header.uuid).sort()).toEqual(uuids(readings).sort());
    expect(seen.results[0]).toMatchObject({
      subjectPatientId: me,
      patientNameGiven: 'Alice',
      jheUserId: profile.body.id,
      codingCode: BP,
      dataSourceId: device,
    });
    const ofStudy = await allPages(app, `/observations?study_id=${STUDY.bidsBpHr}&patient_id=${me}`, { as: MARY });
    expect(ofStudy.count).toBe(3);

    // removing the answer (DELETE) puts the scope back to pending and hides what was shared at once
    const removed = await rest(app, `/patients/${me}/consents`, {
      token,
      method: 'DELETE',
      body: {
        studyScopeConsents: [{ studyId: STUDY.bidsBpHr, scopeConsents: [{ codingSystem: OMH, codingCode: BP }] }],
      },
    });
    expect(removed.status).toBe(204);
    const again = (await rest(app, `/patients/${me}/consents`, { token })).body;
    expect(again.studiesPendingConsent[0].pendingScopeConsents.map((s: any) => s.code.codingCode)).toEqual([BP]);
    expect((await rest(app, `/observations?patient_id=${me}`, { as: MARY })).body.count).toBe(0);
  });
});

describe('denied sides', () => {
  it('the same code redeemed twice fails the second time', async () => {
    const patientId = await enrolledPatient('twice.app@example.org');
    const { host, code } = parseLink(await mintLink(MARY, patientId));
    expect((await redeem(host, code)).status).toBe(200);
    const second = await redeem(host, code);
    expect(second.status).toBe(400);
    expect(second.body.error).toBe('invalid_grant');
  });

  it('another patient’s consents can be neither read nor answered; a practitioner answers none', async () => {
    const patientId = await enrolledPatient('other.app@example.org');
    const pamela = await signInWith(await mintLinkWithGraphQL(MARY, PATIENT.pamela));
    expect((await rest(app, '/users/profile', { token: pamela })).body.patient.id).toBe(PATIENT.pamela);
    const answers = {
      studyScopeConsents: [
        { studyId: STUDY.bidsBpHr, scopeConsents: [{ codingSystem: OMH, codingCode: BP, consented: true }] },
      ],
    };
    expect((await rest(app, `/patients/${patientId}/consents`, { token: pamela })).status).toBe(404);
    for (const method of ['POST', 'PATCH']) {
      const refused = await rest(app, `/patients/${patientId}/consents`, { token: pamela, method, body: answers });
      expect(refused.status, method).toBe(404);
    }
    // only the patient answers: mary, who manages the patient's organization, reads but may not answer
    expect((await rest(app, `/patients/${patientId}/consents`, { as: MARY })).status).toBe(200);
    const byMary = await rest(app, `/patients/${patientId}/consents`, { as: MARY, body: answers });
    expect(byMary.status).toBe(403);
    const still = (await rest(app, `/patients/${patientId}/consents`, { as: MARY })).body;
    expect(still.studies).toEqual([]);
  });

  it('a patient cannot upload for another patient', async () => {
    const peter = await signInWith(await mintLink(MARY, PATIENT.peter));
    const before = (await rest(app, `/observations?patient_id=${PATIENT.pamela}`, { as: MARY })).body.count;
    const uploaded = await upload(peter, [
      observation({ patient: PATIENT.pamela, code: BP, omh: bloodPressure(140, 90) }),
      observation({ patient: PATIENT.peter, code: BP, omh: bloodPressure(120, 80) }),
    ]);
    expect(uploaded.body.entry.map((e: any) => e.response.status)).toEqual(['404', '201']);
    expect((await rest(app, `/observations?patient_id=${PATIENT.pamela}`, { as: MARY })).body.count).toBe(before);
  });
});
