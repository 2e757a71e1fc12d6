import { stripVTControlCharacters } from 'node:util';
import type { Options } from '@mikro-orm/postgresql';

export type SqlCounter = ReturnType<typeof sqlCounter>;

/**
 * Counts the SQL statements MikroORM sends, through its query logger (for the bench and the tests). The audit
 * trail's batched INSERTs are not counted: they belong to no request, and land whenever the writer's timer fires.
 */
export function sqlCounter() {
  let statements: string[] = [];
  const options: Partial<Options> = {
    debug: ['query'],
    colors: false,
    logger: (message: string) => {
      // MikroORM colours its log lines whenever the environment forces colours (vitest does), `colors` or not
      const line = stripVTControlCharacters(message);
      if (line.startsWith('[query]') && !line.includes('insert into audit_events')) statements.push(line);
    },
  };
  return {
    options,
    reset: () => {
      statements = [];
    },
    get count() {
      return statements.length;
    },
    /** the log lines of the statements since the last reset */
    get statements(): readonly string[] {
      return statements;
    },
  };
}
