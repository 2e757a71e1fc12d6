import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { GraphQLSchema } from 'graphql';
import type Provider from 'oidc-provider';
import { authenticatedContext, type GraphQLContext } from '../graphql/context.js';
import type { AuditSink } from '../src/audit/writer.js';
import type { TokenVerifier } from '../src/auth/bearer.js';
import { smartConfiguration } from '../src/auth/smart.js';
import type { Config } from '../src/config.js';
import type { Orm } from '../src/db/orm.js';
import { DATABASE_TIMEOUT_MESSAGE, isDatabaseTimeout } from '../src/db/statement-timeout.js';
import { DomainError } from '../src/errors.js';
import { domainToGraphQLError } from '../graphql/errors.js';
import { answerTimeoutsWith, RETRY_AFTER_SECONDS } from '../src/http/timeout.js';
import { requestLog } from '../src/observability/logger.js';
import { searchAuditEvents } from './audit-events.js';
import { capabilityStatement } from './capability.js';
import { ORGANIZATION_ROLE_PATH, organizationRoleCodeSystem } from './code-systems.js';
import { FHIR_JSON, FORM, negotiate } from './content.js';
import { fhirStructureIssue } from './fhir-schema.js';
import { countInteractions } from './interactions.js';
import { readDevice, searchDevices } from './devices.js';
import { readGroup, searchGroups } from './groups.js';
import { readObservation, searchObservations } from './observations.js';
import { FhirError, fromGraphQLError, operationOutcome } from './outcome.js';
import { readOrganization, searchOrganizations } from './organizations.js';
import { readPatient, searchPatients } from './patients.js';
import { readConsent, searchConsents } from './consents.js';
import { readPractitionerRole, searchPractitionerRoles } from './practitioner-roles.js';
import { readPractitioner, searchPractitioners } from './practitioners.js';
import { readResearchStudy, searchResearchStudies } from './research-studies.js';
import { returnPreference } from './prefer.js';
import { uploadBundle, uploadObservations } from './upload/index.js';
import { addExportRoutes } from './export/routes.js';
import type { JobQueue } from '../src/jobs/queue.js';
import { challengeFor } from '../src/auth/bearer-challenge.js';

export interface FhirDependencies {
  schema: GraphQLSchema;
  orm: Orm;
  verifyToken: TokenVerifier;
  provider: Provider;
  config: Config;
  audit: AuditSink;
  /** where bulk exports are queued (Group/<id>/$export, Patient/$export) */
  jobs: JobQueue;
}

export const FHIR_PATH = '/fhir/r5';
const MAX_BODY = '25mb';

/** `/fhir/r5`: each request becomes a GraphQL operation on the same schema, as the request's viewer. */
export function createFhirRouter(deps: FhirDependencies): Router {
  fhirStructureIssue({}); // compile the R5 schema at start-up, not on the first upload
  const baseUrl = `${deps.config.publicUrl}${FHIR_PATH}`;
  const router = Router();
  const send = (res: Response, status: number, body: unknown) =>
    body === undefined ? res.status(status).end() : res.status(status).type(FHIR_JSON).send(JSON.stringify(body));

  router.use(answerTimeoutsWith((res, message) => send(res, 503, operationOutcome('timeout', message))));
  countInteractions(router);
  router.use(negotiate);
  router.get('/metadata', (_req, res) =>
    send(
      res,
      200,
      capabilityStatement(deps.config.publicUrl, {
        software: { name: 'Health Exchange Gateway', version: '0.1.0' },
        registration: deps.config.auth.clientRegistration.enabled,
      }),
    ),
  );
  // terminology, public like the CapabilityStatement that names it
  router.get(ORGANIZATION_ROLE_PATH, (_req, res) => send(res, 200, organizationRoleCodeSystem(baseUrl)));
  router.get('/.well-known/smart-configuration', (_req, res) => {
    res.json(smartConfiguration(deps.config.publicUrl, { registration: deps.config.auth.clientRegistration.enabled }));
  });

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      res.locals.context = await authenticatedContext(req, deps, 'fhir');
      next();
    } catch (error) {
      if (error instanceof DomainError && error.code === 'UNAUTHENTICATED') {
        throw new FhirError(401, 'login', error.message);
      }
      throw error;
    }
  });
  router.use(express.json({ type: ['application/json', FHIR_JSON], limit: MAX_BODY }));
  router.use(express.urlencoded({ type: FORM, extended: false, limit: MAX_BODY }));
  const ctx = (res: Response) => res.locals.context as GraphQLContext;

  const { maxPageSkip } = deps.config.fhir;
  // GET [type]?… and POST [type]/_search (a form body) are one search
  const patientSearch = async (req: Request, res: Response) =>
    send(res, 200, await searchPatients(req, deps.schema, ctx(res), baseUrl, maxPageSkip));
  const observationSearch = async (req: Request, res: Response) =>
    send(res, 200, await searchObservations(req, deps.schema, ctx(res), baseUrl, maxPageSkip));
  // before the reads: `Patient/$export` is no Patient id
  addExportRoutes(router, { schema: deps.schema, config: deps.config, queue: deps.jobs, baseUrl, context: ctx });
  router.get('/Patient', patientSearch);
  router.post('/Patient/_search', patientSearch);
  router.get('/Patient/:id', async (req, res) =>
    send(res, 200, await readPatient(String(req.params.id), deps.schema, ctx(res))),
  );
  router.get('/Practitioner', async (req, res) =>
    send(res, 200, await searchPractitioners(req, deps.schema, ctx(res), baseUrl, maxPageSkip)),
  );
  router.get('/Practitioner/:id', async (req, res) =>
    send(res, 200, await readPractitioner(String(req.params.id), deps.schema, ctx(res))),
  );
  router.get('/PractitionerRole', async (req, res) =>
    send(res, 200, await searchPractitionerRoles(req, deps.schema, ctx(res), baseUrl, maxPageSkip)),
  );
  router.get('/PractitionerRole/:id', async (req, res) =>
    send(res, 200, await readPractitionerRole(String(req.params.id), deps.schema, ctx(res), baseUrl)),
  );
  router.get('/Consent', async (req, res) =>
    send(res, 200, await searchConsents(req, deps.schema, ctx(res), baseUrl, maxPageSkip)),
  );
  router.get('/Consent/:id', async (req, res) =>
    send(res, 200, await readConsent(String(req.params.id), deps.schema, ctx(res))),
  );
  router.get('/Organization', async (req, res) =>
    send(res, 200, await searchOrganizations(req, deps.schema, ctx(res), baseUrl, maxPageSkip)),
  );
  router.get('/Organization/:id', async (req, res) =>
    send(res, 200, await readOrganization(String(req.params.id), deps.schema, ctx(res))),
  );
  router.get('/Device', async (req, res) => send(res, 200, await searchDevices(req, deps.schema, ctx(res), baseUrl)));
  router.get('/Device/:id', async (req, res) =>
    send(res, 200, await readDevice(String(req.params.id), deps.schema, ctx(res))),
  );
  router.get('/Group', async (req, res) =>
    send(res, 200, await searchGroups(req, deps.schema, ctx(res), baseUrl, maxPageSkip)),
  );
  router.get('/Group/:id', async (req, res) =>
    send(res, 200, await readGroup(String(req.params.id), deps.schema, ctx(res))),
  );
  router.get('/ResearchStudy', async (req, res) =>
    send(res, 200, await searchResearchStudies(req, deps.schema, ctx(res), baseUrl, maxPageSkip)),
  );
  router.get('/ResearchStudy/:id', async (req, res) =>
    send(res, 200, await readResearchStudy(String(req.params.id), deps.schema, ctx(res))),
  );
  router.get('/CodeSystem/:id', (req) => {
    throw new FhirError(
      404,
      'not-found',
      `No CodeSystem ${req.params.id} here; this server has ${ORGANIZATION_ROLE_PATH}`,
    );
  });
  router.get('/Observation', observationSearch);
  router.post('/Observation/_search', observationSearch);
  router.get('/AuditEvent', async (req, res) =>
    send(res, 200, await searchAuditEvents(req, deps.schema, ctx(res), baseUrl, maxPageSkip)),
  );
  router.get('/Observation/:id', async (req, res) =>
    send(res, 200, await readObservation(String(req.params.id), deps.schema, ctx(res))),
  );
  router.post('/Observation', async (req, res) => {
    const answer = returnPreference(req.get('prefer'), 'representation');
    const [outcome] = await uploadObservations(
      [{ resource: req.body, index: 0 }],
      false,
      deps.schema,
      ctx(res),
      answer,
    );
    if (outcome?.stored) {
      res.set('location', `${baseUrl}/Observation/${outcome.stored.id}`);
      res.set('last-modified', new Date(outcome.stored.lastUpdated).toUTCString());
    }
    send(res, outcome?.status ?? 500, outcome?.resource ?? outcome?.outcome);
  });
  router.post('/', async (req, res) => {
    const answer = returnPreference(req.get('prefer'), 'minimal');
    send(res, 200, await uploadBundle(req.body, deps.schema, ctx(res), baseUrl, answer));
  });

  router.all('/{*rest}', (req) => {
    const known =
      /^\/(Patient|Observation|Practitioner|PractitionerRole|Consent|ResearchStudy|CodeSystem|AuditEvent|Organization|Device|Group)(\/[^/]+)?$|^\/$/.test(
        req.path,
      );
    throw known
      ? new FhirError(405, 'not-supported', `${req.method} is not supported on ${req.path}`)
      : new FhirError(404, 'not-found', `No such resource type or endpoint: ${req.path}`);
  });

  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const fhir = toFhirError(error, req);
    if (fhir.status === 503) res.set('retry-after', String(RETRY_AFTER_SECONDS));
    if (fhir.status === 401) res.set('www-authenticate', challengeFor(deps.config.publicUrl, req, fhir.message));
    send(res, fhir.status, operationOutcome(fhir.issueType, fhir.message, fhir.expression));
  });
  return router;
}

function toFhirError(error: unknown, req: Request): FhirError {
  if (error instanceof FhirError) return error;
  const status = (error as { status?: number; type?: string }).status;
  if ((error as { type?: string }).type === 'entity.too.large') {
    return new FhirError(413, 'too-costly', `The request body is larger than ${MAX_BODY}`);
  }
  if ((error as { type?: string }).type === 'entity.parse.failed') {
    return new FhirError(400, 'structure', 'The request body is not valid JSON');
  }
  if (status && status >= 400 && status < 500) return new FhirError(status, 'invalid', (error as Error).message);
  if (isDatabaseTimeout(error)) return new FhirError(503, 'timeout', DATABASE_TIMEOUT_MESSAGE);
  if (error instanceof DomainError) return fromGraphQLError(domainToGraphQLError(error));
  requestLog(req).error({ err: error }, 'FHIR facade error');
  return new FhirError(500, 'exception', 'Internal server error');
}
