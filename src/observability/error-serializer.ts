import { DriverException } from '@mikro-orm/core';
import { stdSerializers } from 'pino';

/** What a log line says of a database error: no SQL, no bound values. */
export interface DatabaseErrorLog {
  type: string;
  /** the SQLSTATE, such as 23505 (unique violation) or 57014 (statement cancelled) */
  code?: string;
  message: string;
  table?: string;
  column?: string;
  constraint?: string;
  routine?: string;
  stack?: string;
}

type DatabaseError = Error &
  Partial<Record<'code' | 'table' | 'column' | 'constraint' | 'routine' | 'severity', string>>;

const SQLSTATE = /^[0-9A-Z]{5}$/;

const isDatabaseError = (e: object): e is DatabaseError =>
  e instanceof DriverException ||
  (typeof (e as DatabaseError).code === 'string' &&
    SQLSTATE.test((e as DatabaseError).code!) &&
    typeof (e as DatabaseError).severity === 'string');

/** The database error an error is or wraps (GraphQL's originalError, a cause), if any. */
function databaseErrorIn(error: unknown): DatabaseError | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (isDatabaseError(e)) return e;
    e = (e as { cause?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  }
  return undefined;
}

/**
 * The driver's own message. MikroORM inlines the bound values into the SQL it runs, and knex prefixes every
 * error's message with that SQL and " - ": the driver's message is what follows the last " - ". PostgreSQL's
 * data exceptions (SQLSTATE class 22) quote the offending value, which is masked.
 */
function driverMessage(error: DatabaseError): string {
  const at = error.message.lastIndexOf(' - ');
  const message = at >= 0 ? error.message.slice(at + 3) : error.message;
  return error.code?.startsWith('22') ? message.replace(/"[^"]*"/g, '"…"') : message;
}

/** The stack's frames only: its first line repeats the message. */
const framesOf = (stack: string | undefined) =>
  stack
    ?.split('\n')
    .filter((line) => line.trim().startsWith('at '))
    .join('\n');

export function databaseErrorLog(error: DatabaseError): DatabaseErrorLog {
  const { code, table, column, constraint, routine } = error;
  return {
    type: error.name,
    ...(code ? { code } : {}),
    message: driverMessage(error),
    ...(table ? { table } : {}),
    ...(column ? { column } : {}),
    ...(constraint ? { constraint } : {}),
    ...(routine ? { routine } : {}),
    stack: framesOf(error.stack),
  };
}

/**
 * pino's `err` serializer: a database error, or an error wrapping one, is logged as its SQLSTATE code and the
 * driver's message without the SQL, its bound values or PostgreSQL's `detail` (which repeats key values);
 * anything else as pino logs errors.
 */
export function serializeError(error: unknown): unknown {
  const database = databaseErrorIn(error);
  if (database) return databaseErrorLog(database);
  return error instanceof Error ? stdSerializers.err(error) : error;
}
