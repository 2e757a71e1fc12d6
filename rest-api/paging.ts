import { RestError } from './errors.js';

/**
 * DRF-style pages (`{count, next, previous, results}`) over the gateway's keyset connections. Clients choose a
 * page with `page` + `pageSize` (or `page_size`) or `limit` + `offset`, as JupyterHealth's do; `next` links
 * carry a keyset `cursor` (and the offset they stand at, for `previous`), so following them costs one page
 * whatever the depth. An offset asked for directly is walked to through the keyset, at most `maxSkip` rows.
 */

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 1000;

export interface PageRequest {
  size: number;
  /** rows before this page */
  offset: number;
  /** a keyset cursor from a `next` link: the page starts after it (and stands at `offset`) */
  cursor: string | null;
}

export interface Connection<T> {
  totalCount: number;
  nodes?: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** The paging query parameters, with their JSON Schema (for validation and the OpenAPI document). */
export const PAGING_PARAMS = {
  page: { type: 'string', pattern: '^[1-9][0-9]{0,8}$', description: 'page number (1-based), with page_size' },
  page_size: {
    type: 'string',
    pattern: '^[0-9]{1,9}$',
    description: `page size (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}); also pageSize`,
  },
  limit: { type: 'string', pattern: '^[0-9]{1,9}$', description: 'page size, with offset' },
  offset: { type: 'string', pattern: '^[0-9]{1,9}$', description: 'rows to skip' },
  cursor: { type: 'string', maxLength: 512, description: 'where a `next` link goes on (keyset); opaque' },
} as const;

const int = (value: string | undefined) => (value === undefined ? undefined : Number(value));

export function pageRequest(query: Record<string, string | undefined>, maxSkip: number): PageRequest {
  const size = int(query.limit) ?? int(query.page_size) ?? DEFAULT_PAGE_SIZE;
  if (size < 1 || size > MAX_PAGE_SIZE) throw new RestError(400, `The page size must be from 1 to ${MAX_PAGE_SIZE}`);
  const offset = int(query.offset) ?? ((int(query.page) ?? 1) - 1) * size;
  const cursor = query.cursor ?? null;
  if (cursor === null && offset > maxSkip) {
    throw new RestError(
      400,
      `Pages more than ${maxSkip} rows deep are reached by following the "next" links (they go on from a cursor), not by page or offset`,
    );
  }
  return { size, offset, cursor };
}

/**
 * One page: `fetch(first, after, nodes)` reads a connection (`nodes: false` when only skipping rows). Links are
 * absolute, built on `url` (the request's public URL), keeping its other parameters.
 */
export async function paginate<T, R>(
  url: URL,
  request: PageRequest,
  fetch: (first: number, after: string | null, nodes: boolean) => Promise<Connection<T>>,
  toResult: (node: T) => R,
): Promise<Page<R>> {
  let after = request.cursor;
  let beyondTheEnd = false;
  if (request.cursor === null) {
    for (let skipped = 0; skipped < request.offset && !beyondTheEnd;) {
      const step = Math.min(MAX_PAGE_SIZE, request.offset - skipped);
      const { pageInfo } = await fetch(step, after, false);
      skipped += step;
      after = pageInfo.endCursor;
      beyondTheEnd = !pageInfo.hasNextPage;
    }
  }
  // past the last row: an empty page, with the count
  const connection = await fetch(beyondTheEnd ? 0 : request.size, beyondTheEnd ? null : after, true);
  const link = (params: Record<string, string | null>) => {
    const target = new URL(url);
    for (const name of ['page', 'pageSize', 'page_size', 'limit', 'offset', 'cursor']) target.searchParams.delete(name);
    target.searchParams.set('limit', String(request.size));
    for (const [name, value] of Object.entries(params)) if (value !== null) target.searchParams.set(name, value);
    return target.toString();
  };
  const { hasNextPage, endCursor } = beyondTheEnd ? { hasNextPage: false, endCursor: null } : connection.pageInfo;
  return {
    count: connection.totalCount,
    next: hasNextPage && endCursor ? link({ cursor: endCursor, offset: String(request.offset + request.size) }) : null,
    previous: request.offset > 0 ? link({ offset: String(Math.max(0, request.offset - request.size)) }) : null,
    results: (connection.nodes ?? []).map(toResult),
  };
}
