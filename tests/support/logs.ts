import { configureLogging } from '../../src/observability/logger.js';

export interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

export interface CollectedLogs {
  /** every line so far, parsed */
  readonly lines: LogLine[];
  /** the lines written after `mark` (a length of `lines` taken earlier) */
  since(mark: number): LogLine[];
  /** the text as written, to look for what must not be there */
  text(): string;
}

/**
 * Sends the process's log lines (JSON, from debug up) here from now on. Call it before startTestApp: the app's
 * request logger is the process's logger as it is when the app is made.
 */
export function collectLogs(): CollectedLogs {
  const raw: string[] = [];
  const lines: LogLine[] = [];
  configureLogging(
    { level: 'debug', format: 'json' },
    {
      destination: {
        write(line: string) {
          raw.push(line);
          lines.push(JSON.parse(line) as LogLine);
        },
      },
    },
  );
  return { lines, since: (mark) => lines.slice(mark), text: () => raw.join('') };
}

/** A request's own log line (the one pino-http writes once it is answered). */
export const isRequestLine = (line: LogLine) => typeof line.ms === 'number' && 'status' in line;
