import type { IncomingMessage } from 'node:http';
import { type DestinationStream, type Logger, pino } from 'pino';
import { type Config, LOG_LEVELS, type LogLevel } from '../config.js';
import { compactFormat } from './compact-format.js';
import { serializeError } from './error-serializer.js';

export type { Logger } from 'pino';

/**
 * Keys never written, wherever a caller put them: the request log itself carries no headers, query strings or
 * bodies, so this is the second line against secrets and health data in a log.
 */
export const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  ...['password', 'token', 'access_token', 'refresh_token', 'id_token', 'client_secret', 'code_verifier'].flatMap(
    (key) => [key, `*.${key}`],
  ),
  'omh',
  '*.omh',
  'valueAttachment',
  '*.valueAttachment',
];

/**
 * The process's logger: JSON lines (LOG_FORMAT=json, the default in production) or compact readable lines,
 * at LOG_LEVEL. `destination` replaces stdout (tests read the lines).
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

/** The process's logger: as `configureLogging` set it, else at LOG_LEVEL (info) in the readable format. */
export function logger(): Logger {
  const level = LOG_LEVELS.find((l) => l === process.env.LOG_LEVEL) ?? ('info' satisfies LogLevel);
  root ??= createLogger({ level, format: 'pretty' });
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
