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
