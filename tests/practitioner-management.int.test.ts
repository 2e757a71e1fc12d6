import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { fhirFetch } from './support/fhir.js';
import { postLogin } from './support/login-page.js';
import { linkIn, type Mailbox, startMailbox } from './support/mail.js';
import { rest } from './support/rest.js';
import { gqlWith, patientToken, scopedToken } from './support/scoped-tokens.js';
import { codes, gql, portalSignIn } from './support/tokens.js';

let mailbox: Mailbox;
let app: TestApp;
let SAM_PRACTITIONER: string;
beforeAll(async () => {
  mailbox = await startMailbox();
  app = await startTestApp({ SMTP_URL: mailbox.url });
  SAM_PRACTITIONER = await practitionerIdOf(SAM);
});
afterAll(async () => {
  await app?.close();
  await mailbox?.close();
});

const SAM = 'sam@example.com';
const FIELDS = 'id user { id email firstName lastName isSuperuser disabled emailVerified }';
const CREATE = `mutation ($input: CreatePractitionerInput!) { createPractitioner(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdatePractitionerInput!) { updatePractitioner(id: $id, input: $input) { ${FIELDS} } }`;
const DISABLE = `mutation ($id: ID!) { disablePractitioner(id: $id) { ${FIELDS} } }`;
const ENABLE = `mutation ($id: ID!) { enablePractitioner(id: $id) { ${FIELDS} } }`;
const SUPERUSER = `mutation ($id: ID!, $on: Boolean!) { setPractitionerSuperuser(id: $id, isSuperuser: $on) { ${FIELDS} } }`;
const DELETE = `mutation ($id: ID!) { deletePractitioner(id: $id) }`;
const LIST = `query ($name: String, $first: Int, $after: String) {
  practitionerAccounts(name: $name, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ${FIELDS} }
  }
}`;
const ME = '{ me { id } }';

const sql = <T>(query: string, params: unknown[] = []) => app.db.orm.em.getConnection().execute<T[]>(query, params);
const practitionerIdOf = async (email: string) =>
  String(
    (
      await sql<{ id: number }>('select p.id from practitioners p join users u on u.id = p.user_id where u.email = ?', [
        email,
      ])
    )[0]!.id,
  );
const portal = () =>
  oidc.discovery(new URL(`${app.baseUrl}/o`), 'portal', undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
const form = (path: string, fields: Record<string, string>) =>
  fetch(`${app.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
const mcpInitialize = (token: string) =>
  fetch(`${app.baseUrl}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
    }),
  });

/** Creates a practitioner as sam and sets their password through the mailed link; answers their practitioner id. */
async function onboard(email: string, password = 'Welcome-42') {
  const created = await gql(app, SAM, CREATE, { input: { email, firstName: 'Nina', lastName: 'New' } });
  expect(created.errors).toBeUndefined();
  const mail = await mailbox.next(email);
  const link = linkIn(mail, `${app.baseUrl}/o/password/reset?token=`);
  const token = new URL(link).searchParams.get('token')!;
  expect((await form('/o/password/reset', { token, password })).status).toBe(200);
  return created.data!.createPractitioner.id as string;
}

describe('creating a practitioner', () => {
  it('mails a single-use link to choose a password; the super user never sees one; then the practitioner signs in', async () => {
    const created = await gql(app, SAM, CREATE, {
      input: { email: 'Nina.New@Example.org', firstName: 'Nina', lastName: 'New' },
    });
    expect(created.errors).toBeUndefined();
    expect(created.data!.createPractitioner.user).toMatchObject({
      email: 'nina.new@example.org',
      firstName: 'Nina',
      lastName: 'New',
      isSuperuser: false,
      disabled: false,
      emailVerified: false,
    });
    const [{ password_hash }] = await sql<{ password_hash: string | null }>(
      `select password_hash from users where email = 'nina.new@example.org'`,
    );
    expect(password_hash).toBeNull();
    expect(await postLogin(app, 'nina.new@example.org', 'Welcome-42')).toMatchObject({ signedIn: false, status: 401 });

    const mail = await mailbox.next('nina.new@example.org');
    expect(mail.subject).toBe('Your Health Exchange Gateway account');
    expect(mail.text).toContain('Hello Nina,');
    const link = linkIn(mail, `${app.baseUrl}/o/password/reset?token=`);
    const token = new URL(link).searchParams.get('token')!;
    expect((await form('/o/password/reset', { token, password: 'Welcome-42' })).status).toBe(200);
    expect((await form('/o/password/reset', { token, password: 'Again-43x' })).status).toBe(400);
    expect(await postLogin(app, 'nina.new@example.org', 'Welcome-42')).toMatchObject({ signedIn: true });
    const [{ verified }] = await sql<{ verified: boolean }>(
      `select email_verified_at is not null as verified from users where email = 'nina.new@example.org'`,
    );
    expect(verified).toBe(true);
  });

  it('refuses managers, members, patients and a token without Practitioner.c', async () => {
    const input = { email: 'nobody-made@example.org', firstName: 'No', lastName: 'Body' };
    for (const who of ['mary@example.com', 'megan@example.com']) {
      expect(codes(await gql(app, who, CREATE, { input }))).toEqual(['FORBIDDEN']);
    }
    const patient = await patientToken(app, 40001, 'patient/Patient.rs');
    expect(codes(await gqlWith(patient.access_token, app, CREATE, { input }))).toEqual(['FORBIDDEN']);
    const narrow = await scopedToken(app, SAM, 'user/Practitioner.rs');
    const refused = await gqlWith(narrow.access_token, app, CREATE, { input });
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    expect(refused.errors![0]!.message).toContain('Practitioner');
    expect(await sql(`select 1 from users where email = 'nobody-made@example.org'`)).toEqual([]);
    expect(mailbox.waiting('nobody-made@example.org')).toBe(0);
  });

  it('answers bad input and duplicates with 4xx codes', async () => {
    const bad = await gql(app, SAM, CREATE, { input: { email: 'not-an-email', firstName: 'A', lastName: 'B' } });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    const blank = await gql(app, SAM, CREATE, { input: { email: 'blank@example.org', firstName: ' ', lastName: 'B' } });
    expect(codes(blank)).toEqual(['BAD_USER_INPUT']);
    const taken = await gql(app, SAM, CREATE, { input: { email: 'MARY@example.com', firstName: 'M', lastName: 'D' } });
    expect(codes(taken)).toEqual(['CONFLICT']);
    // a patient's email stays the patient's
    const patients = await gql(app, SAM, CREATE, {
      input: { email: 'peter@example.com', firstName: 'P', lastName: 'D' },
    });
    expect(codes(patients)).toEqual(['CONFLICT']);
    expect(bad.status).toBeLessThan(500);
  });
});

describe('listing practitioners', () => {
  it('shows super users every account, paged and searchable, disabled ones too; nobody else', async () => {
    const first = await gql(app, SAM, LIST, { first: 2 });
    expect(first.errors).toBeUndefined();
    const page = first.data!.practitionerAccounts;
    expect(page.nodes).toHaveLength(2);
    expect(page.totalCount).toBeGreaterThanOrEqual(6);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const next = await gql(app, SAM, LIST, { first: 2, after: page.pageInfo.endCursor });
    expect(next.data!.practitionerAccounts.nodes[0].id).not.toBe(page.nodes[0].id);
    const search = await gql(app, SAM, LIST, { name: 'MAR' });
    expect(search.data!.practitionerAccounts.nodes.map((n: any) => n.user.email).sort()).toEqual([
      'mark@example.com',
      'mary@example.com',
    ]);
    expect(codes(await gql(app, 'mary@example.com', LIST))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(app, 'victor@example.com', LIST))).toEqual(['FORBIDDEN']);
    const viewerCan = await gql(app, SAM, '{ viewerCan { managePractitionerAccounts } }');
    expect(viewerCan.data!.viewerCan.managePractitionerAccounts).toBe(true);
    const mary = await gql(app, 'mary@example.com', '{ viewerCan { managePractitionerAccounts } }');
    expect(mary.data!.viewerCan.managePractitionerAccounts).toBe(false);
  });
});

describe('editing a practitioner', () => {
  it('changes names; a new email is unverified until its mailed link is opened', async () => {
    const id = await onboard('edit.me@example.org');
    const renamed = await gql(app, SAM, UPDATE, { id, input: { firstName: 'Edith', lastName: 'Ed' } });
    expect(renamed.data!.updatePractitioner.user).toMatchObject({
      firstName: 'Edith',
      lastName: 'Ed',
      emailVerified: true,
    });

    const moved = await gql(app, SAM, UPDATE, { id, input: { email: 'edith@example.org' } });
    expect(moved.data!.updatePractitioner.user).toMatchObject({ email: 'edith@example.org', emailVerified: false });
    expect((await postLogin(app, 'edith@example.org', 'Welcome-42')).status).toBe(403);
    const notice = await mailbox.next('edit.me@example.org');
    expect(notice.subject).toBe('The email of your Health Exchange Gateway account changed');
    expect(notice.text).not.toContain('edith@example.org');
    const mail = await mailbox.next('edith@example.org');
    const link = linkIn(mail, `${app.baseUrl}/o/verify?token=`);
    expect((await form('/o/verify', { token: new URL(link).searchParams.get('token')! })).status).toBe(200);
    expect(await postLogin(app, 'edith@example.org', 'Welcome-42')).toMatchObject({ signedIn: true });

    expect(codes(await gql(app, SAM, UPDATE, { id, input: { email: 'megan@example.com' } }))).toEqual(['CONFLICT']);
    expect(codes(await gql(app, SAM, UPDATE, { id, input: {} }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(app, SAM, UPDATE, { id: '999999', input: { firstName: 'X' } }))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(app, 'mary@example.com', UPDATE, { id, input: { firstName: 'X' } }))).toEqual(['FORBIDDEN']);
  });

  it('makes a super user through its own mutation, never of oneself', async () => {
    const id = await onboard('soon.super@example.org');
    const made = await gql(app, SAM, SUPERUSER, { id, on: true });
    expect(made.data!.setPractitionerSuperuser.user.isSuperuser).toBe(true);
    expect((await gql(app, SAM, SUPERUSER, { id, on: false })).data!.setPractitionerSuperuser.user.isSuperuser).toBe(
      false,
    );
    expect(codes(await gql(app, SAM, SUPERUSER, { id: SAM_PRACTITIONER, on: false }))).toEqual(['CONFLICT']);
    expect(codes(await gql(app, 'mark@example.com', SUPERUSER, { id, on: true }))).toEqual(['FORBIDDEN']);
  });
});

describe('disabling a practitioner', () => {
  it('refuses their existing token at once on every face, their refresh token and their sign-in; enabling restores sign-in, not the old tokens', async () => {
    const id = await onboard('to.disable@example.org');
    const tokens = await portalSignIn(app, 'to.disable@example.org', { password: 'Welcome-42' });
    if (!('access_token' in tokens)) throw new Error('no tokens');
    const access = tokens.access_token;
    expect((await gqlWith(access, app, ME)).data!.me).toBeTruthy();
    expect((await rest(app, '/users/profile', { token: access })).status).toBe(200);
    expect((await mcpInitialize(access)).status).toBe(200);

    const disabled = await gql(app, SAM, DISABLE, { id });
    expect(disabled.data!.disablePractitioner.user.disabled).toBe(true);

    const graphql = await gqlWith(access, app, ME);
    expect(graphql.status).toBe(401);
    expect(codes(graphql)).toEqual(['UNAUTHENTICATED']);
    const fhir = await fetch(`${app.baseUrl}/fhir/r5/Patient`, { headers: { authorization: `Bearer ${access}` } });
    expect(fhir.status).toBe(401);
    expect(((await fhir.json()) as any).resourceType).toBe('OperationOutcome');
    const api = await rest(app, '/users/profile', { token: access });
    expect(api.status).toBe(401);
    expect(api.body.detail).toContain('disabled');
    expect((await mcpInitialize(access)).status).toBe(401);
    await expect(oidc.refreshTokenGrant(await portal(), tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const login = await postLogin(app, 'to.disable@example.org', 'Welcome-42');
    expect(login).toMatchObject({ signedIn: false, status: 403 });
    expect(login.html).toContain('disabled');
    // a wrong password says nothing about the account's state
    expect((await postLogin(app, 'to.disable@example.org', 'Wrong-pass-1')).status).toBe(401);

    const enabled = await gql(app, SAM, ENABLE, { id });
    expect(enabled.data!.enablePractitioner.user.disabled).toBe(false);
    // the access token issued before the disable stays dead everywhere
    expect((await gqlWith(access, app, ME)).status).toBe(401);
    const stillRevoked = await rest(app, '/users/profile', { token: access });
    expect([stillRevoked.status, stillRevoked.body.detail]).toEqual([401, expect.stringContaining('revoked')]);
    expect((await mcpInitialize(access)).status).toBe(401);
    // the revoked refresh token stays revoked; signing in again works
    await expect(oidc.refreshTokenGrant(await portal(), tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const again = await portalSignIn(app, 'to.disable@example.org', { password: 'Welcome-42' });
    if (!('access_token' in again)) throw new Error('no tokens');
    expect((await gqlWith(again.access_token, app, ME)).data!.me).toBeTruthy();
  });

  it('refuses oneself, non-super users and a token without Practitioner.u', async () => {
    expect(codes(await gql(app, SAM, DISABLE, { id: SAM_PRACTITIONER }))).toEqual(['CONFLICT']);
    const megan = await practitionerIdOf('megan@example.com');
    for (const who of ['mary@example.com', 'megan@example.com', 'victor@example.com']) {
      expect(codes(await gql(app, who, DISABLE, { id: megan }))).toEqual(['FORBIDDEN']);
    }
    const narrow = await scopedToken(app, SAM, 'user/Practitioner.rs');
    expect(codes(await gqlWith(narrow.access_token, app, DISABLE, { id: megan }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(app, SAM, DISABLE, { id: 'x' }))).toEqual(['BAD_USER_INPUT']);
    expect(await postLogin(app, 'megan@example.com', 'Jhe1234!')).toMatchObject({ signedIn: true });
  });
});

describe('deleting a practitioner', () => {
  it('deletes an account that left nothing behind, with its memberships and tokens', async () => {
    const id = await onboard('to.delete@example.org');
    const bids = 20003;
    const added = await gql(
      app,
      'mary@example.com',
      `mutation ($org: ID!) { addPractitionerToOrganization(organizationId: $org, email: "to.delete@example.org", role: MEMBER) { id } }`,
      { org: String(bids) },
    );
    expect(added.errors).toBeUndefined();
    await portalSignIn(app, 'to.delete@example.org', { password: 'Welcome-42' });

    expect(codes(await gql(app, 'mary@example.com', DELETE, { id }))).toEqual(['FORBIDDEN']);
    const deleted = await gql(app, SAM, DELETE, { id });
    expect(deleted.data!.deletePractitioner).toBe(id);
    expect(await sql(`select 1 from users where email = 'to.delete@example.org'`)).toEqual([]);
    expect(await sql('select 1 from practitioner_organizations where practitioner_id = ?', [Number(id)])).toEqual([]);
    expect(codes(await gql(app, SAM, DELETE, { id }))).toEqual(['NOT_FOUND']);
    await app.audit.flush();
    const events = await sql<{ user_id: number; action: string; resource_ids: number[] }>(
      `select user_id, action, resource_ids from audit_events where operation = 'Mutation.deletePractitioner' and outcome = 'allowed'`,
    );
    expect(events).toEqual([{ user_id: 10001, action: 'delete', resource_ids: [Number(id)] }]);
  });

  it('refuses (CONFLICT) when the audit trail names them, or for oneself', async () => {
    const megan = await practitionerIdOf('megan@example.com');
    // megan has read patients in this file's other tests, or reads one now: the trail names her
    await gql(app, 'megan@example.com', '{ patients(first: 1) { nodes { id } } }');
    await app.audit.flush();
    const refused = await gql(app, SAM, DELETE, { id: megan });
    expect(codes(refused)).toEqual(['CONFLICT']);
    expect(refused.errors![0]!.message).toContain('disable it instead');
    expect(codes(await gql(app, SAM, DELETE, { id: SAM_PRACTITIONER }))).toEqual(['CONFLICT']);
  });
});

describe('every operation, for everyone but super users', () => {
  /** each operation with the scope a token must carry for it, on a fresh account of its own */
  const operations: { name: string; query: string; scope: string; vars: (id: string) => Record<string, unknown> }[] = [
    { name: 'practitionerAccounts', query: LIST, scope: 'user/Practitioner.s', vars: () => ({}) },
    {
      name: 'practitionerAccount',
      query: `query ($id: ID!) { practitionerAccount(id: $id) { id } }`,
      scope: 'user/Practitioner.r',
      vars: (id) => ({ id }),
    },
    {
      name: 'createPractitioner',
      query: CREATE,
      scope: 'user/Practitioner.c',
      vars: () => ({ input: { email: 'never.made@example.org', firstName: 'N', lastName: 'M' } }),
    },
    {
      name: 'updatePractitioner',
      query: UPDATE,
      scope: 'user/Practitioner.u',
      vars: (id) => ({ id, input: { lastName: 'X' } }),
    },
    {
      name: 'setPractitionerSuperuser',
      query: SUPERUSER,
      scope: 'user/Practitioner.u',
      vars: (id) => ({ id, on: true }),
    },
    { name: 'disablePractitioner', query: DISABLE, scope: 'user/Practitioner.u', vars: (id) => ({ id }) },
    { name: 'enablePractitioner', query: ENABLE, scope: 'user/Practitioner.u', vars: (id) => ({ id }) },
    { name: 'deletePractitioner', query: DELETE, scope: 'user/Practitioner.d', vars: (id) => ({ id }) },
  ];

  it('refuses managers, members, viewers, patients and super users’ tokens without the scope (GraphQL)', async () => {
    const target = await onboard('untouchable@example.org');
    const patient = (await patientToken(app, 40001, 'patient/*.cruds')).access_token;
    const denied: [string, string][] = [['patient', patient]];
    for (const who of ['mary@example.com', 'megan@example.com', 'victor@example.com']) {
      denied.push([who, (await scopedToken(app, who, 'user/*.cruds')).access_token]);
    }
    // every resource scope but the one needed
    const others = 'user/Patient.cruds user/Organization.cruds user/Observation.cruds user/Group.cruds';
    for (const op of operations) {
      const allBut = 'cruds'.replace(op.scope.slice(-1), '');
      const narrow = (await scopedToken(app, SAM, `${others} user/Practitioner.${allBut}`)).access_token;
      for (const [who, token] of [...denied, [`sam without ${op.scope}`, narrow] as [string, string]]) {
        const result = await gqlWith(token, app, op.query, op.vars(target));
        expect(codes(result), `${op.name} as ${who}`).toEqual(['FORBIDDEN']);
      }
    }
    const [{ last_name, disabled }] = await sql<{ last_name: string; disabled: boolean }>(
      `select last_name, disabled_at is not null as disabled from users where email = 'untouchable@example.org'`,
    );
    expect([last_name, disabled]).toEqual(['New', false]);
    expect(await sql(`select 1 from users where email = 'never.made@example.org'`)).toEqual([]);
  });

  it('refuses managers, members, viewers and patients on every route (REST 403)', async () => {
    const target = await onboard('untouchable.rest@example.org');
    const patient = (await patientToken(app, 40002, 'patient/*.cruds')).access_token;
    const routes: [string, string, unknown?][] = [
      ['GET', '/practitioners'],
      ['GET', `/practitioners/${target}`],
      ['POST', '/practitioners', { telecomEmail: 'never.rest@example.org', nameFamily: 'N', nameGiven: 'R' }],
      ['PATCH', `/practitioners/${target}`, { nameFamily: 'X' }],
      ['PATCH', `/practitioners/${target}`, { isSuperuser: true }],
      ['POST', `/practitioners/${target}/disable`],
      ['POST', `/practitioners/${target}/enable`],
      ['DELETE', `/practitioners/${target}`],
    ];
    for (const [method, path, body] of routes) {
      for (const who of ['mary@example.com', 'megan@example.com', 'victor@example.com']) {
        const answer = await rest(app, path, { as: who, method, body });
        expect(answer.status, `${method} ${path} as ${who}`).toBe(403);
        expect(answer.body.detail).toBeTruthy();
      }
      expect((await rest(app, path, { token: patient, method, body })).status, `${method} ${path} as a patient`).toBe(
        403,
      );
    }
    expect((await rest(app, `/practitioners/${target}`, { as: SAM })).body).toMatchObject({
      nameFamily: 'New',
      isSuperuser: false,
      isActive: true,
    });
  });
});

describe('the audit trail', () => {
  it('records who created, changed, disabled and enabled which account, without the names or email', async () => {
    const id = await onboard('audited@example.org');
    await gql(app, SAM, DISABLE, { id });
    await gql(app, SAM, ENABLE, { id });
    await gql(app, 'mary@example.com', DISABLE, { id });
    await app.audit.flush();
    const rows = await sql<{ operation: string; user_id: number; outcome: string; params: unknown }>(
      `select operation, user_id, outcome, params from audit_events
        where resource_type = 'Practitioner' and ? = any(resource_ids) order by id`,
      [Number(id)],
    );
    expect(rows.map((r) => [r.operation, r.user_id, r.outcome])).toEqual([
      ['Mutation.createPractitioner', 10001, 'allowed'],
      ['Mutation.disablePractitioner', 10001, 'allowed'],
      ['Mutation.enablePractitioner', 10001, 'allowed'],
      ['Mutation.disablePractitioner', 10002, 'denied'],
    ]);
    expect(JSON.stringify(rows[0]!.params)).not.toContain('audited@example.org');
    expect(JSON.stringify(rows[0]!.params)).not.toContain('Nina');
  });
});

describe('/api/v1/practitioners', () => {
  it('lists, creates, reads, changes, disables, enables and deletes for super users', async () => {
    const list = await rest(app, '/practitioners?page_size=2', { as: SAM });
    expect(list.status).toBe(200);
    expect(list.body.results).toHaveLength(2);
    expect(list.body.results[0]).toMatchObject({
      id: Number(SAM_PRACTITIONER),
      jheUserId: 10001,
      telecomEmail: SAM,
      isSuperuser: true,
      isActive: true,
    });
    expect(list.body.next).toContain('cursor=');
    const found = await rest(app, '/practitioners?name=meg', { as: SAM });
    expect(found.body.results.map((p: any) => p.telecomEmail)).toEqual(['megan@example.com']);

    const created = await rest(app, '/practitioners', {
      as: SAM,
      body: { telecomEmail: 'rest.made@example.org', nameFamily: 'Made', nameGiven: 'Rest' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      telecomEmail: 'rest.made@example.org',
      nameGiven: 'Rest',
      emailVerified: false,
    });
    expect(created.body).not.toHaveProperty('password');
    expect((await mailbox.next('rest.made@example.org')).subject).toBe('Your Health Exchange Gateway account');
    const path = `/practitioners/${created.body.id}`;
    expect((await rest(app, path, { as: SAM })).body.nameFamily).toBe('Made');
    const patched = await rest(app, path, {
      as: SAM,
      method: 'PATCH',
      body: { nameFamily: 'Remade', isSuperuser: true },
    });
    expect(patched.body).toMatchObject({ nameFamily: 'Remade', isSuperuser: true });
    expect((await rest(app, `${path}/disable`, { as: SAM, method: 'POST' })).body.isActive).toBe(false);
    expect((await rest(app, `${path}/enable`, { as: SAM, method: 'POST' })).body.isActive).toBe(true);
    expect((await rest(app, path, { as: SAM, method: 'PATCH', body: { isSuperuser: false } })).status).toBe(200);
    expect((await rest(app, path, { as: SAM, method: 'DELETE' })).status).toBe(204);
    expect((await rest(app, path, { as: SAM })).status).toBe(404);
    const openapi = await rest(app, '/schema');
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining(['/practitioners', '/practitioners/{id}', '/practitioners/{id}/disable']),
    );
  });

  it('refuses managers, members, patients and narrow tokens (403), bad input (400), conflicts (409)', async () => {
    const megan = await practitionerIdOf('megan@example.com');
    for (const who of ['mary@example.com', 'megan@example.com']) {
      expect((await rest(app, '/practitioners', { as: who })).status).toBe(403);
      expect(
        (await rest(app, `/practitioners/${megan}`, { as: who, method: 'PATCH', body: { nameGiven: 'X' } })).status,
      ).toBe(403);
      expect((await rest(app, `/practitioners/${megan}/disable`, { as: who, method: 'POST' })).status).toBe(403);
      expect((await rest(app, `/practitioners/${megan}`, { as: who, method: 'DELETE' })).status).toBe(403);
    }
    const patient = await patientToken(app, 40002, 'patient/Patient.rs');
    expect((await rest(app, '/practitioners', { token: patient.access_token })).status).toBe(403);
    const narrow = await scopedToken(app, SAM, 'user/Practitioner.rs');
    expect((await rest(app, '/practitioners', { token: narrow.access_token })).status).toBe(200);
    const refused = await rest(app, `/practitioners/${megan}/disable`, { token: narrow.access_token, method: 'POST' });
    expect(refused.status).toBe(403);

    const missing = await rest(app, '/practitioners', { as: SAM, body: { telecomEmail: 'x@example.org' } });
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toBeTruthy();
    const extra = await rest(app, '/practitioners', {
      as: SAM,
      body: { telecomEmail: 'x@example.org', nameFamily: 'X', nameGiven: 'Y', password: 'Secret-1234' },
    });
    expect(extra.status).toBe(400);
    expect((await rest(app, `/practitioners/${megan}`, { as: SAM, method: 'PATCH', body: {} })).status).toBe(400);
    expect((await rest(app, '/practitioners/abc', { as: SAM })).status).toBe(404);
    expect((await rest(app, '/practitioners/999999', { as: SAM })).status).toBe(404);
    expect((await rest(app, `/practitioners/${SAM_PRACTITIONER}/disable`, { as: SAM, method: 'POST' })).status).toBe(
      409,
    );
    expect(
      (
        await rest(app, `/practitioners/${megan}`, {
          as: SAM,
          method: 'PATCH',
          body: { telecomEmail: 'mary@example.com' },
        })
      ).status,
    ).toBe(409);
  });
});

describe('without SMTP', () => {
  let bare: TestApp;
  beforeAll(async () => {
    bare = await startTestApp({ SMTP_URL: '' });
  });
  afterAll(async () => {
    await bare?.close();
  });

  it('refuses to create a practitioner (nobody could set the password), with a clear 4xx', async () => {
    const input = { email: 'unmailed@example.org', firstName: 'Un', lastName: 'Mailed' };
    const refused = await gql(bare, SAM, CREATE, { input });
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.errors![0]!.message).toContain('SMTP_URL');
    const api = await rest(bare, '/practitioners', {
      as: SAM,
      body: { telecomEmail: 'unmailed@example.org', nameFamily: 'Mailed', nameGiven: 'Un' },
    });
    expect(api.status).toBe(400);
    expect(api.body.detail).toContain('SMTP_URL');
    const rows = await bare.db.orm.em
      .getConnection()
      .execute(`select 1 from users where email = 'unmailed@example.org'`);
    expect(rows).toEqual([]);
  });
});

describe('the last super user', () => {
  it('stays: two super users disabling each other at once leave one of them enabled', async () => {
    const other = await onboard('second.super@example.org');
    expect(codes(await gql(app, SAM, SUPERUSER, { id: other, on: true }))).toEqual([]);
    const tokens = await portalSignIn(app, 'second.super@example.org', { password: 'Welcome-42' });
    if (!('access_token' in tokens)) throw new Error('no tokens');
    const [bySam, byOther] = await Promise.all([
      gql(app, SAM, DISABLE, { id: other }),
      gqlWith(tokens.access_token, app, DISABLE, { id: SAM_PRACTITIONER }),
    ]);
    const outcomes = [bySam, byOther].map((r) => (r.errors ? r.errors[0]!.extensions?.code : 'done'));
    expect(outcomes.filter((o) => o === 'done')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'done')[0]).toMatch(/^(CONFLICT|UNAUTHENTICATED)$/);
    const enabled = await sql<{ email: string }>(
      `select email from users where is_superuser and disabled_at is null and email in (?, ?)`,
      [SAM, 'second.super@example.org'],
    );
    expect(enabled).toHaveLength(1);
    // whoever is left enables the other again
    if (enabled[0]!.email !== SAM) {
      expect(codes(await gqlWith(tokens.access_token, app, ENABLE, { id: SAM_PRACTITIONER }))).toEqual([]);
    }
  });
});

describe('FHIR', () => {
  it('still answers a practitioner who was never disabled', async () => {
    expect((await fhirFetch(app, '/Patient', { as: 'megan@example.com' })).status).toBe(200);
  });
});
