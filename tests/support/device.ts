import { Browser, readForm } from './browser.js';

/**
 * Approves a device authorization in the provider's own pages as a user: opens the verification URL, confirms
 * the code, signs in, until the success page. Returns that page's status and HTML.
 */
export async function approveDevice(verificationUrl: string, userCode: string, email: string) {
  const browser = new Browser();
  let { url, response } = await browser.follow(verificationUrl);
  let html = await response.text();
  for (let step = 0; step < 5 && /<form/.test(html); step++) {
    const form = readForm(html, url);
    const fields: Record<string, string> = /name="email"/.test(html)
      ? { email, password: 'Jhe1234!' }
      : /name="user_code"/.test(html) && !form.hidden.user_code
        ? { user_code: userCode }
        : {};
    ({ url, response } = await browser.follow(form.action, { form: { ...form.hidden, ...fields } }));
    html = await response.text();
  }
  return { status: response.status, html };
}
