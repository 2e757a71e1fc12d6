import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

const MAIN = path.resolve('dist/main.js');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  /** stdout and stderr as written, interleaved */
  output: () => string;
  /** stdout alone (the log lines; libraries' own warnings go to stderr) */
  stdout: () => string;
  /** resolves when a line matching `pattern` appears in the output */
  waitFor(pattern: RegExp): Promise<string>;
  /** resolves with the exit code once the process ends by itself */
  exited: Promise<number | null>;
  /** sends the signal and resolves with the exit code */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs the built server (`npm run build` output, as `npm start` does) with extra environment (and without the
 * `unset` variables of the test's own); `cwd`: a copy of the project whose `dist/main.js` runs there; `prefix`: a
 * command that runs it (e.g. `ip netns exec <name>`), which must exec it, so that a signal to the child reaches
 * the server.
 */
export function startServer(
  env: Record<string, string>,
  { cwd, unset = [], prefix = [] }: { cwd?: string; unset?: string[]; prefix?: string[] } = {},
): ServerProcess {
  const main = cwd ? path.join(cwd, 'dist', 'main.js') : MAIN;
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build (npm test does it first)`);
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !unset.includes(name)));
  const [command, ...args] = [...prefix, process.execPath, main];
  const child = spawn(command!, args, {
    cwd,
    // the tests read the server's start-up lines (the test runner itself sets LOG_LEVEL=silent)
    env: { ...inherited, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let stdout = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const waiter of [...waiters]) {
      const match = waiter.pattern.exec(text);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match[0]);
      }
    }
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    onData(chunk);
  });
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => text,
    stdout: () => stdout,
    waitFor(pattern) {
      const match = pattern.exec(text);
      if (match) return Promise.resolve(match[0]);
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        void exited.then((code) => reject(new Error(`server exited (${code}) before ${pattern}:\n${text}`)));
      });
    },
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
