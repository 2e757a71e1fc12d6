/** Socket errors of a database server that is down, restarting or out of reach. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
/** SQLSTATEs of a server that is there but takes no work yet: shutting down, starting up, out of connections */
const NOT_ACCEPTING = new Set(['57P01', '57P02', '57P03', '53300']);
const MESSAGES = ['Connection terminated', 'Knex: Timeout acquiring a connection'];

/**
 * The reason the database cannot be reached (a code such as ECONNREFUSED or SQLSTATE 57P03), or undefined when
 * `error` is something else (a wrong password, a missing database, a failing migration), which waiting would
 * not cure. MikroORM copies the driver's `code` onto its exceptions; others wrap the driver's error.
 */
export function unreachableReason(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || NOT_ACCEPTING.has(code) || /^08/.test(code))) {
      return code;
    }
    if (typeof message === 'string' && MESSAGES.some((m) => message.startsWith(m))) return message.split(/[.:]/)[0];
    // AggregateError (a host name with several addresses, each refused)
    const [first] = ((e as { errors?: unknown[] }).errors ?? []) as unknown[];
    e = (e as { cause?: unknown }).cause ?? (e as { originalError?: unknown }).originalError ?? first;
  }
  return undefined;
}
