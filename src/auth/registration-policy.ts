import { INTERACTIONS, isResourceScope, LAUNCH_PATIENT, parseScope } from '../policy/token-scopes.js';
import { applicationTypeFor } from './client-registry.js';
import { OIDC_SCOPES } from './scopes.js';

/**
 * What a client that registers itself (RFC 7591, at /o/reg) may be: public (PKCE, no secret), the authorization
 * code grant with refresh tokens, redirects to https, to loopback http or to an app's own scheme, and reading
 * only. Each check returns the reason it refuses (shown as `invalid_client_metadata`) or null.
 */

/** Where a self-registered client's metadata keeps its resource scopes (the standard `scope` holds only OpenID ones). */
export const RESOURCE_SCOPE_METADATA = 'resource_scope';

/** What a self-registered client may ask for when its registration names no `scope`. */
export const DEFAULT_REGISTERED_SCOPE = 'openid fhirUser profile email offline_access user/*.rs';

export const REGISTRABLE_GRANT_TYPES: ReadonlySet<string> = new Set(['authorization_code', 'refresh_token']);

const WRITES = INTERACTIONS.filter((letter) => letter !== 'r' && letter !== 's');
const OIDC: ReadonlySet<string> = new Set(OIDC_SCOPES);
const LOOPBACKS = new Set(['127.0.0.1', '[::1]', 'localhost']);
/** schemes that are no app's own: a browser would run, read or show them instead of handing them to an app */
const NOT_APP_SCHEMES = new Set([
  'javascript:',
  'data:',
  'file:',
  'blob:',
  'about:',
  'vbscript:',
  'ftp:',
  'ws:',
  'wss:',
]);

export interface RegisteredScope {
  /** the OpenID scopes, kept in the client's standard `scope` (the provider checks requests against it) */
  oidc: string;
  /** the SMART resource scopes, kept in RESOURCE_SCOPE_METADATA: the most its tokens may carry */
  resource: string;
}

/** Splits a registration's `scope` (default DEFAULT_REGISTERED_SCOPE), or says why it is refused. */
export function registeredScope(scope: unknown): RegisteredScope | string {
  if (scope !== undefined && typeof scope !== 'string') return 'scope must be a string of space-separated scopes';
  const requested = [...new Set((scope || DEFAULT_REGISTERED_SCOPE).split(' ').filter(Boolean))];
  const oidc: string[] = [];
  const resource: string[] = [];
  for (const item of requested) {
    if (OIDC.has(item)) oidc.push(item);
    else if (item === LAUNCH_PATIENT) resource.push(item);
    else if (!isResourceScope(item)) return `scope ${item} is not one this server grants`;
    else if (WRITES.some((letter) => parseScope(item)!.interactions.has(letter))) {
      return `scope ${item} allows changes: a client that registers itself may only read and search (r, s); ask an administrator to register a client that writes`;
    } else resource.push(item);
  }
  return { oidc: oidc.join(' '), resource: resource.join(' ') };
}

/** https anywhere, http only to a loopback address (any port), or an app's own scheme (RFC 8252). */
export function redirectUriProblem(uri: unknown): string | null {
  let url: URL;
  try {
    url = new URL(String(uri));
  } catch {
    return `${String(uri)} is not a URL`;
  }
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') {
    return LOOPBACKS.has(url.hostname) ? null : `${url.href} must use https (http only to a loopback address)`;
  }
  if (NOT_APP_SCHEMES.has(url.protocol)) return `the scheme ${url.protocol} is not allowed`;
  return null;
}

export interface RegistrationRequest {
  token_endpoint_auth_method?: unknown;
  grant_types?: unknown;
  response_types?: unknown;
  application_type?: unknown;
}

/** Why these client metadata (the provider's defaults filled in) may not be self-registered, or null. */
export function registrationProblem(metadata: RegistrationRequest): string | null {
  if (metadata.token_endpoint_auth_method !== 'none') {
    return 'only public clients (token_endpoint_auth_method "none", with PKCE) may register themselves';
  }
  const grants = Array.isArray(metadata.grant_types) ? (metadata.grant_types as unknown[]) : [];
  const grant = grants.find((g) => !REGISTRABLE_GRANT_TYPES.has(String(g)));
  if (grant !== undefined || !grants.includes('authorization_code')) {
    return 'grant_types may hold only authorization_code and refresh_token (authorization_code required)';
  }
  const responses = Array.isArray(metadata.response_types) ? (metadata.response_types as unknown[]) : [];
  if (responses.length !== 1 || responses[0] !== 'code') return 'response_types must be ["code"]';
  return null;
}

/** Why these redirect URIs may not be self-registered, or null; `redirect_uris…` (the provider answers it invalid_redirect_uri). */
export function redirectUrisProblem(redirectUris: unknown): string | null {
  const uris = Array.isArray(redirectUris) ? (redirectUris as unknown[]) : [];
  if (uris.length === 0) return 'redirect_uris must name at least one redirect URI';
  for (const uri of uris) {
    const problem = redirectUriProblem(uri);
    if (problem) return `redirect_uris: ${problem}`;
  }
  return null;
}

/**
 * The application type a registration without one gets: `native` for an app's own scheme or loopback redirects
 * only (whose loopback port may then vary, RFC 8252 §7.3), `web` for https.
 */
export function inferredApplicationType(redirectUris: readonly string[]): 'web' | 'native' {
  const loopbackOnly = redirectUris.every((uri) => {
    const url = new URL(uri);
    return url.protocol !== 'https:' && (url.protocol !== 'http:' || LOOPBACKS.has(url.hostname));
  });
  return loopbackOnly ? 'native' : (applicationTypeFor(redirectUris) ?? 'native');
}
