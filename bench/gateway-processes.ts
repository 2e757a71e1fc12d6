import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export interface GatewayProcesses {
  base: string;
  workers: number;
  /** the primary's process id: with one worker, the process that serves */
  pid: number;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

/**
 * Production settings for the measured gateway (NODE_ENV=production, as deployed; graphql-js, for one,
 * drops its development checks): the signing key of the bench's in-process gateway, so one token works on
 * both, and PKCE secrets made for this run.
 */
function productionEnv(dataDir: string) {
  const secrets = JSON.parse(readFileSync(path.join(dataDir, 'oidc-secrets.json'), 'utf8')) as {
    signingKey: object;
    cookieKeys: string[];
  };
  const verifier = randomBytes(32).toString('base64url');
  return {
    NODE_ENV: 'production',
    OIDC_PRIVATE_KEY: JSON.stringify(secrets.signingKey),
    OIDC_COOKIE_KEYS: secrets.cookieKeys.join(','),
    PATIENT_AUTHORIZATION_CODE_VERIFIER: verifier,
    PATIENT_AUTHORIZATION_CODE_CHALLENGE: createHash('sha256').update(verifier).digest('base64url'),
  };
}

/**
 * The gateway as `npm start` runs it in production (dist/main.js, 64 MB young generation), with `workers` HTTP
 * workers on the bench's database: the clients then never share an event loop with the server they measure.
 */
export async function startGatewayProcesses(opts: {
  databaseUrl: string;
  dataDir: string;
  workers: number;
  /** the checkout whose `dist/main.js` runs (an A/B of two builds); this one by default */
  checkout?: string;
  /** false: without NODE_ENV=production (the audit trail's on/off comparison, whose `off` production refuses) */
  production?: boolean;
  /** more environment, e.g. AUDIT_BENCH_DISABLE */
  env?: Record<string, string>;
}): Promise<GatewayProcesses> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, ['--max-semi-space-size=64', 'dist/main.js'], {
    cwd: opts.checkout,
    env: {
      ...process.env,
      ...productionEnv(opts.dataDir),
      ...(opts.production === false ? { NODE_ENV: 'development' } : {}),
      ...opts.env,
      DATABASE_URL: opts.databaseUrl,
      DATA_DIR: opts.dataDir,
      PORT: String(port),
      PUBLIC_URL: base,
      PUBLIC_URL_ALLOW_HTTP: 'true', // loopback, no TLS to measure
      SEED: 'none',
      WEB_CONCURRENCY: String(opts.workers),
      // as deployed, and its start-up lines are read below
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      // the gateway logs a line per request: keep the tail only, for the message should it exit
      output = (output + chunk.toString()).slice(-20_000);
      if ((output.match(/listening on/g) ?? []).length >= opts.workers) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`gateway exited (${code}):\n${output}`)));
  });
  return {
    base,
    workers: opts.workers,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
