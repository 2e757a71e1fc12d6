import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface StaticSite {
  origin: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/**
 * Serves the files of `dir` on a free port of 127.0.0.1: an origin other than the gateway's, for a
 * third-party browser app. Any path that is not a file gets `index.html` (so the app's `/callback` loads it).
 */
export async function serveStatic(dir: string): Promise<StaticSite> {
  const server: Server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const file = /^\/[\w-]+\.(js|html)$/.test(pathname) ? pathname.slice(1) : 'index.html';
    try {
      const body = readFileSync(path.join(dir, file));
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)]!, 'cache-control': 'no-store' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
