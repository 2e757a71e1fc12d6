import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Whether Debian's nginx is installed (`apt-get install nginx`). */
export function nginxInstalled(): boolean {
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface LoadBalancer {
  url: string;
  /** the header that pins a request to one upstream by its name; without it, requests take turns */
  pinHeader: string;
  stop(): Promise<void>;
}

/**
 * nginx as a load balancer on 127.0.0.1:`port` in front of `upstreams` (name → host:port), with a config, a
 * prefix and a pid file of its own in a temporary directory (no system service, nothing on port 80). Requests take
 * turns unless pinned (`X-Test-Upstream: <name>`); each answer says which upstream served it (`X-Upstream`).
 * It forwards the client's address and protocol as a proxy in front of a gateway does.
 */
export async function startNginx(port: number, upstreams: Record<string, string>): Promise<LoadBalancer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hxg-nginx-'));
  const group = (name: string, servers: string[]) =>
    `upstream ${name} { ${servers.map((s) => `server ${s} max_fails=1 fail_timeout=60s;`).join(' ')} }`;
  const config = `
daemon off;
worker_processes 1;
${process.getuid?.() === 0 ? 'user root;' : ''}
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  ${group('all_gateways', Object.values(upstreams))}
  ${Object.entries(upstreams)
    .map(([name, server]) => group(`gateway_${name}`, [server]))
    .join('\n  ')}
  map $http_x_test_upstream $gateway {
    ${Object.keys(upstreams)
      .map((name) => `${name} gateway_${name};`)
      .join(' ')}
    default all_gateways;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 30m;
    location / {
      proxy_pass http://$gateway;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Test-Upstream "";
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`;
  const file = path.join(dir, 'nginx.conf');
  writeFileSync(file, config);
  const child: ChildProcess = spawn('nginx', ['-c', file, '-p', dir, '-e', `${dir}/error.log`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await untilListening(port, exited, () => output);
  return {
    url: `http://127.0.0.1:${port}`,
    pinHeader: 'x-test-upstream',
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once `port` accepts connections; rejects if the process exits first, or after 10 s. */
async function untilListening(port: number, exited: Promise<void>, output: () => string) {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (gone) throw new Error(`nginx exited before listening:\n${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nginx is not listening on ${port}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
