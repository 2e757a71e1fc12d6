import express, { type Response, Router } from 'express';
import { User } from '../db/entities/index.js';
import type { Orm } from '../db/orm.js';
import { deliverLater } from '../mail/delivery.js';
import { passwordResetMessage } from '../mail/messages.js';
import { findUserByEmail } from '../services/users.js';
import { inTransaction } from '../services/persist.js';
import { revokeAccountArtifacts } from './account-revocation.js';
import { deadEmailLinkPage, forgotPasswordPage, RESET_PATH, resetPasswordPage } from './email-pages.js';
import { emailTokenUser, issueEmailToken, useEmailToken } from './email-tokens.js';
import type { EmailDeps } from './email-verification.js';
import { formField } from './form-fields.js';
import { hashPassword, passwordPolicy } from './password.js';
import { messagePage } from './pages.js';
import { loginThrottle, Throttle } from './throttle.js';

/** Reset requests: 3 per account (email) and 10 per client address in 15 minutes. */
export const resetThrottle = (orm: Orm) =>
  new Throttle<'account' | 'address'>(orm, 'password-reset', { account: 3, address: 10 });

const REQUESTED =
  'If an account uses this email, a link to choose a new password is on its way. It may take a few minutes.';

/**
 * /o/password: "forgot password" (asks for the email and answers the same whether or not an account has it) and
 * the reset link's page, which sets the new password (sign-up's rules), confirms the address (the link reached
 * it), and revokes the account's sessions, grants and refresh tokens.
 */
export function passwordResetRouter(deps: EmailDeps, throttle = resetThrottle(deps.orm)): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });
  const { orm, config, mailer, log } = deps;
  router.use((_req, res, next) => {
    res.set('cache-control', 'no-store');
    next();
  });
  const page = (res: Response, status: number, html: string) => res.status(status).type('html').send(html);

  router.get('/forgot', (_req, res) => page(res, 200, forgotPasswordPage()));

  router.post('/forgot', form, async (req, res) => {
    const email = formField(req.body, 'email').trim().toLowerCase();
    if (!email) return page(res, 400, forgotPasswordPage({ error: 'Enter the email of your account.' }));
    const attempt = await throttle.attempt({ account: email, address: req.ip ?? 'unknown' });
    if (attempt.at === null) {
      res.set('retry-after', String(attempt.wait));
      const error = `Too many reset requests. Try again in ${Math.ceil(attempt.wait / 60)} minute(s).`;
      return page(res, 429, forgotPasswordPage({ email, error }));
    }
    const em = orm.em.fork();
    const user = await findUserByEmail(em, email);
    // accounts without a password (patients invited to their app) have none to reset
    if (user?.passwordHash) {
      const ttlMinutes = config.mail.passwordResetTtlMinutes;
      const token = await issueEmailToken(em, user.id, 'reset-password', ttlMinutes * 60);
      const link = `${config.publicUrl}${RESET_PATH}?token=${token}`;
      const message = { to: user.email, name: user.firstName, link, ttlMinutes, siteUrl: config.publicUrl };
      deliverLater(mailer, passwordResetMessage(message), log);
    }
    return page(res, 200, messagePage('Check your email', REQUESTED));
  });

  router.get('/reset', async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const userId = await emailTokenUser(orm.em.fork(), token, 'reset-password');
    if (userId === null) return page(res, 400, deadEmailLinkPage('reset'));
    return page(res, 200, resetPasswordPage({ token }));
  });

  router.post('/reset', form, async (req, res) => {
    const token = formField(req.body, 'token');
    const password = formField(req.body, 'password');
    const checked = passwordPolicy.safeParse(password);
    if (!checked.success) {
      const error = `The password ${checked.error.issues[0]?.message ?? 'is not valid'}.`;
      return page(res, 400, resetPasswordPage({ token, error }));
    }
    // a dead token costs no password hash
    if ((await emailTokenUser(orm.em.fork(), token, 'reset-password')) === null) {
      return page(res, 400, deadEmailLinkPage('reset'));
    }
    const passwordHash = await hashPassword(password);
    const user = await inTransaction(orm.em.fork(), async (em) => {
      const owner = await useEmailToken(em, token, 'reset-password');
      if (owner === null) return null;
      await em.nativeUpdate(User, { id: owner }, { passwordHash });
      await em.nativeUpdate(User, { id: owner, emailVerifiedAt: null }, { emailVerifiedAt: new Date() });
      await revokeAccountArtifacts(em, owner);
      return em.findOneOrFail(User, owner);
    });
    if (user === null) return page(res, 400, deadEmailLinkPage('reset'));
    // the failed sign-ins that may have led here no longer block the new password
    await loginThrottle(orm).forget({ account: user.email.toLowerCase() });
    log.info({ userId: user.id }, 'password reset: sessions, grants and refresh tokens revoked');
    return page(
      res,
      200,
      messagePage('Password changed', 'Your new password is set; you were signed out everywhere.', {
        href: `${config.publicUrl}/`,
        text: 'Sign in',
      }),
    );
  });
  return router;
}
