import { LAUNCH_PATIENT, parseScope } from '../policy/token-scopes.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The pages' one inline style block: the Content-Security-Policy allows it by its hash (src/http/security-headers.ts). */
export const PAGE_STYLE = `
  body { font-family: system-ui, sans-serif; max-width: 26rem; margin: 4rem auto; padding: 0 1rem; color: #1a1a1a; }
  label { display: block; margin-top: 1rem; font-weight: 600; }
  input { width: 100%; padding: .5rem; font-size: 1rem; box-sizing: border-box; }
  button { margin-top: 1.5rem; padding: .6rem 1.2rem; font-size: 1rem; }
  .error { color: #a00; border: 1px solid #a00; padding: .5rem; margin-top: 1rem; }
  .note { color: #555; border-left: 3px solid #a60; padding-left: .5rem; }
  ul.scopes { list-style: none; padding: 0; }
  ul.scopes li { margin: .4rem 0; }
  label.inline { display: inline; font-weight: normal; margin-left: .4rem; }
`;

/** Plain, accessible HTML pages of the sign-in flow (no scripts, labelled fields, errors announced). */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Health Exchange Gateway</title>
<style>${PAGE_STYLE}</style>
</head>
<body><main>
<h1>${escapeHtml(title)}</h1>
${body}
</main></body>
</html>`;
}

const errorBox = (error?: string) =>
  error ? `<p class="error" role="alert" id="form-error">${escapeHtml(error)}</p>` : '';
const describedBy = (error?: string) => (error ? ' aria-describedby="form-error"' : '');

export function loginPage(opts: {
  action: string;
  clientName: string;
  email?: string;
  error?: string;
  /** the "Forgot password?" link (none: password reset is off, no SMTP) */
  forgotHref?: string;
  /** HTML after the form (the resend-confirmation form of an unverified account) */
  after?: string;
  /** the single sign-on button (SAML configured): "Sign in with <institution>" */
  sso?: { action: string; label: string };
}): string {
  return page(
    'Sign in',
    `<p>to continue to <strong>${escapeHtml(opts.clientName)}</strong></p>
${errorBox(opts.error)}
<form method="post" action="${escapeHtml(opts.action)}"${describedBy(opts.error)}>
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username" required autofocus value="${escapeHtml(opts.email ?? '')}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>
${opts.forgotHref ? `<p><a href="${escapeHtml(opts.forgotHref)}">Forgot password?</a></p>` : ''}${opts.after ?? ''}${
      opts.sso
        ? `<form method="post" action="${escapeHtml(opts.sso.action)}"><button type="submit">${escapeHtml(opts.sso.label)}</button></form>`
        : ''
    }`,
  );
}

const VERBS: Record<string, string> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };

/** What a scope lets the application do, in words. */
export function describeScope(scope: string): string {
  if (scope === 'openid') return 'know who you are (always included)';
  if (scope === 'offline_access') return 'stay signed in (a refresh token)';
  if (scope === 'fhirUser') return 'know your FHIR identity';
  if (scope === 'profile' || scope === 'email') return `see your ${scope === 'profile' ? 'name' : 'email address'}`;
  if (scope === LAUNCH_PATIENT) return 'know which patient record is yours';
  const rule = parseScope(scope);
  if (!rule) return scope;
  const verbs = [...rule.interactions].map((i) => VERBS[i]).join(', ');
  const what = rule.resource === '*' ? 'all data' : `${rule.resource} resources`;
  const codes = rule.codings ? ` with code ${rule.codings.map((c) => c.code).join(' or ')}` : '';
  const whose = rule.context === 'patient' ? 'of your own patient record' : 'you have access to';
  return `${verbs} ${what}${codes} ${whose}`;
}

/** The consent screen of third-party clients: every requested scope, each one the user may untick. */
export function consentPage(opts: {
  action: string;
  abort: string;
  clientName: string;
  scopes: string[];
  /** shown under the request (a self-registered client's warning) */
  note?: string;
}): string {
  const items = opts.scopes
    .map((s, i) =>
      s === 'openid'
        ? `<li><input type="checkbox" id="scope-${i}" checked disabled><label for="scope-${i}" class="inline"><code>openid</code>: ${escapeHtml(describeScope(s))}</label></li>`
        : `<li><input type="checkbox" id="scope-${i}" name="scope" value="${escapeHtml(s)}" checked><label for="scope-${i}" class="inline"><code>${escapeHtml(s)}</code>: ${escapeHtml(describeScope(s))}</label></li>`,
    )
    .join('');
  return page(
    'Allow access?',
    `<p><strong>${escapeHtml(opts.clientName)}</strong> asks to act on your behalf with these scopes; untick what you do not want to give:</p>
${opts.note ? `<p class="note">${escapeHtml(opts.note)}</p>\n` : ''}<form method="post" action="${escapeHtml(opts.action)}">
<ul class="scopes">${items}</ul>
<button type="submit">Allow</button>
</form>
<form method="post" action="${escapeHtml(opts.abort)}"><button type="submit">Deny</button></form>`,
  );
}

export function signupPage(opts: { action: string; values?: Record<string, string>; error?: string }): string {
  const v = (name: string) => escapeHtml(opts.values?.[name] ?? '');
  return page(
    'Create a practitioner account',
    `${errorBox(opts.error)}
<form method="post" action="${escapeHtml(opts.action)}"${describedBy(opts.error)}>
  <label for="inviteCode">Invitation code</label>
  <input id="inviteCode" name="inviteCode" required value="${v('inviteCode')}">
  <label for="firstName">First name</label>
  <input id="firstName" name="firstName" autocomplete="given-name" required value="${v('firstName')}">
  <label for="lastName">Last name</label>
  <input id="lastName" name="lastName" autocomplete="family-name" required value="${v('lastName')}">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" required value="${v('email')}">
  <label for="password">Password (8+ characters, a letter and a digit)</label>
  <input id="password" name="password" type="password" autocomplete="new-password" required minlength="8">
  <button type="submit">Create account</button>
</form>`,
  );
}

export function messagePage(title: string, message: string, link?: { href: string; text: string }): string {
  return page(
    title,
    `<p>${escapeHtml(message)}</p>${link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>` : ''}`,
  );
}

/** RP-initiated logout: `form` is oidc-provider's hidden form (id `op.logoutForm`) that the buttons submit. */
export function logoutPage(form: string): string {
  return page(
    'Sign out',
    `${form}
<p>Sign out of the Health Exchange Gateway on this browser?</p>
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`,
  );
}
