import type { NextFunction, Request, Response } from 'express';
import type Provider from 'oidc-provider';
import { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { Orm } from '../db/orm.js';
import {
  inferredApplicationType,
  registeredScope,
  redirectUrisProblem,
  registrationProblem,
  RESOURCE_SCOPE_METADATA,
} from './registration-policy.js';
import { Throttle } from './throttle.js';

type KoaMiddleware = Parameters<Provider['use']>[0];
type Metadata = Record<string, unknown>;

const HOUR = 3600 * 1000;

/** The provider's `registration` feature: open (no initial access token), no registration access token. */
export const registrationFeature = (enabled: boolean): NonNullable<Configuration['features']>['registration'] => ({
  enabled,
  initialAccessToken: false,
  // no token: no one can read, change or widen a client once it is registered (registrationManagement is off too)
  issueRegistrationAccessToken: false,
});

/**
 * The provider's `extraClientMetadata`: where a self-registered client keeps its resource scopes, and the place
 * where a registration request is checked and shaped before the provider validates it (the validator sees the
 * metadata with the provider's defaults filled in; it runs for every client the provider loads).
 */
export const clientMetadataExtension: NonNullable<Configuration['extraClientMetadata']> = {
  properties: [RESOURCE_SCOPE_METADATA],
  validator(ctx, key, value, metadata) {
    if (key !== RESOURCE_SCOPE_METADATA) return;
    if ((ctx as KoaContextWithOIDC | undefined)?.oidc?.route === 'registration') {
      shapeRegistration(ctx as KoaContextWithOIDC, metadata as Metadata);
    } else if (value !== undefined && typeof value !== 'string') {
      throw new errors.InvalidClientMetadata(`${RESOURCE_SCOPE_METADATA} must be a string`);
    }
  },
};

function shapeRegistration(ctx: KoaContextWithOIDC, metadata: Metadata) {
  const body = (ctx.oidc.body ?? {}) as Metadata;
  const problem = registrationProblem(metadata);
  if (problem) throw new errors.InvalidClientMetadata(problem);
  const redirects = redirectUrisProblem(metadata.redirect_uris);
  if (redirects) throw new errors.InvalidClientMetadata(redirects);
  const scope = registeredScope(body.scope);
  if (typeof scope === 'string') throw new errors.InvalidClientMetadata(scope);
  metadata.scope = scope.oidc;
  // whatever the body said: only what was checked here is kept
  metadata[RESOURCE_SCOPE_METADATA] = scope.resource;
  if (body.application_type === undefined) {
    metadata.application_type = inferredApplicationType(metadata.redirect_uris as string[]);
  }
}

/** The resource scopes a self-registered client may have (its ceiling); undefined for every other client. */
export const registeredResourceScope = (client: unknown): string | undefined => {
  const value = (client as Metadata | undefined)?.[RESOURCE_SCOPE_METADATA];
  return typeof value === 'string' ? value : undefined;
};

/** The registration answer names the client's whole `scope`, as it was registered (RFC 7591 §3.2.1). */
export const registrationAnswer: KoaMiddleware = async (ctx, next) => {
  await next();
  if (ctx.oidc?.route !== 'registration' || ctx.status !== 201) return;
  const body = ctx.body as Metadata;
  const resource = registeredResourceScope(body);
  body.scope = [body.scope, resource].filter(Boolean).join(' ');
  delete body[RESOURCE_SCOPE_METADATA];
};

/** Registrations per client address and hour (OAUTH_REGISTRATION_PER_HOUR), counted in PostgreSQL. */
export const registrationThrottle = (orm: Orm, perHour: number) =>
  new Throttle<'address'>(orm, 'registration', { address: perHour }, HOUR);

/**
 * In front of POST /o/reg: every registration counts against its address (behind a trusted proxy, the forwarded
 * one, as req.ip is); past the limit, 429 with Retry-After and an OAuth error body.
 */
export function throttleRegistrations(throttle: Throttle<'address'>) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const attempt = await throttle.attempt({ address: req.ip ?? 'unknown' });
    if (attempt.at !== null) return next();
    res
      .status(429)
      .set({ 'retry-after': String(attempt.wait), 'cache-control': 'no-store' })
      .json({
        error: 'temporarily_unavailable',
        error_description: `Too many client registrations from this address; try again in ${attempt.wait} seconds`,
      });
  };
}
