import { type Express, Router } from 'express';
import { createFhirRouter, FHIR_PATH } from './fhir-facade/router.js';
import { buildExecutableSchema } from './graphql/schema.js';
import { createGraphQLRouter } from './graphql/server.js';
import { createRestApi } from './rest-api/router.js';
import { type Auth, createAuth } from './src/auth/index.js';
import type { Config } from './src/config.js';
import type { Orm } from './src/db/orm.js';
import { createApp } from './src/http/app.js';

/**
 * The composition root: the core (src/), its OAuth provider, and the API faces that sit on top of it
 * (graphql/, fhir-facade/, rest-api/). It lives outside src/ because the core must not import its faces.
 */
export async function createGateway(config: Config, orm: Orm): Promise<{ app: Express; auth: Auth }> {
  const auth = await createAuth(config, orm);
  const schema = await buildExecutableSchema();
  const graphql = await createGraphQLRouter({
    schema,
    orm,
    verifyToken: auth.verifyToken,
    provider: auth.provider,
    config,
    limits: config.graphql,
  });
  const faceDeps = { schema, orm, verifyToken: auth.verifyToken, provider: auth.provider, config };
  const fhir = Router().use(FHIR_PATH, createFhirRouter(faceDeps));
  const rest = createRestApi(faceDeps);
  const app = createApp({
    orm,
    auth,
    apis: [graphql, fhir, rest],
    clientDir: config.clientDir,
    publicUrl: config.publicUrl,
    corsOrigins: config.corsOrigins,
    requestTimeoutMs: config.timeouts.requestMs,
    trustProxy: config.trustProxy,
  });
  return { app, auth };
}
