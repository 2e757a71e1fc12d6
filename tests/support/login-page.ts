import type { TestApp } from './app.js';
import { Browser, readForm } from './browser.js';

/**
 * Opens the portal's sign-in (authorization request → login page) and posts `email` and `password`: the page
 * that answers (status, HTML) when the login is refused, or `signedIn` when the provider sends the browser back
 * to the portal. For the refusals portalSignIn (tokens.ts) only reports as an exception.
 */
export async function postLogin(
  app: TestApp,
  email: string,
  password: string,
): Promise<{ signedIn: boolean; status: number; html: string; url: string }> {
  const callback = `${app.baseUrl}/auth/callback`;
  const auth = new URL(`${app.baseUrl}/o/auth`);
  auth.search = new URLSearchParams({
    client_id: 'portal',
    response_type: 'code',
    redirect_uri: callback,
    scope: 'openid',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  }).toString();
  const browser = new Browser();
  const leaves = (u: string) => u.startsWith(callback);
  const login = await browser.follow(auth.toString(), {}, leaves);
  const done = await browser.follow(
    readForm(await login.response.text(), login.url).action,
    { form: { email, password } },
    leaves,
  );
  if (leaves(done.url)) return { signedIn: true, status: done.response.status, html: '', url: done.url };
  return { signedIn: false, status: done.response.status, html: await done.response.text(), url: done.url };
}
