import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

export interface GatewayProcesses {
  base: string;
  workers: number;
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
 * The gateway as `npm start` runs it (dist/main.js, 64 MB young generation), with `workers` HTTP workers on
 * the bench's database: the load generator then never shares an event loop with the server it measures.
 */
export async function startGatewayProcesses(opts: {
  databaseUrl: string;
  dataDir: string;
  workers: number;
}): Promise<GatewayProcesses> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, ['--max-semi-space-size=64', 'dist/main.js'], {
    env: {
      ...process.env,
      DATABASE_URL: opts.databaseUrl,
      DATA_DIR: opts.dataDir,
      PORT: String(port),
      PUBLIC_URL: base,
      SEED: 'none',
      WEB_CONCURRENCY: String(opts.workers),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if ((output.match(/listening on/g) ?? []).length >= opts.workers) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`gateway exited (${code}):\n${output}`)));
  });
  return {
    base,
    workers: opts.workers,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
