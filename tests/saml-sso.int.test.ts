import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { createPractitionerAccount } from '../src/services/users.js';
import { Browser, readForm } from './support/browser.js';
import { postLogin } from './support/login-page.js';
import { startTestIdp, testKeys, type TestIdp } from './support/saml-idp.js';
import { clickSso, me, openLoginPage, postToAcs } from './support/saml-sign-in.js';

let idp: TestIdp;
let app: TestApp;
beforeAll(async () => {
  idp = await startTestIdp();
  app = await startTestApp({
    SAML_IDP_METADATA: idp.metadataUrl,
    SAML_ALLOWED_DOMAINS: 'uni.example.edu,example.com',
    SAML_DISPLAY_NAME: 'Example University',
    SAML_DEFAULT_ORGANIZATIONS: '20003',
    SAML_DEFAULT_ROLE: 'viewer',
  });
});
afterAll(async () => {
  await app?.close();
  await idp?.close();
});
beforeEach(() => {
  idp.answer = { email: 'ada@uni.example.edu', firstName: 'Ada', lastName: 'Lovelace' };
});

const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
  app.db.orm.em.getConnection().execute<T[]>(query, params);
const acsUrl = () => `${app.baseUrl}/o/saml/acs`;

async function ssoSignIn() {
  const page = await openLoginPage(app);
  const idpForm = await clickSso(page, idp);
  expect(idpForm.action).toBe(acsUrl());
  return postToAcs(page, acsUrl(), idpForm.hidden.SAMLResponse!);
}

const usersWithEmail = async (email: string) =>
  (await sql<{ n: number }>('select count(*)::int as n from users where lower(email) = ?', [email]))[0]!.n;

describe('SAML single sign-on: the login page and the SP', () => {
  it('shows "Sign in with <institution>" on the login page', async () => {
    const page = await openLoginPage(app);
    expect(page.html).toContain('>Sign in with Example University</button>');
    // the password form stays the first
    expect(readForm(page.html, page.url).action).toMatch(/\/login$/);
  });

  it('offers no single sign-on to the patient apps (practitioners only)', async () => {
    const page = await openLoginPage(app, { clientId: 'patient-app' });
    expect(page.html).toContain('<form');
    expect(page.html).not.toContain('Sign in with Example University');
    const refused = await page.browser.request(`${page.url}/saml`, { form: {} });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('This app is for patients');
  });

  it('serves its SP metadata: entity id and ACS under the public URL', async () => {
    const response = await fetch(`${app.baseUrl}/o/saml/metadata`);
    expect(response.status).toBe(200);
    const xml = await response.text();
    expect(xml).toContain(`entityID="${app.baseUrl}/o/saml/metadata"`);
    expect(xml).toContain(`Location="${acsUrl()}"`);
    expect(xml).toContain('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
    expect(xml).toContain('WantAssertionsSigned="true"');
    expect(xml).toContain('<NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</NameIDFormat>');
  });
});

describe('SAML single sign-on: accepted', () => {
  it('creates the practitioner just in time and completes the OIDC flow with real tokens', async () => {
    expect(await usersWithEmail('ada@uni.example.edu')).toBe(0);
    const { tokens, status, html } = await ssoSignIn();
    expect(html).toBe('');
    expect(status).toBe(303);
    const viewer = await me(app, tokens!.access_token);
    expect(viewer).toMatchObject({
      email: 'ada@uni.example.edu',
      firstName: 'Ada',
      lastName: 'Lovelace',
      kind: 'PRACTITIONER',
      isSuperuser: false,
    });
    const [user] = await sql<{ id: number; password_hash: string | null; verified: boolean }>(
      'select id, password_hash, email_verified_at is not null as verified from users where email = ?',
      ['ada@uni.example.edu'],
    );
    expect(user).toMatchObject({ id: Number(viewer.id), password_hash: null, verified: true });
    // the deployment's default organization and role, nothing else
    expect(
      await sql(
        'select po.organization_id, po.role from practitioner_organizations po join practitioners p on p.id = po.practitioner_id where p.user_id = ?',
        [user!.id],
      ),
    ).toEqual([{ organization_id: 20003, role: 'viewer' }]);

    // the next sign-in is the same account, not a second one
    const again = await ssoSignIn();
    expect((await me(app, again.tokens!.access_token)).id).toBe(viewer.id);
    expect(await usersWithEmail('ada@uni.example.edu')).toBe(1);
  });

  it('signs an existing practitioner of an allowed domain into their own account', async () => {
    idp.answer = { email: 'Megan@Example.com' };
    const { tokens } = await ssoSignIn();
    expect(await me(app, tokens!.access_token)).toMatchObject({ id: '10003', email: 'megan@example.com' });
    expect(await usersWithEmail('megan@example.com')).toBe(1);
  });
});

describe('SAML single sign-on: an account signed up but never confirmed', () => {
  it('is confirmed by the IdP and loses the password whoever signed up chose', async () => {
    await createPractitionerAccount(
      app.db.orm.em.fork(),
      { email: 'lin@uni.example.edu', password: 'Squatter-1', firstName: 'Not', lastName: 'Lin' },
      { emailVerified: false },
    );
    idp.answer = { email: 'lin@uni.example.edu' };
    const { tokens } = await ssoSignIn();
    expect(await me(app, tokens!.access_token)).toMatchObject({ email: 'lin@uni.example.edu' });
    expect(
      await sql('select password_hash, email_verified_at is not null as verified from users where email = ?', [
        'lin@uni.example.edu',
      ]),
    ).toEqual([{ password_hash: null, verified: true }]);
    expect((await postLogin(app, 'lin@uni.example.edu', 'Squatter-1')).status).toBe(401);
  });
});

describe('SAML single sign-on: refused', () => {
  const refusedWith = async (answer: Partial<(typeof idp)['answer']>, message: RegExp) => {
    idp.answer = { ...idp.answer, ...answer };
    const result = await ssoSignIn();
    expect(result.tokens).toBeNull();
    expect(result.status).toBe(403);
    expect(result.html).toMatch(message);
  };

  it('an email outside the allowed domains (no account made)', async () => {
    await refusedWith({ email: 'eve@other.example.org' }, /Accounts of other\.example\.org cannot sign in here/);
    expect(await usersWithEmail('eve@other.example.org')).toBe(0);
  });

  it('an assertion changed after signing (another email)', async () => {
    await refusedWith(
      { email: 'ada@uni.example.edu', afterSigning: (xml) => xml.replaceAll('ada@uni.example.edu', 'sam@example.com') },
      /could not be verified/,
    );
  });

  it('an assertion signed by another key than the IdP’s', async () => {
    await refusedWith({ signingKey: (await testKeys()).privateKey }, /could not be verified/);
  });

  it('a signature wrapping: the signed assertion moved aside, an unsigned one in its place', async () => {
    await refusedWith(
      {
        afterSigning: (xml) => {
          const signed = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)![0];
          const evil = signed
            .replace(/ID="[^"]+"/, 'ID="_evil"')
            .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '')
            .replaceAll('ada@uni.example.edu', 'mary@example.com');
          return xml.replace(signed, `<samlp:Extensions>${signed}</samlp:Extensions>${evil}`);
        },
      },
      /could not be verified/,
    );
    expect(await usersWithEmail('mary@example.com')).toBe(1);
  });

  it('a comment slipped into the signed NameID (the signature ignores comments) does not cut the email', async () => {
    await refusedWith(
      {
        email: 'ada@uni.example.edu.evil.example.org',
        afterSigning: (xml) => {
          const cut = xml.replace(
            '>ada@uni.example.edu.evil.example.org</saml:NameID>',
            '>ada@uni.example.edu<!---->.evil.example.org</saml:NameID>',
          );
          expect(cut).not.toBe(xml);
          return cut;
        },
      },
      /Accounts of uni\.example\.edu\.evil\.example\.org cannot sign in here/,
    );
  });

  it('an assertion signed with SHA-1', async () => {
    await refusedWith({ sha1: true }, /signs with SHA-1/);
  });

  it('an expired assertion', async () => {
    await refusedWith({ shiftMs: -60 * 60_000 }, /could not be verified/);
  });

  it('an assertion for another audience', async () => {
    await refusedWith({ audience: 'https://other-sp.example.org/metadata' }, /could not be verified/);
  });

  it('an assertion for another recipient', async () => {
    await refusedWith({ recipient: 'https://other-sp.example.org/acs' }, /not issued to this gateway/);
  });

  it('an assertion from another issuer', async () => {
    await refusedWith({ issuer: 'https://evil-idp.example.org' }, /another identity provider/);
  });

  it('an unsolicited response (no InResponseTo)', async () => {
    await refusedWith({ inResponseTo: null }, /could not be verified/);
  });

  it('a response to a request this gateway never issued', async () => {
    await refusedWith({ inResponseTo: '_never-issued' }, /could not be verified/);
  });

  it('a replayed response, even in a new sign-in that awaits an answer', async () => {
    const first = await ssoSignIn();
    expect(first.tokens).not.toBeNull();
    const replayed = idp.lastResponse!;
    const page = await openLoginPage(app);
    await clickSso(page, idp); // a fresh request is pending; the replay answers the old, consumed one
    const result = await postToAcs(page, acsUrl(), replayed);
    expect(result.status).toBe(403);
    expect(result.tokens).toBeNull();
  });

  it('one answer posted twice at once: one sign-in, one refusal', async () => {
    const page = await openLoginPage(app);
    const idpForm = await clickSso(page, idp);
    const results = await Promise.all([
      postToAcs(page, acsUrl(), idpForm.hidden.SAMLResponse!),
      postToAcs(page, acsUrl(), idpForm.hidden.SAMLResponse!),
    ]);
    expect(results.filter((r) => r.tokens !== null)).toHaveLength(1);
    expect(results.filter((r) => r.status === 403)).toHaveLength(1);
  });

  it('the answer to one browser’s sign-in posted from another browser (login CSRF)', async () => {
    const attacker = await openLoginPage(app);
    const attackerForm = await clickSso(attacker, idp);
    // the victim's browser holds no cookie of the attacker's sign-in (this test browser keeps cookies without
    // their paths, so a fresh one stands for it)
    const result = await postToAcs(
      { ...attacker, browser: new Browser() },
      acsUrl(),
      attackerForm.hidden.SAMLResponse!,
    );
    expect(result.tokens).toBeNull();
    expect(result.status).toBe(400);
    expect(result.html).toMatch(/expired|session/i);
  });

  it('the email of an existing patient login (logins never mix)', async () => {
    await refusedWith({ email: 'peter@example.com' }, /cannot sign in with single sign-on/);
    expect(await sql('select kind, is_superuser from users where email = ?', ['peter@example.com'])).toEqual([
      { kind: 'patient', is_superuser: false },
    ]);
  });

  it('the email of a patient record without a login (kept for the patient’s own)', async () => {
    await sql(`insert into patients (name_family, name_given, email) values ('Doe', 'Jo', 'jo@uni.example.edu')`);
    await refusedWith({ email: 'jo@uni.example.edu' }, /cannot sign in with single sign-on/);
    expect(await usersWithEmail('jo@uni.example.edu')).toBe(0);
  });

  it('a super user (they sign in with their password)', async () => {
    await refusedWith({ email: 'sam@example.com' }, /cannot sign in with single sign-on/);
  });

  it('a POST to the ACS without a SAML response', async () => {
    const response = await fetch(acsUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'SAMLResponse=',
    });
    expect(response.status).toBe(400);
  });

  it('an oversized post to the ACS', async () => {
    const response = await fetch(acsUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: 'A'.repeat(300_000) }),
    });
    expect(response.status).toBe(413);
  });

  it('garbage posted to the ACS', async () => {
    const response = await fetch(acsUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: Buffer.from('<not-saml').toString('base64') }),
    });
    expect(response.status).toBe(403);
  });
});
