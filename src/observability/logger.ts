import type { IncomingMessage } from 'node:http';
import { type DestinationStream, type Logger, pino } from 'pino';
import { type Config, LOG_LEVELS, type LogLevel } from '../config.js';
import { compactFormat } from './compact-format.js';
import { serializeError } from './error-serializer.js';

export type { Logger } from 'pino';

/** What is never written, wherever a caller put it: credentials and the health data itself. */
export const SECRET_KEYS = [
  'authorization',
  'cookie',
  'password',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'client_assertion',
  'code_verifier',
  'omh',
  'valueAttachment',
] as const;

/**
 * pino's redaction paths for SECRET_KEYS, at the top of a line, one level down, and in `headers` one level down
 * (`req.headers.authorization`). The request log itself carries no headers, query strings or bodies: this is
 * the second line against secrets and health data in a log.
 */
export const REDACTED = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.headers.${key}`]),
  '*.headers["set-cookie"]',
];

/**
 * A logger writing JSON lines (LOG_FORMAT=json) or compact readable lines (pretty), at LOG_LEVEL.
 * `destination` replaces stdout (tests read the lines).
 */
export function createLogger(options: Config['logging'], destination?: DestinationStream): Logger {
  return pino(
    {
      name: 'hxg',
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError, error: serializeError },
      redact: { paths: REDACTED, censor: '[redacted]' },
    },
    destination ?? (options.format === 'pretty' ? compactFormat() : pino.destination(1)),
  );
}

let root: Logger | undefined;

/** LOG_LEVEL and LOG_FORMAT as the configuration reads them, for what logs before it is loaded (or is invalid). */
function loggingFromEnv(env = process.env): Config['logging'] {
  const level = LOG_LEVELS.find((l) => l === env.LOG_LEVEL) ?? ('info' satisfies LogLevel);
  const readable = env.NODE_ENV !== 'production' && Boolean(process.stdout.isTTY);
  const format = env.LOG_FORMAT === 'pretty' || (env.LOG_FORMAT !== 'json' && readable) ? 'pretty' : 'json';
  return { level, format };
}

/** The process's logger: as `configureLogging` set it, else from LOG_LEVEL and LOG_FORMAT. */
export function logger(): Logger {
  root ??= createLogger(loggingFromEnv());
  return root;
}

/**
 * Sets the process's logger (main.ts, from the configuration; tests, to read the lines), with `bindings` on
 * every line (a cluster worker's `worker`).
 */
export function configureLogging(
  options: Config['logging'],
  { destination, bindings }: { destination?: DestinationStream; bindings?: Record<string, unknown> } = {},
): Logger {
  const created = createLogger(options, destination);
  root = bindings ? created.child(bindings) : created;
  return root;
}

/** The logger of a request (its lines carry `reqId`), or the process's for a request that has none. */
export function requestLog(req: IncomingMessage): Logger {
  return (req as { log?: Logger }).log ?? logger();
}
