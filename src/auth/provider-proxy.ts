import type { NextFunction, Request, Response } from 'express';

/**
 * oidc-provider runs on koa, whose `proxy` flag believes X-Forwarded-For/-Proto/-Host from any peer (its
 * secure cookies and device-flow records follow them). The provider keeps the flag on, mounted behind Express,
 * which decides by TRUST_PROXY whom to believe: this replaces those headers with Express's conclusions (the
 * client's address, the protocol, the host), so koa sees what Express does, and a header forged by a peer that is
 * not a trusted proxy counts for nothing in either.
 */
export function forwardedAsTrusted(req: Request, _res: Response, next: NextFunction) {
  const { ip, protocol, host } = req;
  const set = (name: string, value: string | undefined) => {
    if (value) req.headers[name] = value;
    else delete req.headers[name];
  };
  set('x-forwarded-for', ip);
  set('x-forwarded-proto', protocol);
  set('x-forwarded-host', host);
  next();
}
