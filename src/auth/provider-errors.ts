import type Provider from 'oidc-provider';
import { requestLog } from '../observability/logger.js';
import { messagePage } from './pages.js';

type KoaMiddleware = Parameters<Provider['use']>[0];

/**
 * Errors that escape oidc-provider's own error handling (which renders `renderError`). Koa would answer them
 * with a bare "Internal Server Error" after removing every header already set (the security headers
 * included); this answers with the sign-in pages' error page instead and logs the error.
 *
 * One such error is known: posting the device code form without a session cookie (expired, or never set)
 * makes oidc-provider 9.13 try to persist a session it never saved ("persist can only be called on
 * previously persisted Sessions"). That is the client's stale page, answered as 400.
 */
export const providerErrors: KoaMiddleware = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    const staleSession = error instanceof TypeError && /previously persisted Sessions/.test(error.message);
    if (!staleSession) requestLog(ctx.req).error({ err: error }, 'OIDC provider error');
    ctx.status = staleSession ? 400 : 500;
    ctx.type = 'html';
    ctx.body = staleSession
      ? messagePage('Sign-in expired', 'This page has expired. Start again from your device.')
      : messagePage('Sign-in error', 'Something went wrong. Start again from the app.');
  }
};
