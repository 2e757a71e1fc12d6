import type { EntityManager } from '@mikro-orm/postgresql';
import type { Request } from 'express';
import type Provider from 'oidc-provider';
import { type TokenVerifier, viewerFromAuthorization } from '../src/auth/bearer.js';
import type { Config } from '../src/config.js';
import type { InvitationDeps } from '../src/auth/invitations.js';
import type { Mailer } from '../src/mail/mailer.js';
import type { JobQueue } from '../src/jobs/queue.js';
import { fromDatabaseError } from '../src/db/database-errors.js';
import type { Orm } from '../src/db/orm.js';
import { UnauthenticatedError } from '../src/errors.js';
import { requestMetadata } from '../src/http/request-metadata.js';
import { type RequestFacts, requestFacts } from '../src/observability/request-context.js';
import type { RequestMetadata } from '../src/audit/event.js';
import { type AuditSink, DISCARD } from '../src/audit/writer.js';
import type { Viewer } from '../src/policy/viewer.js';
import type { ServiceContext } from '../src/services/context.js';
import { RequestAudit } from './audit/request-audit.js';
import { createLoaders, type Loaders } from './loaders/index.js';

/** What every resolver and shield rule gets: the viewer, their scoped services, per-request loaders. */
export interface GraphQLContext {
  viewer: Viewer;
  services: ServiceContext;
  loaders: Loaders;
  auth: InvitationDeps;
  /** the HTTP request's id and token holder (src/observability/request-context.ts); absent outside HTTP */
  request?: RequestFacts;
  /** the request's audit events, committed to the trail when its operation is done */
  audit: RequestAudit;
}

export function createContext(
  em: EntityManager,
  viewer: Viewer,
  auth: InvitationDeps,
  audit: { sink: AuditSink; request?: RequestMetadata } = { sink: DISCARD },
  request?: RequestFacts,
): GraphQLContext {
  const services: ServiceContext = { em, viewer };
  return {
    viewer,
    services,
    loaders: createLoaders(services),
    auth,
    audit: new RequestAudit(audit.sink, viewer, audit.request),
    ...(request ? { request } : {}),
  };
}

export interface FaceDependencies {
  orm: Orm;
  verifyToken: TokenVerifier;
  provider: Provider;
  config: Config;
  /** where the requests' audit events go */
  audit: AuditSink;
  /** sends invitations by email (none: no SMTP_URL) */
  mailer?: Mailer | null;
  /** background jobs (bulk exports) */
  jobs?: JobQueue | null;
}

/**
 * The viewer of a request's bearer token (anonymous without one). Loading it is a request's first database read:
 * a failure there is its typed error (database-errors.ts: unreachable is UnavailableError), as every face answers
 * it; a statement timeout stays as it is, for the faces' timeout answers.
 */
export async function requestViewer(req: Request, verifyToken: TokenVerifier, em: EntityManager): Promise<Viewer> {
  try {
    return await viewerFromAuthorization(req.get('authorization'), verifyToken, em, req);
  } catch (error) {
    throw fromDatabaseError(error) ?? error;
  }
}

/**
 * The context of a request to a face that takes no anonymous callers (FHIR, REST, MCP): the bearer token's viewer on a
 * fresh entity manager. No token, or a bad one: UnauthenticatedError, which each face answers in its format.
 */
export async function authenticatedContext(req: Request, deps: FaceDependencies, face: 'fhir' | 'rest' | 'mcp') {
  const em = deps.orm.em.fork();
  const viewer = await requestViewer(req, deps.verifyToken, em);
  if (viewer.userId === null) throw new UnauthenticatedError('An access token is required (Authorization: Bearer …)');
  return createContext(
    em,
    viewer,
    { provider: deps.provider, config: deps.config, mailer: deps.mailer, jobs: deps.jobs },
    { sink: deps.audit, request: requestMetadata(req, face) },
    requestFacts(req),
  );
}
