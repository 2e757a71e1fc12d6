/** searchset Bundles: `total`, `self`/`next`/`previous` links, `entry` always present (even empty), `fullUrl` on each. */
export interface SearchPage<R> {
  resources: R[];
  total: number | undefined;
  /** query string for the next page, or null on the last page */
  nextQuery: URLSearchParams | null;
  /** query string for the page before, where there is one to name (`_page` > 1) */
  previousQuery?: URLSearchParams | null;
  /** what the matches `_include`, each once (`search.mode: include`) */
  included?: IncludedResource[];
}

export interface IncludedResource {
  resourceType: string;
  id: string;
}

/** The one-page answer of an `_id` search: the resource read, if it matches the search's other parameters. */
export const onlyMatch = <R>(found: R | undefined | false | null): SearchPage<R> => ({
  resources: found ? [found] : [],
  total: found ? 1 : 0,
  nextQuery: null,
});

export function searchsetBundle<R extends { resourceType: string; id: string }>(
  baseUrl: string,
  resourceType: string,
  selfQuery: URLSearchParams,
  page: SearchPage<R>,
) {
  const link = [{ relation: 'self', url: `${baseUrl}/${resourceType}${query(selfQuery)}` }];
  if (page.nextQuery) link.push({ relation: 'next', url: `${baseUrl}/${resourceType}${query(page.nextQuery)}` });
  if (page.previousQuery) {
    link.push({ relation: 'previous', url: `${baseUrl}/${resourceType}${query(page.previousQuery)}` });
  }
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(page.total === undefined ? {} : { total: page.total }),
    link,
    entry: [
      ...page.resources.map((resource) => entry(baseUrl, resource, 'match')),
      ...(page.included ?? []).map((resource) => entry(baseUrl, resource, 'include')),
    ],
  };
}

const entry = (baseUrl: string, resource: IncludedResource, mode: 'match' | 'include') => ({
  fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}`,
  resource,
  search: { mode },
});

const query = (params: URLSearchParams) => {
  const text = params.toString();
  return text ? `?${text}` : '';
};
