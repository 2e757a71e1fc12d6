import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { GraphQLSchema } from 'graphql';
import { authenticatedContext, type FaceDependencies } from '../graphql/context.js';
import { DATABASE_TIMEOUT_MESSAGE, isDatabaseTimeout } from '../src/db/statement-timeout.js';
import { DomainError } from '../src/errors.js';
import { domainToGraphQLError } from '../graphql/errors.js';
import { answerTimeoutsWith, RETRY_AFTER_SECONDS } from '../src/http/timeout.js';
import { requestLog } from '../src/observability/logger.js';
import { camelBody, snakeQuery } from './casing.js';
import { fromGraphQLError, RestError } from './errors.js';
import { Answer, ID_PARAMS, type Route } from './route.js';
import { ROUTES } from './routes/index.js';
import { swaggerUiRouter } from './swagger-ui.js';
import { checkValues, routeValidators } from './validate.js';
import { challengeFor } from '../src/auth/bearer-challenge.js';

export const REST_PATH = '/api/v1';
const MAX_BODY = '1mb';

export interface RestDependencies extends FaceDependencies {
  schema: GraphQLSchema;
}

const detail = (res: Response, status: number, message: string) => res.status(status).json({ detail: message });

/** A body is JSON or absent: anything else is DRF's 415. */
function requireJson(req: Request, _res: Response, next: NextFunction) {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (hasBody && !req.is('application/json')) {
    throw new RestError(
      415,
      `Unsupported media type "${req.get('content-type') ?? ''}" in request: send application/json`,
    );
  }
  next();
}

/**
 * `/api/v1`: the JupyterHealth-compatible Admin REST API. Each route validates its input, then runs GraphQL
 * operations as the request's viewer (rest-api/routes), so the one policy decides access; it holds no SQL and
 * decides nothing itself. Answers are DRF's: camelCase JSON, `{count, next, previous, results}` pages and
 * `{"detail": …}` errors.
 */
export function createRestApi(deps: RestDependencies): Router {
  const api = Router();
  api.use(REST_PATH, createRestRouter(deps));
  // where JupyterHealth serves its OpenAPI document
  api.get(['/api/schema', '/api/schema/'], (_req, res) => void res.redirect(302, `${REST_PATH}/schema`));
  return api;
}

function createRestRouter(deps: RestDependencies): Router {
  const router = Router();
  router.use(answerTimeoutsWith((res, message) => void detail(res, 503, message)));
  router.use('/schema/swagger-ui', swaggerUiRouter(`${REST_PATH}/schema`));
  router.use(requireJson, express.json({ limit: MAX_BODY }));
  for (const route of ROUTES) router[route.method](route.path, handler(route, deps));
  router.all('/{*rest}', (req) => {
    throw new RestError(404, `No such endpoint: ${req.method} ${REST_PATH}${req.path}`);
  });
  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const rest = toRestError(error, req);
    if (rest.status === 503) res.set('retry-after', String(RETRY_AFTER_SECONDS));
    if (rest.status === 401) res.set('www-authenticate', challengeFor(deps.config.publicUrl, req, rest.message));
    detail(res, rest.status, rest.message);
  });
  return router;
}

function handler(route: Route, deps: RestDependencies) {
  const validators = routeValidators(route);
  return async (req: Request, res: Response) => {
    for (const [name, value] of Object.entries(req.params)) {
      if (ID_PARAMS.has(name) && !/^[1-9]\d{0,14}$/.test(String(value))) throw new RestError(404, 'Not found.');
    }
    checkValues(req.query, 'query');
    checkValues(req.body, 'body');
    const query = snakeQuery(req.query);
    if (Object.values(query).some((v) => typeof v !== 'string')) {
      throw new RestError(400, 'Each query parameter may be given once, as a plain value');
    }
    const body = camelBody(req.body);
    validators.query(query);
    validators.body(body);
    const context = route.public ? undefined : await authenticatedContext(req, deps, 'rest');
    const answer = await route.handle({
      params: req.params as Record<string, string>,
      query: query as Record<string, string>,
      body,
      url: new URL(req.originalUrl, deps.config.publicUrl),
      context: context!,
      schema: deps.schema,
      config: deps.config,
    });
    if (answer === undefined) res.status(204).end();
    else if (answer instanceof Answer) res.status(answer.status).json(answer.body);
    else res.status(route.status ?? 200).json(answer);
  };
}

function toRestError(error: unknown, req: Request): RestError {
  if (error instanceof RestError) return error;
  if (isDatabaseTimeout(error)) return new RestError(503, DATABASE_TIMEOUT_MESSAGE);
  if (error instanceof DomainError) return fromGraphQLError(domainToGraphQLError(error).toJSON());
  const { type, status } = (error ?? {}) as { type?: string; status?: number };
  if (type === 'entity.too.large') return new RestError(413, `The request body is larger than ${MAX_BODY}`);
  if (type === 'entity.parse.failed') return new RestError(400, 'JSON parse error: the request body is not valid JSON');
  if (status && status >= 400 && status < 500) return new RestError(status, 'Bad request');
  requestLog(req).error({ err: error }, 'REST API error');
  return new RestError(500, 'Internal server error');
}
