import {
  ForeignKeyConstraintViolationException,
  NotNullConstraintViolationException,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ConflictError, InvalidError } from '../errors.js';

/**
 * Runs `work` in one transaction and turns constraint violations the database catches (a race past the
 * service's own checks) into typed errors. Nothing is written unless all of it is.
 */
export async function inTransaction<T>(
  em: EntityManager,
  work: (em: EntityManager) => Promise<T>,
  conflictMessage = 'This would duplicate an existing record',
): Promise<T> {
  try {
    return await em.transactional(work);
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw new ConflictError(conflictMessage);
    if (error instanceof ForeignKeyConstraintViolationException) {
      throw new ConflictError('A referenced record is missing or still in use');
    }
    if (error instanceof NotNullConstraintViolationException) throw new InvalidError('A required value is missing');
    throw error;
  }
}

/**
 * Runs SQL with `?` placeholders as a parameterized statement in `em`'s transaction, if any. MikroORM's own
 * `execute` inlines the parameters into the SQL text, which for a bulk write means escaping a megabyte of
 * JSON into another megabyte of SQL; bind parameters travel as they are.
 */
export async function bulkStatement<T>(em: EntityManager, sql: string, params: readonly string[]): Promise<T[]> {
  const query = em
    .getConnection()
    .getKnex()
    .raw(sql, [...params]);
  const trx = em.getTransactionContext();
  if (trx) query.transacting(trx);
  const result = (await query) as { rows: T[] };
  return result.rows;
}
