import { encodeCursor, type Page } from '../src/services/paging.js';
import type { ConnectionValue } from './types/paging.js';

/** Shapes a service page as a GraphQL connection; `count` runs only if the client selects totalCount. */
export function toConnection<T extends { id: number }>(
  page: Page<T>,
  count: () => Promise<number>,
): ConnectionValue<T> & { edges: { node: T; cursor: string }[] } {
  return {
    nodes: page.nodes,
    edges: page.nodes.map((node) => ({ node, cursor: encodeCursor(node.id) })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    get totalCount() {
      return count();
    },
  };
}
