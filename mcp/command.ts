import { Command } from 'commander';
import { runStdioServer } from './stdio.js';

/** `hxg mcp`: the MCP server on stdin/stdout for desktop clients, talking to a gateway's /mcp. */
export function mcpCommand(): Command {
  return new Command('mcp')
    .description(
      "MCP server on stdio for desktop clients (Claude Desktop, IDEs): forwards to the gateway's /mcp as you. " +
        'Token from HXG_TOKEN, else the device flow (instructions on stderr).',
    )
    .option('--url <url>', 'the gateway (default: HXG_URL, else PUBLIC_URL, else http://localhost:8000)')
    .option('--scope <scope>', 'scopes to ask for in the device flow', 'openid offline_access user/*.rs')
    .action(async (opts: { url?: string; scope: string }) => {
      const url = (opts.url ?? process.env.HXG_URL ?? process.env.PUBLIC_URL ?? 'http://localhost:8000').replace(
        /\/+$/,
        '',
      );
      await runStdioServer({
        url,
        token: process.env.HXG_TOKEN || undefined,
        scope: opts.scope,
        say: (line) => console.error(`[hxg mcp] ${line}`),
      });
    });
}
