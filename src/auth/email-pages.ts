import { escapeHtml, page } from './pages.js';

/** The pages of email verification and password reset (plain forms, no scripts, as the other sign-in pages). */

const errorBox = (error?: string) =>
  error ? `<p class="error" role="alert" id="form-error">${escapeHtml(error)}</p>` : '';
const describedBy = (error?: string) => (error ? ' aria-describedby="form-error"' : '');
const hidden = (name: string, value: string) =>
  `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;

export const VERIFY_PATH = '/o/verify';
export const RESEND_PATH = '/o/verify/resend';
export const FORGOT_PATH = '/o/password/forgot';
export const RESET_PATH = '/o/password/reset';

/**
 * The form that mails a new verification link: for the account that just tried to sign in (its email known), or
 * with an email field (the page of a dead link).
 */
export function resendForm(email?: string): string {
  const field = email
    ? hidden('email', email)
    : `<label for="resend-email">Email</label>
  <input id="resend-email" name="email" type="email" autocomplete="email" required>`;
  return `<form method="post" action="${RESEND_PATH}">
  ${field}
  <button type="submit">Send a new confirmation link</button>
</form>`;
}

/** The link's landing page: a button, so that a mail scanner following links does not use the token. */
export function confirmEmailPage(token: string): string {
  return page(
    'Confirm your email',
    `<p>Confirm that this email address is yours to finish creating your account.</p>
<form method="post" action="${VERIFY_PATH}">${hidden('token', token)}
  <button type="submit">Confirm my email</button>
</form>`,
  );
}

export function deadEmailLinkPage(what: 'confirmation' | 'reset'): string {
  return page(
    'This link no longer works',
    `<p class="error" role="alert">The ${what} link has expired or was already used.</p>
${what === 'confirmation' ? `<p>Ask for a new one:</p>\n${resendForm()}` : `<p><a href="${FORGOT_PATH}">Ask for a new reset link</a></p>`}`,
  );
}

export function forgotPasswordPage(opts: { email?: string; error?: string } = {}): string {
  return page(
    'Forgot your password?',
    `${errorBox(opts.error)}
<p>Enter the email of your account: we will send it a link to choose a new password.</p>
<form method="post" action="${FORGOT_PATH}"${describedBy(opts.error)}>
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" required autofocus value="${escapeHtml(opts.email ?? '')}">
  <button type="submit">Send the reset link</button>
</form>`,
  );
}

export function resetPasswordPage(opts: { token: string; error?: string }): string {
  return page(
    'Choose a new password',
    `${errorBox(opts.error)}
<form method="post" action="${RESET_PATH}"${describedBy(opts.error)}>${hidden('token', opts.token)}
  <label for="password">New password (8+ characters, a letter and a digit)</label>
  <input id="password" name="password" type="password" autocomplete="new-password" required minlength="8" autofocus>
  <button type="submit">Set the new password</button>
</form>
<p>Setting it signs you out on every device and app.</p>`,
  );
}
