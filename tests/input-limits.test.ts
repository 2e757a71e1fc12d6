import { describe, expect, it } from 'vitest';
import { describeValueIssue, findValueIssue } from '../src/input-limits.js';
import { fromDatabaseError } from '../src/db/database-errors.js';
import { ConflictError, InvalidError, NotFoundError, UnavailableError } from '../src/errors.js';

const LIMITS = { maxDepth: 4, maxString: 10 };

describe('findValueIssue', () => {
  it('finds the first NUL, lone surrogate or over-long string, in values and keys, with its path', () => {
    expect(findValueIssue({ a: ['ok', { b: 'x\u0000' }] }, LIMITS)).toEqual({ path: ['a', 1, 'b'], problem: 'nul' });
    expect(findValueIssue({ ['k\u0000']: 1 }, LIMITS)).toEqual({ path: ['k\u0000'], problem: 'nul' });
    expect(findValueIssue(['\ud800'], LIMITS)).toEqual({ path: [0], problem: 'surrogate' });
    expect(findValueIssue({ first: 'x'.repeat(11), second: '\u0000' }, LIMITS)).toEqual({
      path: ['first'],
      problem: 'long',
      limit: 10,
    });
    expect(findValueIssue({ emoji: '😀', n: 1, t: true, none: null }, LIMITS)).toBeUndefined();
  });

  it('measures nesting without recursion: a million levels are refused, not a stack overflow', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    const issue = findValueIssue(deep, LIMITS)!;
    expect(issue).toMatchObject({ problem: 'deep', limit: 4, path: [0, 0, 0, 0] });
    expect(describeValueIssue(issue)).toBe('is nested more than 4 levels deep');
    expect(findValueIssue([[[['four']]]], LIMITS)).toBeUndefined();
  });
});

describe('fromDatabaseError', () => {
  const pg = (code: string, message = 'from pg') => Object.assign(new Error(message), { code });

  it('maps refused values, constraints and lost connections to typed errors, through wrappers', () => {
    expect(fromDatabaseError(pg('22021'))).toBeInstanceOf(InvalidError);
    expect(fromDatabaseError(pg('22001'))?.message).toBe('A text is longer than its field allows');
    expect(fromDatabaseError(pg('22999'))).toBeInstanceOf(InvalidError);
    expect(fromDatabaseError(pg('23505'))).toBeInstanceOf(ConflictError);
    expect(fromDatabaseError(pg('ECONNREFUSED'))).toBeInstanceOf(UnavailableError);
    expect(fromDatabaseError(pg('57P01'))).toBeInstanceOf(UnavailableError);
    expect(fromDatabaseError(new Error('Connection terminated unexpectedly'))).toBeInstanceOf(UnavailableError);
    expect(fromDatabaseError(new Error('Connection ended unexpectedly'))).toBeInstanceOf(UnavailableError);
    const knex = new Error("insert into t (a) values ('Connection terminated') - Connection terminated unexpectedly");
    expect(fromDatabaseError(knex)).toBeInstanceOf(UnavailableError);
    expect(fromDatabaseError(new Error("insert into t (a) values ('Connection terminated')"))).toBeUndefined();
    expect(fromDatabaseError({ originalError: { cause: pg('08006') } })).toBeInstanceOf(UnavailableError);
    expect(fromDatabaseError(new AggregateError([pg('ECONNREFUSED')]))).toBeInstanceOf(UnavailableError);
    const known = new NotFoundError('Patient', 1);
    expect(fromDatabaseError(known)).toBe(known);
    expect(fromDatabaseError(new TypeError('a bug'))).toBeUndefined();
    expect(fromDatabaseError(pg('57014'))).toBeUndefined(); // a statement timeout: statement-timeout.ts's
  });
});
