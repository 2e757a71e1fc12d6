import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DEFAULTS, JUPYTERHEALTH_DEMO_PKCE } from '../src/config.js';
import { startTestApp, type TestApp } from './support/app.js';
import { json } from './support/http.js';
import { redeemInvitation } from './support/invitations.js';
import { heartRate, observation } from './support/omh.js';
import { rest } from './support/rest.js';
import { PATIENT } from './support/seed-viewers.js';
import { codes, gql } from './support/tokens.js';

/** Clients per study: apps with their own OAuth clients, invitations per app, tokens limited to the app. */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const MARY = 'mary@example.com'; // manager of BIDS (20003), whose study 30001 holds CommonHealth and CareX
const SAM = 'sam@example.com'; // super user
const SEEDED_CALLBACK = 'http://localhost:3000/auth/callback'; // the seeded apps' registered redirect URI
const CAREX = { clientId: 'carex' };

async function invite(patientId: number, clientId?: string, as = MARY) {
  const result = await gql(
    app,
    as,
    'mutation ($p: ID!, $c: ID) { createPatientInvitation(patientId: $p, clientId: $c) { id code link status clientName } }',
    { p: String(patientId), c: clientId ?? null },
  );
  return result;
}

async function inviteOk(patientId: number, clientId?: string) {
  const result = await invite(patientId, clientId);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.createPatientInvitation as { id: string; code: string; link: string; clientName: string };
}

async function carexToken(patientId = PATIENT.peter) {
  const { code } = await inviteOk(patientId, '90002');
  const tokens = await json(await redeemInvitation(app, code, undefined, SEEDED_CALLBACK, CAREX));
  if (!tokens.access_token) throw new Error(JSON.stringify(tokens));
  return tokens as { access_token: string; refresh_token: string };
}

const upload = (token: string, device: number, identifier: string) =>
  fetch(`${app.baseUrl}/fhir/r5/Observation`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
    body: JSON.stringify(observation({ patient: PATIENT.peter, device, omh: heartRate(70), identifier })),
  });

const newClient = async (input: Record<string, unknown>) => {
  const result = await gql(
    app,
    SAM,
    'mutation ($i: CreateClientInput!) { createClient(input: $i) { clientSecret client { id clientId name invitationUrl redirectUris confidential dataSources { id } } } }',
    { i: input },
  );
  return result;
};

let serial = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++serial}`;

describe('the seeded clients', () => {
  it('are held by the studies that use their data sources, and listed for a patient across their studies', async () => {
    const study = await gql(app, MARY, '{ study(id: "30001") { clients { id name clientId dataSources { id } } } }');
    expect(study.data!.study.clients).toEqual([
      { id: '90001', name: 'CommonHealth', clientId: 'commonhealth', dataSources: [{ id: '70001' }, { id: '70002' }] },
      { id: '90002', name: 'CareX', clientId: 'carex', dataSources: [{ id: '70003' }] },
    ]);
    const peters = await gql(app, MARY, '{ patientClients(patientId: "40001") { id } }');
    expect(peters.data!.patientClients).toEqual([{ id: '90001' }, { id: '90002' }]);
    // a patient sees no client list, a practitioner of another organization not this patient’s
    expect(codes(await gql(app, 'peter@example.com', '{ clients { id } }'))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(app, 'mark@example.com', '{ patientClients(patientId: "40001") { id } }'))).toEqual([
      'NOT_FOUND',
    ]);
  });
});

describe('an invitation for a client', () => {
  it('links through the client’s template and redeems with its client id and any redirect URI it registered', async () => {
    const invitation = await inviteOk(PATIENT.peter, '90002');
    const host = new URL(app.baseUrl).host;
    expect(invitation.link).toBe(`https://carex.ai/?invitation=${host}|${invitation.code}`);
    expect(invitation.clientName).toBe('CareX');

    // the code is the client's: the patient app cannot redeem it, nor an unregistered redirect
    const asPatientApp = await redeemInvitation(app, invitation.code, undefined, SEEDED_CALLBACK);
    expect((await json(asPatientApp)).error).toBe('invalid_grant');
    const second = await inviteOk(PATIENT.peter, '90002');
    const elsewhere = await redeemInvitation(app, second.code, undefined, 'https://evil.example/cb', CAREX);
    expect((await json(elsewhere)).error).toBe('invalid_grant');

    const third = await inviteOk(PATIENT.peter, '90002');
    const redeemed = await redeemInvitation(app, third.code, undefined, SEEDED_CALLBACK, CAREX);
    expect(redeemed.status).toBe(200);
    const tokens = await json(redeemed);
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: '10007', client_id: 'carex' });
    expect(tokens.patient).toBe(String(PATIENT.peter));
    const me = await rest(app, '/users/profile', { token: tokens.access_token });
    expect(me.body.patient.id).toBe(PATIENT.peter);
  });

  it('supersedes only the patient’s pending invitations for the same client', async () => {
    const carex = await inviteOk(PATIENT.pamela, '90002');
    const commonhealth = await inviteOk(PATIENT.pamela, '90001');
    expect(commonhealth.link).toMatch(
      /^https:\/\/play\.google\.com\/store\/apps\/details\?id=.*&referrer=cloud_sharing=/,
    );
    const again = await inviteOk(PATIENT.pamela, '90002');
    const list = await gql(app, MARY, '{ patientInvitations(patientId: "40002") { id status } }');
    const status = new Map(list.data!.patientInvitations.map((i: { id: string; status: string }) => [i.id, i.status]));
    expect([status.get(carex.id), status.get(commonhealth.id), status.get(again.id)]).toEqual([
      'SUPERSEDED',
      'PENDING',
      'PENDING',
    ]);
    expect((await json(await redeemInvitation(app, carex.code, undefined, SEEDED_CALLBACK, CAREX))).error).toBe(
      'invalid_grant',
    );
  });

  it('is refused for a client none of the patient’s studies holds, and for an unknown one', async () => {
    const created = await newClient({
      name: 'Lonely',
      clientId: unique('lonely'),
      redirectUris: ['https://l.example/cb'],
    });
    const lonely = created.data!.createClient.client.id;
    const refused = await invite(PATIENT.peter, lonely);
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.errors![0]!.message).toMatch(/not a client of any of this patient’s studies/);
    expect(codes(await invite(PATIENT.peter, '99999'))).toEqual(['BAD_USER_INPUT']);
    // someone who may not invite the patient learns nothing about the client
    expect(codes(await invite(PATIENT.peter, '90002', 'mark@example.com'))).toEqual(['NOT_FOUND']);
  });
});

describe('a client’s token', () => {
  it('uploads only from the client’s data sources', async () => {
    const { access_token: token } = await carexToken();
    const fromCarex = await upload(token, 70003, unique('carex-hr'));
    expect(fromCarex.status).toBe(201);
    const fromIhealth = await upload(token, 70001, unique('ihealth-hr'));
    expect(fromIhealth.status).toBe(403);
    expect((await json(fromIhealth)).issue[0].diagnostics).toMatch(
      /client carex\) may upload only from its own data sources, not Device\/70001/,
    );
    // the patient app (no client record) is not limited to one app's sources
    const { code } = await inviteOk(PATIENT.peter);
    const patientApp = await json(await redeemInvitation(app, code));
    expect((await upload(patientApp.access_token, 70001, unique('pa-hr'))).status).toBe(201);
  });

  it('follows the client’s data sources as a super user changes them', async () => {
    const { access_token: token } = await carexToken();
    const change = (ids: string[]) =>
      gql(app, SAM, 'mutation ($ids: [ID!]) { updateClient(id: "90002", input: { dataSourceIds: $ids }) { id } }', {
        ids,
      });
    expect((await change(['70003', '70001'])).errors).toBeUndefined();
    try {
      expect((await upload(token, 70001, unique('ihealth-hr'))).status).toBe(201);
    } finally {
      await change(['70003']);
    }
    expect((await upload(token, 70001, unique('ihealth-hr'))).status).toBe(403);
  });

  it('stops working, with its refresh token, once the client is deleted', async () => {
    const oauthId = unique('gone');
    const created = await newClient({ name: 'Gone', clientId: oauthId, redirectUris: ['https://g.example/cb'] });
    const id = created.data!.createClient.client.id;
    await gql(app, MARY, 'mutation ($c: ID!) { addStudyClient(studyId: "30001", clientId: $c) { id } }', { c: id });
    const { code } = await inviteOk(PATIENT.peter, id);
    const tokens = await json(
      await redeemInvitation(app, code, undefined, 'https://g.example/cb', { clientId: oauthId }),
    );
    expect((await rest(app, '/users/profile', { token: tokens.access_token })).status).toBe(200);

    expect(codes(await gql(app, MARY, 'mutation ($c: ID!) { deleteClient(id: $c) }', { c: id }))).toEqual([
      'FORBIDDEN',
    ]);
    expect((await gql(app, SAM, 'mutation ($c: ID!) { deleteClient(id: $c) }', { c: id })).data!.deleteClient).toBe(id);
    const after = await rest(app, '/users/profile', { token: tokens.access_token });
    expect(after.status).toBe(401);
    expect(after.body.detail).toMatch(/client is no longer registered/);
    const refreshed = await fetch(`${app.baseUrl}/o/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        client_id: oauthId,
      }),
    });
    expect(refreshed.status).toBe(401);
  });
});

describe('creating clients', () => {
  it('is for super users; a confidential client gets its secret once and redeems with it', async () => {
    const input = {
      name: 'Clinic app',
      clientId: unique('clinic'),
      redirectUris: ['org.clinic.app:/callback', 'http://127.0.0.1/callback'],
      confidential: true,
      invitationUrl: 'org.clinic.app://invite?code=CODE',
      dataSourceIds: ['70001'],
    };
    expect(
      codes(
        await gql(app, MARY, 'mutation ($i: CreateClientInput!) { createClient(input: $i) { clientSecret } }', {
          i: input,
        }),
      ),
    ).toEqual(['FORBIDDEN']);
    const created = await newClient(input);
    const { client, clientSecret } = created.data!.createClient;
    expect(client).toMatchObject({
      confidential: true,
      redirectUris: input.redirectUris,
      dataSources: [{ id: '70001' }],
    });
    expect(clientSecret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(codes(await newClient(input))).toEqual(['CONFLICT']);

    await gql(app, MARY, 'mutation ($c: ID!) { addStudyClient(studyId: "30001", clientId: $c) { id } }', {
      c: client.id,
    });
    const invitation = await inviteOk(PATIENT.peter, client.id);
    expect(invitation.link).toMatch(/^org\.clinic\.app:\/\/invite\?code=/);
    const withoutSecret = await redeemInvitation(app, invitation.code, undefined, 'org.clinic.app:/callback', {
      clientId: input.clientId,
    });
    expect(withoutSecret.status).toBe(401);
    const second = await inviteOk(PATIENT.peter, client.id);
    const withSecret = await redeemInvitation(app, second.code, undefined, 'org.clinic.app:/callback', {
      clientId: input.clientId,
      secret: clientSecret,
    });
    expect(withSecret.status).toBe(200);
  });

  it('refuses bad input with the field named, and writes nothing', async () => {
    const base = { name: 'Bad', redirectUris: ['https://b.example/cb'] };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ clientId: 'A B' }, /^oauthClientId: must be 3-64 lower-case/],
      [{ invitationUrl: 'https://b.example/?i=' }, /^invitationUrl: must contain CODE/],
      [{ invitationUrl: 'javascript:alert(CODE)' }, /^invitationUrl: must be an absolute URL/],
      [{ redirectUris: [] }, /^redirectUris: give at least one redirect URI/],
      [{ redirectUris: ['https://b.example/cb#x'] }, /must not contain a fragment/],
      [{ redirectUris: ['app.b:/cb', 'http://b.example/cb'] }, /http only on a loopback address/],
      [{ dataSourceIds: ['99999'] }, /Data source 99999/],
    ];
    for (const [change, message] of cases) {
      const clientId = unique('bad');
      const result = await newClient({ ...base, clientId, ...change });
      expect(result.errors?.[0]?.message, JSON.stringify(change)).toMatch(message);
      expect(codes(result)[0]).toMatch(/^(BAD_USER_INPUT|NOT_FOUND)$/);
      const stored = await app.db.orm.em
        .fork()
        .getConnection()
        .execute(`select 1 from oidc_payloads where model = 'Client' and id = ?`, [clientId]);
      expect(stored, clientId).toEqual([]);
    }
  });
});

describe('studies hold clients', () => {
  it('their editors add and remove them; others may not', async () => {
    const remove = (as: string) =>
      gql(app, as, 'mutation { removeStudyClient(studyId: "30001", clientId: "90001") { clients { id } } }');
    const add = (as: string) =>
      gql(app, as, 'mutation { addStudyClient(studyId: "30001", clientId: "90001") { clients { id } } }');
    expect(codes(await remove('mark@example.com'))).toEqual(['NOT_FOUND']);
    // the enrolled patient sees the study but may not change it
    expect(codes(await remove('peter@example.com'))).toEqual(['FORBIDDEN']);
    const removed = await remove(MARY);
    expect(removed.data!.removeStudyClient.clients.map((c: { id: string }) => c.id)).not.toContain('90001');
    expect(codes(await remove(MARY))).toEqual(['NOT_FOUND']);
    const added = await add(MARY);
    expect(added.data!.addStudyClient.clients.map((c: { id: string }) => c.id)).toContain('90001');
    expect(codes(await add(MARY))).toEqual(['CONFLICT']);
  });
});

describe('JupyterHealth’s published demo PKCE pair', () => {
  let jhe: TestApp;
  beforeAll(async () => {
    jhe = await startTestApp({
      PATIENT_AUTHORIZATION_CODE_VERIFIER: JUPYTERHEALTH_DEMO_PKCE.verifier,
      PATIENT_AUTHORIZATION_CODE_CHALLENGE: JUPYTERHEALTH_DEMO_PKCE.challenge,
    });
  });
  afterAll(() => jhe?.close());

  it('redeems invitations when configured (and our own demo verifier then does not)', async () => {
    const mint = async () => {
      const result = await gql(
        jhe,
        MARY,
        'mutation { createPatientInvitation(patientId: "40001", clientId: "90001") { code } }',
      );
      return result.data!.createPatientInvitation.code as string;
    };
    const commonhealth = { clientId: 'commonhealth' };
    const ours = await redeemInvitation(
      jhe,
      await mint(),
      DEMO_DEFAULTS.patientCodeVerifier,
      SEEDED_CALLBACK,
      commonhealth,
    );
    expect((await json(ours)).error).toBe('invalid_grant');
    const theirs = await redeemInvitation(
      jhe,
      await mint(),
      JUPYTERHEALTH_DEMO_PKCE.verifier,
      SEEDED_CALLBACK,
      commonhealth,
    );
    expect(theirs.status).toBe(200);
  });
});
