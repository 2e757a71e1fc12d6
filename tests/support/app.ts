import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Options } from '@mikro-orm/postgresql';
import { createGateway } from '../../server.js';
import type { AuditSink } from '../../src/audit/writer.js';
import type { Auth } from '../../src/auth/index.js';
import { type Config, loadConfig } from '../../src/config.js';
import { statementTimeoutOptions } from '../../src/db/statement-timeout.js';
import { createHttpServer } from '../../src/http/http-server.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { freePort } from './server-process.js';

export interface TestApp {
  baseUrl: string;
  config: Config;
  db: TestDatabase;
  auth: Auth;
  /** the audit trail's writer: `await app.audit.flush()` before reading audit_events */
  audit: AuditSink;
  close(): Promise<void>;
}

/**
 * The real app (OIDC provider, APIs) over real HTTP on a free port, on its own seeded database, with the
 * server's timeouts as `npm start` sets them. `route` gives the URL the app reaches its database at (a proxy's).
 */
export async function startTestApp(
  env: Record<string, string> = {},
  ormOptions: Partial<Options> = {},
  opts: { route?: (databaseUrl: string) => string } = {},
): Promise<TestApp> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hxg-app-test-'));
  chmodSync(dataDir, 0o755);
  const config = loadConfig({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    ...env,
  });
  const db = await createTestDatabase(
    'seeded',
    { ...statementTimeoutOptions(config.timeouts.statementMs), ...ormOptions },
    opts.route,
  );
  const gateway = await createGateway(config, db.orm);
  const { app, auth } = gateway;
  const server: Server = await new Promise((resolve) => {
    const s = createHttpServer(app, config.timeouts).listen(port, '127.0.0.1', () => resolve(s));
  });
  return {
    baseUrl: config.publicUrl,
    config,
    db,
    auth,
    audit: gateway.audit,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await gateway.close();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
