import path from 'node:path';

/** Everything the server reads from the environment, parsed once. */
export interface Config {
  production: boolean;
  port: number;
  publicUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPostgresPort: number;
  seed: 'demo' | 'none';
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${name} must be an integer port number, got "${raw}"`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = intFromEnv(env, 'PORT', 8000);
  const seed = env.SEED ?? 'demo';
  if (seed !== 'demo' && seed !== 'none') throw new Error(`SEED must be "demo" or "none", got "${seed}"`);
  return {
    production: env.NODE_ENV === 'production',
    port,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.DATA_DIR ?? '.data'),
    embeddedPostgresPort: intFromEnv(env, 'EMBEDDED_PG_PORT', 54329),
    seed,
  };
}
