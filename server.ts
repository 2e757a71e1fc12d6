import { type Express, Router } from 'express';
import { startExportWorker } from './fhir-facade/export/worker.js';
import { createFhirRouter, FHIR_PATH } from './fhir-facade/router.js';
import { buildExecutableSchema } from './graphql/schema.js';
import { createGraphQLRouter } from './graphql/server.js';
import { createMcpRouter } from './mcp/router.js';
import { createRestApi } from './rest-api/router.js';
import { schedulePurge } from './src/audit/purge.js';
import { type AuditSink, AuditWriter, DISCARD } from './src/audit/writer.js';
import { type Auth, createAuth } from './src/auth/index.js';
import type { Config } from './src/config.js';
import type { Orm } from './src/db/orm.js';
import { createApp } from './src/http/app.js';
import { jobQueue } from './src/jobs/queue.js';
import { createMailer } from './src/mail/mailer.js';
import { observePool } from './src/observability/db-pool-metrics.js';
import { type Logger, logger } from './src/observability/logger.js';
import { collectProcessMetrics } from './src/observability/metrics.js';
import type { Readiness } from './src/http/readiness.js';

/**
 * The composition root: the core (src/), its OAuth provider, and the API faces that sit on top of it
 * (graphql/, fhir-facade/, rest-api/, mcp/). It lives outside src/ because the core must not import its faces.
 */
export interface Gateway {
  app: Express;
  auth: Auth;
  /** the audit trail's writer: `flush()` writes what is queued (tests await it) */
  audit: AuditSink;
  /**
   * stops the background jobs (a running bulk export resumes on the next start), the retention purge, and
   * flushes the audit trail: call before closing the database
   */
  close(): Promise<void>;
}

export async function createGateway(
  config: Config,
  orm: Orm,
  options: { readiness?: Readiness; log?: Logger } = {},
): Promise<Gateway> {
  const log = options.log ?? logger();
  collectProcessMetrics();
  observePool('serving', orm);
  const mailer = createMailer(config.mail);
  const auth = await createAuth(config, orm, { mailer, log });
  const audit = config.audit.enabled ? new AuditWriter(orm, config.audit) : DISCARD;
  const purge = config.audit.enabled ? schedulePurge(orm, config.audit.retentionDays) : { stop() {} };
  const schema = await buildExecutableSchema({ audit: config.audit.enabled });
  const graphql = await createGraphQLRouter({
    schema,
    orm,
    verifyToken: auth.verifyToken,
    provider: auth.provider,
    mailer,
    config,
    limits: config.graphql,
    logger: log,
    audit,
  });
  // background jobs start once the database is migrated (main.ts marks it ready)
  const jobs = jobQueue(orm, log, options.readiness?.whenReady() ?? Promise.resolve());
  const exports = startExportWorker({ schema, orm, provider: auth.provider, config, audit, queue: jobs, log });
  const faceDeps = { schema, orm, verifyToken: auth.verifyToken, provider: auth.provider, mailer, config, audit, jobs };
  const fhir = Router().use(FHIR_PATH, createFhirRouter(faceDeps));
  const rest = createRestApi(faceDeps);
  const mcp = createMcpRouter(faceDeps);
  const app = createApp({
    orm,
    auth,
    apis: [graphql, fhir, rest, mcp],
    clientDir: config.clientDir,
    publicUrl: config.publicUrl,
    corsOrigins: config.corsOrigins,
    requestTimeoutMs: config.timeouts.requestMs,
    logger: log,
    // without a port of their own, the metrics are on the main port, behind their token
    ...(config.metrics.port === undefined && config.metrics.token ? { metricsToken: config.metrics.token } : {}),
    readiness: options.readiness,
    trustProxy: config.trustProxy,
  });
  return {
    app,
    auth,
    audit,
    async close() {
      exports.stop();
      await jobs.stop(config.timeouts.shutdownGraceMs);
      purge.stop();
      mailer?.close();
      await audit.close();
    },
  };
}
