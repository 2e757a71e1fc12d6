import { timingSafeEqual } from 'node:crypto';
import express, { Router } from 'express';
import type { Orm } from '../db/orm.js';
import { DomainError } from '../errors.js';
import { createPractitionerAccount } from '../services/users.js';
import { messagePage, signupPage } from './pages.js';
import type { Throttle } from './throttle.js';
import type { User } from '../db/entities/index.js';
import { type EmailDeps, sendVerification } from './email-verification.js';

const FIELDS = ['inviteCode', 'firstName', 'lastName', 'email', 'password'] as const;

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Self sign-up for practitioners, gated by REGISTRATION_INVITE_CODE (off when it is unset); wrong codes are
 * throttled per address, so that the code cannot be guessed. The new account signs in once its owner opens the
 * confirmation link mailed to it.
 */
export function signupRouter(
  orm: Orm,
  inviteCode: string | undefined,
  portalUrl: string,
  throttle: Throttle<'address'>,
  email: EmailDeps,
): Router {
  const router = Router();
  const action = '/o/signup';
  router.get('/', (_req, res) => {
    if (!inviteCode) {
      res.status(404).type('html').send(messagePage('Sign-up is closed', 'Ask an administrator for an account.'));
      return;
    }
    res.type('html').send(signupPage({ action }));
  });
  router.post('/', express.urlencoded({ extended: false, limit: '8kb' }), async (req, res) => {
    if (!inviteCode) {
      res.status(404).type('html').send(messagePage('Sign-up is closed', 'Ask an administrator for an account.'));
      return;
    }
    const values = Object.fromEntries(
      FIELDS.map((name) => [name, typeof req.body?.[name] === 'string' ? String(req.body[name]).slice(0, 512) : '']),
    ) as Record<(typeof FIELDS)[number], string>;
    const again = (status: number, error: string) =>
      res
        .status(status)
        .type('html')
        .send(signupPage({ action, values: { ...values, password: '' }, error }));
    const address = req.ip ?? 'unknown';
    const attempt = await throttle.attempt({ address });
    if (attempt.at === null) {
      res.set('retry-after', String(attempt.wait));
      again(429, `Too many wrong invitation codes. Try again in ${Math.ceil(attempt.wait / 60)} minute(s).`);
      return;
    }
    if (!sameSecret(values.inviteCode.trim(), inviteCode)) {
      // already counted by the attempt
      again(403, 'The invitation code is not valid.');
      return;
    }
    await throttle.succeeded({ address }, attempt.at);
    let user: User;
    try {
      user = await createPractitionerAccount(
        orm.em.fork(),
        { email: values.email, password: values.password, firstName: values.firstName, lastName: values.lastName },
        { emailVerified: false },
      );
    } catch (error) {
      if (error instanceof DomainError) {
        again(error.code === 'CONFLICT' ? 409 : 400, error.message);
        return;
      }
      throw error;
    }
    await sendVerification(email, user);
    res
      .status(201)
      .type('html')
      .send(
        messagePage(
          'Check your email',
          `Your practitioner account is created. We sent a link to ${user.email}: open it to confirm your address, then sign in.`,
          { href: portalUrl, text: 'Sign in' },
        ),
      );
  });
  return router;
}
