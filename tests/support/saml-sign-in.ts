import * as oidc from 'openid-client';
import type { TestApp } from './app.js';
import { Browser, readForm } from './browser.js';
import type { TestIdp } from './saml-idp.js';

/** The portal's (or `clientId`'s) authorization request in a fresh browser, up to the login page. */
export async function openLoginPage(
  app: Pick<TestApp, 'baseUrl'>,
  { browser = new Browser(), clientId = 'portal' }: { browser?: Browser; clientId?: string } = {},
) {
  const client = await oidc.discovery(new URL(`${app.baseUrl}/o`), clientId, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  const redirectUri = `${app.baseUrl}/auth/callback`;
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(client, {
    redirect_uri: redirectUri,
    scope: 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const login = await browser.follow(url.toString(), {}, (u) => u.startsWith(redirectUri));
  return { browser, client, verifier, redirectUri, url: login.url, html: await login.response.text() };
}

export type LoginPage = Awaited<ReturnType<typeof openLoginPage>>;

/**
 * Clicks "Sign in with …": follows the AuthnRequest's redirect to the IdP, and gives the form of the IdP's page
 * (the ACS and the signed SAMLResponse it posts there).
 */
export async function clickSso(page: LoginPage, idp: TestIdp) {
  const action = /<form method="post" action="([^"]*\/saml)"/.exec(page.html)?.[1];
  if (!action) throw new Error(`no single sign-on button:\n${page.html}`);
  const atIdp = await page.browser.follow(new URL(action.replaceAll('&amp;', '&'), page.url).toString(), { form: {} });
  if (!atIdp.url.startsWith(`${idp.origin}/sso?`)) throw new Error(`not sent to the IdP but to ${atIdp.url}`);
  return readForm(await atIdp.response.text(), atIdp.url);
}

/** Posts an answer to `acsUrl` as the browser would, and follows the flow back to the client: its tokens, or the page. */
export async function postToAcs(page: LoginPage, acsUrl: string, samlResponse: string) {
  const done = await page.browser.follow(acsUrl, { form: { SAMLResponse: samlResponse } }, (u) =>
    u.startsWith(page.redirectUri),
  );
  if (done.url.startsWith(page.redirectUri)) {
    const tokens = await oidc.authorizationCodeGrant(page.client, new URL(done.url), {
      pkceCodeVerifier: page.verifier,
    });
    return { tokens, status: done.response.status, html: '' };
  }
  return { tokens: null, status: done.response.status, html: await done.response.text() };
}

/** The signed-in user as /graphql `me` tells it, with a real access token. */
export async function me(app: Pick<TestApp, 'baseUrl'>, accessToken: string) {
  const response = await fetch(`${app.baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ query: '{ me { id email firstName lastName kind isSuperuser practitioner { id } } }' }),
  });
  return ((await response.json()) as { data: { me: Record<string, unknown> } }).data.me;
}
