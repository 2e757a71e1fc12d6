import type { Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import type { IncludedResource, SearchPage } from './bundle.js';
import { runGraphQL } from './execute.js';
import { FhirError } from './outcome.js';
import { parseCount, parsePage, parseTotal } from './search-params.js';
import { parseSubsetting, subset } from './subsetting.js';

interface Connection<N> {
  totalCount?: number;
  nodes: N[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * Runs one search page through a GraphQL connection field: `_count`, keyset `_cursor` (what our next links
 * carry), JupyterHealth's `_page` (walked page by page with the same keyset, never counting, and at most
 * `maxPageSkip` rows far), `_summary`, `_elements`, `_total`; and the page's `_include`s, read from the whole
 * matches before they are subsetted.
 */
export async function searchPage<N, R extends { resourceType: string }>(opts: {
  resourceType: string;
  schema: GraphQLSchema;
  context: GraphQLContext;
  params: Map<string, string[]>;
  /** a query with $first, $after, $total (plus `variables`) selecting `connection { totalCount @include(if: $total) nodes {…} pageInfo {…} }` */
  query: string;
  variables: Record<string, unknown>;
  connection: (data: never) => Connection<N>;
  toResource: (node: N) => R;
  selfQuery: URLSearchParams;
  /** FHIR_MAX_PAGE_SKIP */
  maxPageSkip: number;
  /** the resources the page's matches `_include` (read as the viewer, once per page) */
  include?: (matches: R[]) => Promise<IncludedResource[]>;
}): Promise<SearchPage<R>> {
  const one = (name: string) => opts.params.get(name)?.[0];
  const subsetting = parseSubsetting(opts.resourceType, one('_summary'), one('_elements'));
  const summaryCount = subsetting.kind === 'count';
  const count = summaryCount ? 0 : parseCount(one('_count'));
  const totalMode = parseTotal(one('_total'));
  const counted = summaryCount || totalMode === 'accurate';
  const firstPage = one('_cursor') === undefined && one('_page') === undefined;
  const page = parsePage(one('_page'), count, opts.maxPageSkip);
  let after = one('_cursor') ?? null;
  const run = async (first: number, total = counted) => {
    try {
      return opts.connection(
        await runGraphQL<never>(opts.schema, opts.context, opts.query, { ...opts.variables, first, after, total }),
      );
    } catch (error) {
      // bad input to a search is a bad request (400); 422 is for resources that fail validation
      if (error instanceof FhirError && error.status === 422) {
        throw new FhirError(400, 'invalid', error.message, error.expression);
      }
      throw error;
    }
  };

  // keyset cursors only go forward (GraphQL has no `before`): a previous page has a name only as `_page`
  let previousQuery: URLSearchParams | null = null;
  if (page > 1) {
    previousQuery = new URLSearchParams(opts.selfQuery);
    previousQuery.set('_page', String(page - 1));
  }

  // _page=N: skip N-1 pages through the keyset (our own next links carry _cursor instead), uncounted
  for (let skipped = 1; skipped < page && count > 0; skipped++) {
    const passed = await run(count, false);
    if (!passed.pageInfo.hasNextPage) {
      return { resources: [], total: counted ? (await run(0)).totalCount : undefined, nextQuery: null, previousQuery };
    }
    after = passed.pageInfo.endCursor;
  }
  const connection = await run(count);
  let nextQuery: URLSearchParams | null = null;
  if (connection.pageInfo.hasNextPage && connection.pageInfo.endCursor && count > 0) {
    nextQuery = new URLSearchParams(opts.selfQuery);
    nextQuery.delete('_page');
    nextQuery.set('_cursor', connection.pageInfo.endCursor);
    nextQuery.set('_count', String(count));
  }
  const wholeResult = totalMode === 'default' && firstPage && !connection.pageInfo.hasNextPage;
  const total = counted ? connection.totalCount : wholeResult ? connection.nodes.length : undefined;
  const matches = connection.nodes.map(opts.toResource);
  const included = opts.include && matches.length > 0 ? await opts.include(matches) : [];
  const resources = matches.map((match) => subset(match, subsetting));
  return { resources, included, total, nextQuery, previousQuery };
}

/**
 * A search answered by one short list read whole (an `_id` read, a patient's studies): paged in memory by `_count`
 * and `_page` (its next and previous links name pages; there is no keyset to carry), with `_summary`,
 * `_elements` and `_include` as on a keyset search, and every match counted.
 */
export async function listPage<R extends { resourceType: string }>(opts: {
  resourceType: string;
  params: Map<string, string[]>;
  selfQuery: URLSearchParams;
  matches: R[];
  include?: (matches: R[]) => Promise<IncludedResource[]>;
}): Promise<SearchPage<R>> {
  const { params, matches } = opts;
  const one = (name: string) => params.get(name)?.[0];
  const subsetting = parseSubsetting(opts.resourceType, one('_summary'), one('_elements'));
  if (subsetting.kind === 'count') return { resources: [], total: matches.length, nextQuery: null };
  if (one('_cursor') !== undefined) {
    throw new FhirError(400, 'invalid', '_cursor: this search pages with _page (see its next link)', '_cursor');
  }
  const count = parseCount(one('_count'));
  const page = parsePage(one('_page'), count, Number.MAX_SAFE_INTEGER);
  const start = (page - 1) * count;
  const onPage = matches.slice(start, start + count);
  const pageLink = (n: number) => {
    const link = new URLSearchParams(opts.selfQuery);
    link.set('_page', String(n));
    return link;
  };
  const included = opts.include && onPage.length > 0 ? await opts.include(onPage) : [];
  return {
    resources: onPage.map((m) => subset(m, subsetting)),
    included,
    total: matches.length,
    nextQuery: count > 0 && start + count < matches.length ? pageLink(page + 1) : null,
    previousQuery: page > 1 ? pageLink(page - 1) : null,
  };
}

/** A search's parameters and the query string of its self link. */
export interface SearchInput {
  query: Record<string, unknown>;
  selfQuery: URLSearchParams;
}

/**
 * The parameters of `GET [type]?…`, or of `POST [type]/_search` with a form body: the URL's and the body's
 * together, as if all had been in the URL (FHIR search, 3.2.1.3); the self link carries them all as a GET.
 */
export function searchInput(req: Request): SearchInput {
  // no prototype: a body's `__proto__` is a parameter like any other (and refused as unknown)
  const query: Record<string, unknown> = Object.assign(Object.create(null), req.query);
  const selfQuery = new URLSearchParams(req.url.split('?')[1] ?? '');
  if (req.method === 'POST') {
    const body = (req.body ?? {}) as Record<string, string | string[]>;
    for (const [name, value] of Object.entries(body)) {
      const values = Array.isArray(value) ? value : [value];
      for (const one of values) selfQuery.append(name, one);
      query[name] = name in query ? [query[name], ...values].flat() : value;
    }
  }
  return { query, selfQuery };
}
