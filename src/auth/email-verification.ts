import express, { Router } from 'express';
import type { Config } from '../config.js';
import { User } from '../db/entities/index.js';
import type { Orm } from '../db/orm.js';
import { deliverLater } from '../mail/delivery.js';
import type { Mailer } from '../mail/mailer.js';
import { verificationMessage } from '../mail/messages.js';
import type { Logger } from '../observability/logger.js';
import { findUserByEmail } from '../services/users.js';
import { confirmEmailPage, deadEmailLinkPage, VERIFY_PATH } from './email-pages.js';
import { issueEmailToken, emailTokenUser, useEmailToken } from './email-tokens.js';
import { formField } from './form-fields.js';
import { messagePage } from './pages.js';
import { Throttle } from './throttle.js';

export interface EmailDeps {
  orm: Orm;
  mailer: Mailer | null;
  config: Config;
  log: Logger;
}

/** Requests for a new confirmation link: 3 per address (email) and 10 per client address in 15 minutes. */
export const resendThrottle = (orm: Orm) =>
  new Throttle<'account' | 'address'>(orm, 'verify-resend', { account: 3, address: 10 });

/** Mails a sign-up's confirmation link (a new token; the user's earlier ones stop working). */
export async function sendVerification({ orm, mailer, config, log }: EmailDeps, user: User): Promise<void> {
  const { verificationTtlHours } = config.mail;
  const token = await issueEmailToken(orm.em.fork(), user.id, 'verify-email', verificationTtlHours * 3600);
  deliverLater(
    mailer,
    verificationMessage({
      to: user.email,
      name: user.firstName,
      link: `${config.publicUrl}${VERIFY_PATH}?token=${token}`,
      ttlHours: verificationTtlHours,
      siteUrl: config.publicUrl,
    }),
    log,
  );
}

const RESENT =
  'If an account with this email is waiting for confirmation, a new link is on its way. It may take a few minutes.';

/**
 * /o/verify: the confirmation link's page (GET shows a button, POST uses the token and marks the address
 * verified) and /o/verify/resend, which answers the same whether or not such an account exists.
 */
export function verificationRouter(deps: EmailDeps, throttle = resendThrottle(deps.orm)): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });
  const portal = `${deps.config.publicUrl}/`;
  router.use((_req, res, next) => {
    res.set('cache-control', 'no-store');
    next();
  });

  router.get('/', async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const userId = await emailTokenUser(deps.orm.em.fork(), token, 'verify-email');
    if (userId === null) res.status(400).type('html').send(deadEmailLinkPage('confirmation'));
    else res.type('html').send(confirmEmailPage(token));
  });

  router.post('/', form, async (req, res) => {
    const em = deps.orm.em.fork();
    const userId = await useEmailToken(em, formField(req.body, 'token'), 'verify-email');
    if (userId === null) {
      res.status(400).type('html').send(deadEmailLinkPage('confirmation'));
      return;
    }
    await em.nativeUpdate(User, { id: userId, emailVerifiedAt: null }, { emailVerifiedAt: new Date() });
    res
      .type('html')
      .send(
        messagePage('Email confirmed', 'Your email is confirmed: you can sign in.', { href: portal, text: 'Sign in' }),
      );
  });

  router.post('/resend', form, async (req, res) => {
    const email = formField(req.body, 'email').trim().toLowerCase();
    const attempt = await throttle.attempt({ account: email, address: req.ip ?? 'unknown' });
    if (attempt.at === null) {
      res.set('retry-after', String(attempt.wait));
      res
        .status(429)
        .type('html')
        .send(messagePage('Too many requests', `Try again in ${Math.ceil(attempt.wait / 60)} minute(s).`));
      return;
    }
    const user = email ? await findUserByEmail(deps.orm.em.fork(), email) : null;
    if (user?.passwordHash && !user.emailVerifiedAt) await sendVerification(deps, user);
    res.type('html').send(messagePage('Check your email', RESENT, { href: portal, text: 'Back to sign-in' }));
  });
  return router;
}
