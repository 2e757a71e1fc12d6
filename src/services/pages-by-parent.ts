import type { EntityClass, EntityDictionary } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SqlCondition } from '../policy/scope.js';
import { type Page, toPage } from './paging.js';

/**
 * The first page of children for many parents in one statement (a window per parent), so that a list of
 * parents with their children's first pages costs one query, not one per parent. `from` names the child
 * table as `c` and may join the link table; `parent` is the column holding the parent id.
 */
export async function firstPagesByParent<T extends { id: number }>(
  em: EntityManager,
  opts: {
    from: string;
    parent: string;
    parentIds: readonly number[];
    first: number;
    scope: SqlCondition;
    /** the child's select list, `c.*` unless given */
    columns?: string;
    /** the children's order within a parent, `c.id` unless given, and the cursor of a child in it */
    orderBy?: string;
    cursorOf?: (node: T) => string;
  } & ({ entity: EntityClass<T> } | { toNode: (row: Record<string, unknown>) => T }),
): Promise<Map<number, Page<T>>> {
  const pages = new Map<number, Page<T>>();
  if (opts.parentIds.length === 0) return pages;
  const rows = await em.getConnection().execute<(Record<string, unknown> & { parent_id: number })[]>(
    `select * from (
       select ${opts.columns ?? 'c.*'}, ${opts.parent} as parent_id,
              row_number() over (partition by ${opts.parent} order by ${opts.orderBy ?? 'c.id'}) as page_row
         from ${opts.from}
        where ${opts.parent} in (${opts.parentIds.map(() => '?').join(', ')}) and ${opts.scope.sql}
     ) ranked where page_row <= ? order by parent_id, page_row`,
    [...opts.parentIds, ...opts.scope.params, opts.first + 1],
  );
  const toNode =
    'toNode' in opts ? opts.toNode : (row: Record<string, unknown>) => em.map(opts.entity, row as EntityDictionary<T>);
  const byParent = new Map<number, T[]>();
  for (const { parent_id, page_row: _row, ...columns } of rows) {
    const list = byParent.get(parent_id) ?? [];
    list.push(toNode(columns));
    byParent.set(parent_id, list);
  }
  for (const id of opts.parentIds) pages.set(id, toPage(byParent.get(id) ?? [], opts.first, opts.cursorOf));
  return pages;
}

/** How many visible children each parent has, in one statement. */
export async function countsByParent(
  em: EntityManager,
  opts: { from: string; parent: string; parentIds: readonly number[]; scope: SqlCondition },
): Promise<Map<number, number>> {
  if (opts.parentIds.length === 0) return new Map();
  const rows = await em.getConnection().execute<{ parent_id: number; n: string }[]>(
    `select ${opts.parent} as parent_id, count(*) as n from ${opts.from}
      where ${opts.parent} in (${opts.parentIds.map(() => '?').join(', ')}) and ${opts.scope.sql}
      group by ${opts.parent}`,
    [...opts.parentIds, ...opts.scope.params],
  );
  return new Map(opts.parentIds.map((id) => [id, Number(rows.find((r) => r.parent_id === id)?.n ?? 0)]));
}
