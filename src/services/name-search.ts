import type { QueryBuilder } from '@mikro-orm/postgresql';

export interface NameFilter {
  /** a part of the family or the given name */
  name?: string | null;
  /** the start of the family name */
  family?: string | null;
  /** the start of the given name */
  given?: string | null;
}

/**
 * Narrows a list of people (patients, practitioners) by name, in any case: lower() on both sides, so that
 * PostgreSQL's case folding, not JavaScript's, decides what matches.
 */
export function whereNameMatches<T extends object>(
  qb: QueryBuilder<T>,
  columns: { family: string; given: string },
  filter: NameFilter,
): void {
  const { family, given } = columns;
  if (filter.name) {
    qb.andWhere(`(strpos(lower(${family}), lower(?)) > 0 or strpos(lower(${given}), lower(?)) > 0)`, [
      filter.name,
      filter.name,
    ]);
  }
  if (filter.family) qb.andWhere(`starts_with(lower(${family}), lower(?))`, [filter.family]);
  if (filter.given) qb.andWhere(`starts_with(lower(${given}), lower(?))`, [filter.given]);
}
