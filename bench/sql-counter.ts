import { stripVTControlCharacters } from 'node:util';
import type { Options } from '@mikro-orm/postgresql';

export type SqlCounter = ReturnType<typeof sqlCounter>;

/** Counts the SQL statements MikroORM sends, through its query logger (for the bench and the tests). */
export function sqlCounter() {
  let count = 0;
  const options: Partial<Options> = {
    debug: ['query'],
    colors: false,
    logger: (message: string) => {
      // MikroORM colours its log lines whenever the environment forces colours (vitest does), `colors` or not
      if (stripVTControlCharacters(message).startsWith('[query]')) count++;
    },
  };
  return {
    options,
    reset: () => {
      count = 0;
    },
    get count() {
      return count;
    },
  };
}
