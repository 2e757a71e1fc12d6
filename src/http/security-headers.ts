import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { PAGE_STYLE } from '../auth/pages.js';
import { OIDC_MOUNT_PATH } from '../auth/provider.js';

type Directives = Record<string, string[] | null>;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * The Content-Security-Policy of the portal and the APIs: everything from the gateway's own origin, no
 * inline script or style, no plugins, never framed. The portal is a Vite build (hashed files under /assets,
 * no inline code), so it needs nothing more.
 */
export function siteDirectives(https: boolean): Directives {
  return {
    'default-src': ["'self'"],
    'base-uri': ["'self'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'"],
    'img-src': ["'self'"],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
    'object-src': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    'upgrade-insecure-requests': https ? [] : null,
  };
}

/**
 * The provider's pages under /o (sign-in, consent, sign-up, device codes, errors) differ in two ways:
 * - their one inline `<style>` block is allowed by its hash;
 * - no `form-action`: after the login or consent form is posted, the provider redirects to the client's
 *   redirect URI, on any origin (a SMART app, a notebook's loopback port), and Chromium holds such redirects
 *   to the form's `form-action`. oidc-provider's form_post response mode likewise posts to the client.
 * oidc-provider adds the hash of the inline script of its form_post page to `script-src` itself.
 */
export function providerDirectives(https: boolean): Directives {
  const site = siteDirectives(https);
  return { ...site, 'style-src': [...site['style-src']!, sha256(PAGE_STYLE)], 'form-action': null };
}

/**
 * Swagger UI (the Admin REST API's explorer, /api/v1/schema/swagger-ui/) sets styles inline and draws its icons as
 * `data:` SVG: allowed on that documentation page alone, which shows no data of anyone's. Scripts stay 'self'.
 */
export function apiExplorerDirectives(https: boolean): Directives {
  const site = siteDirectives(https);
  return { ...site, 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] };
}

export const API_EXPLORER_PATH = '/api/v1/schema/swagger-ui';

function helmetOptions(directives: Directives, https: boolean): HelmetOptions {
  return {
    contentSecurityPolicy: { useDefaults: false, directives },
    // invitation codes and authorization codes travel in URLs: no Referer to anyone
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: https ? { maxAge: 365 * 86400, includeSubDomains: false } : false,
  };
}

/**
 * helmet's headers on every answer (nosniff, Referrer-Policy, frame-ancestors, HSTS when PUBLIC_URL is
 * https, Cross-Origin-Resource-Policy same-origin, …), with the CSP above. Under /o the opener policy is
 * left out too: apps may open the sign-in in a popup and need `window.opener` when it comes back.
 */
export function securityHeaders(publicUrl: string): RequestHandler {
  const https = new URL(publicUrl).protocol === 'https:';
  const site = helmet(helmetOptions(siteDirectives(https), https));
  const provider = helmet({
    ...helmetOptions(providerDirectives(https), https),
    crossOriginOpenerPolicy: false,
  });
  const explorer = helmet(helmetOptions(apiExplorerDirectives(https), https));
  const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
  return (req, res, next) =>
    (under(req.path, OIDC_MOUNT_PATH) ? provider : under(req.path, API_EXPLORER_PATH) ? explorer : site)(
      req,
      res,
      next,
    );
}
