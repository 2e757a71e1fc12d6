import { ConflictError, DomainError, InvalidError, UnavailableError } from '../errors.js';

/**
 * Database errors as the typed errors every face answers (4xx, or 503 with Retry-After), so that no database
 * failure is answered as a 500. Statement timeouts are statement-timeout.ts's (their own message and code).
 * Edges refuse bad values first (NUL characters, texts over their column's length, nesting); this is the line
 * behind them, for whatever they do not foresee.
 */

/** SQLSTATEs of data PostgreSQL refuses to store or compare, with what to tell the client */
const DATA_ERRORS: Record<string, string> = {
  '22001': 'A text is longer than its field allows',
  '22003': 'A number is out of range',
  '22007': 'A date or time is not valid',
  '22008': 'A date or time is out of range',
  '22021': 'A text holds a character that cannot be stored (such as NUL, \\u0000)',
  '22P02': 'A value is not valid for its field',
  '22P05': 'A text holds a character that cannot be stored (such as NUL, \\u0000)',
  '23502': 'A required value is missing',
  '23514': 'A value is not allowed for its field',
  '54000': 'A value is too large or too deeply nested',
  '54001': 'A value is too deeply nested',
};

/** Node's codes for a socket that cannot reach, or lost, the database server */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
/** how pg says a connection is gone when it gives no code (knex puts the statement before it, then " - ") */
const CONNECTION_MESSAGE =
  /(^|\s-\s)(Connection terminated|Connection ended unexpectedly|Client has encountered a connection error)/;

/**
 * The typed error for a database failure, or undefined if `error` is not one. MikroORM and pg keep the driver's
 * `code` (SQLSTATE or Node's errno code); GraphQL and others wrap errors (`originalError`, `cause`).
 */
export function fromDatabaseError(error: unknown): DomainError | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (e instanceof DomainError) return e;
    const { code, message, name } = e as { code?: unknown; message?: unknown; name?: unknown };
    const text = typeof message === 'string' ? message : '';
    if (typeof code === 'string') {
      if (code in DATA_ERRORS) return new InvalidError(DATA_ERRORS[code]!);
      if (code.startsWith('22')) return new InvalidError('A value is not valid for its field');
      if (code === '23505' || code === '23503') return new ConflictError('This conflicts with an existing record');
      if (code.startsWith('40')) return new UnavailableError('The request conflicted with another one; try again');
      // connection exceptions, too many connections, the server shutting down or starting up
      if (code.startsWith('08') || code === '53300' || code.startsWith('57P') || NETWORK_CODES.has(code)) {
        return new UnavailableError();
      }
    }
    if (name === 'ConnectionException' || CONNECTION_MESSAGE.test(text)) return new UnavailableError();
    const inner = (e as { cause?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
    // an AggregateError (a host with several addresses, all refused) holds its reasons in `errors`
    e = inner ?? (e as { errors?: unknown[] }).errors?.[0];
  }
  return undefined;
}
