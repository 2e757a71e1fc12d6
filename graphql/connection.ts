import { type Page, pageSize } from '../src/services/paging.js';
import type { ConnectionValue } from './types/paging.js';

/** Shapes a service page as a GraphQL connection; edges and `count` are made only if the client selects them. */
export function toConnection<T extends { id: number }>(
  page: Page<T>,
  count: () => Promise<number>,
): ConnectionValue<T> & { edges: { node: T; cursor: string }[] } {
  return {
    nodes: page.nodes,
    get edges() {
      return page.nodes.map((node) => ({ node, cursor: page.cursorOf(node) }));
    },
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    get totalCount() {
      return count();
    },
  };
}

/**
 * A list nested under another row: its first page comes from a batched loader (one query for all parents);
 * later pages (`after`) from the service, one parent at a time. The page is read only if the client selects
 * nodes, edges or pageInfo: a portal asking for `totalCount` alone reads no rows.
 */
export function nestedConnection<T extends { id: number }>(
  args: { first?: number | null; after?: string | null },
  sources: {
    firstPage: (first: number) => Promise<Page<T>>;
    page: () => Promise<Page<T>>;
    count: () => Promise<number>;
  },
) {
  const first = pageSize(args.first);
  let loaded: Promise<ReturnType<typeof toConnection<T>>> | undefined;
  const connection = () =>
    (loaded ??= (args.after ? sources.page() : sources.firstPage(first)).then((page) =>
      toConnection(page, sources.count),
    ));
  return {
    get nodes() {
      return connection().then((c) => c.nodes);
    },
    get edges() {
      return connection().then((c) => c.edges);
    },
    get pageInfo() {
      return connection().then((c) => c.pageInfo);
    },
    get totalCount() {
      return sources.count();
    },
  };
}
