import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express, { Router } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type Provider from 'oidc-provider';
import { bearerChallenge } from '../src/auth/bearer-challenge.js';
import type { TokenVerifier } from '../src/auth/bearer.js';
import type { Config } from '../src/config.js';
import type { AuditSink } from '../src/audit/writer.js';
import type { Orm } from '../src/db/orm.js';
import { isDatabaseTimeout } from '../src/db/statement-timeout.js';
import { DomainError, UnavailableError } from '../src/errors.js';
import { requestMetadata } from '../src/http/request-metadata.js';
import { answerTimeoutsWith } from '../src/http/timeout.js';
import { type Logger, requestLog } from '../src/observability/logger.js';
import { requestFacts } from '../src/observability/request-context.js';
import type { Mailer } from '../src/mail/mailer.js';
import type { JobQueue } from '../src/jobs/queue.js';
import { apolloLogger } from './apollo-logger.js';
import { anonymousSchemaPrivacy } from './anonymous-schema.js';
import { graphqlBodyErrors, MAX_GRAPHQL_BODY } from './body-errors.js';
import { createContext, type GraphQLContext, requestViewer } from './context.js';
import { documentLimits } from './document-limits.js';
import { formatError } from './errors.js';
import { inputStringsPlugin } from './input-strings.js';
import { complexityPlugin, depthRule, type QueryLimits } from './limits.js';
import { observationPlugin } from './observation-plugin.js';
import {
  databaseTimeoutError,
  graphqlTimeoutAnswer,
  retryableError,
  SERVICE_UNAVAILABLE,
  timeoutStatusPlugin,
} from './timeouts.js';

export interface GraphQLDependencies {
  schema: GraphQLSchema;
  orm: Orm;
  verifyToken: TokenVerifier;
  provider: Provider;
  config: Config;
  limits: QueryLimits;
  /** for what Apollo Server logs itself */
  logger: Logger;
  audit: AuditSink;
  /** sends invitations by email (none: no SMTP_URL) */
  mailer?: Mailer | null;
  /** background jobs (bulk exports) */
  jobs?: JobQueue | null;
}

/** The request's audit events go to the trail once its answer is ready. */
const commitAuditEvents: ApolloServerPlugin<GraphQLContext> = {
  requestDidStart: async () => ({
    willSendResponse: async ({ contextValue }) => contextValue.audit.commit(),
  }),
};

/** `/graphql`: Apollo Server on the shielded schema; each request gets its viewer, entity manager, loaders. */
export async function createGraphQLRouter(deps: GraphQLDependencies): Promise<Router> {
  const server = new ApolloServer<GraphQLContext>({
    schema: deps.schema,
    formatError,
    // documentLimits refuses such documents first, with a clearer answer; this stays as a second line
    parseOptions: { maxTokens: deps.limits.maxTokens },
    validationRules: [depthRule(deps.limits)],
    plugins: [
      inputStringsPlugin,
      complexityPlugin(deps.schema, deps.limits),
      timeoutStatusPlugin,
      commitAuditEvents,
      observationPlugin(),
      ...(deps.config.production ? [anonymousSchemaPrivacy] : []),
    ],
    logger: apolloLogger(deps.logger),
    allowBatchedHttpRequests: false,
    introspection: true,
    csrfPrevention: true,
  });
  await server.start();
  const router = Router();
  // /graphql itself only: /graphql/anything is the app's 404, not Apollo's landing page
  router.all(
    '/graphql',
    answerTimeoutsWith(graphqlTimeoutAnswer),
    express.json({ limit: MAX_GRAPHQL_BODY }),
    documentLimits(deps.limits),
    expressMiddleware(server, {
      context: async ({ req }) => {
        const em = deps.orm.em.fork();
        try {
          const viewer = await requestViewer(req, deps.verifyToken, em);
          return createContext(
            em,
            viewer,
            { provider: deps.provider, config: deps.config, mailer: deps.mailer, jobs: deps.jobs },
            { sink: deps.audit, request: requestMetadata(req, 'graphql') },
            requestFacts(req),
          );
        } catch (error) {
          if (error instanceof DomainError && error.code === 'UNAUTHENTICATED') {
            const challenge = bearerChallenge(deps.config.publicUrl, {
              error: 'invalid_token',
              description: error.message,
            });
            throw new GraphQLError(error.message, {
              extensions: {
                code: 'UNAUTHENTICATED',
                http: { status: 401, headers: new Map([['www-authenticate', challenge]]) },
              },
            });
          }
          if (isDatabaseTimeout(error)) throw databaseTimeoutError();
          if (error instanceof UnavailableError) throw retryableError(error.message, SERVICE_UNAVAILABLE);
          if (error instanceof DomainError) throw error;
          requestLog(req).error({ err: error }, 'GraphQL context failed');
          throw error;
        }
      },
    }),
    graphqlBodyErrors,
  );
  return router;
}
