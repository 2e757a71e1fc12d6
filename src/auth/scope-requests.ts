import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { parseScope, parseScopes, scopeCovers } from '../policy/token-scopes.js';
import { registeredResourceScope } from './registration.js';
import { FIRST_PARTY_DEFAULT_SCOPES, resourceScopesOf } from './scopes.js';

/**
 * How the provider takes requested scopes. Any well-formed SMART v2 resource scope may be requested; the
 * resource server accepts those of the request (and, at the token endpoint, of the code or token redeemed),
 * the user grants them (or fewer), and the token carries what was granted.
 */

/**
 * Whether a client may be granted a scope: a self-registered client only within the scopes it registered (read
 * ones: registration-policy.ts); any other client any well-formed one. Scopes beyond are not accepted (the
 * provider leaves them out of the request), never widened.
 */
function withinRegistration(client: unknown) {
  const registered = registeredResourceScope(client);
  if (registered === undefined) return () => true;
  const ceilings = parseScopes(registered);
  const literal = new Set(registered.split(' '));
  return (scope: string) => {
    const rule = parseScope(scope);
    return rule === null ? literal.has(scope) : ceilings.some((ceiling) => scopeCovers(ceiling, rule));
  };
}

/** The resource scopes the gateway accepts in this request: the well-formed ones it names (within the client's). */
export function acceptedResourceScopes(ctx: KoaContextWithOIDC): string {
  const { params, entities } = ctx.oidc;
  const named = [
    params?.scope,
    entities.AuthorizationCode?.scope,
    entities.RefreshToken?.scope,
    entities.DeviceCode?.scope,
  ].flatMap((scope) => resourceScopesOf(typeof scope === 'string' ? scope : undefined));
  return [...new Set(named)].filter(withinRegistration(ctx.oidc.client)).join(' ');
}

/**
 * SMART's `aud` authorization parameter, checked when given (it must name this FHIR server), and the place
 * where a first-party client that asks for no resource scope gets its documented defaults (a self-registered
 * client: the resource scopes it registered). Runs on the authorization and device authorization endpoints,
 * after the provider's own scope checks.
 */
export function audienceParameter(fhirBase: string, resource: string) {
  return async (ctx: KoaContextWithOIDC, value: unknown) => {
    if (value !== undefined && value !== fhirBase && value !== resource) {
      throw new errors.InvalidRequest(`aud must be this server's FHIR base URL, ${fhirBase}`);
    }
    const defaults =
      FIRST_PARTY_DEFAULT_SCOPES[ctx.oidc.client?.clientId ?? ''] ?? registeredResourceScope(ctx.oidc.client);
    const scope = ctx.oidc.params?.scope as string | undefined;
    if (defaults && resourceScopesOf(scope).length === 0) ctx.oidc.params!.scope = `${scope ?? ''} ${defaults}`.trim();
  };
}
