import type { Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { onlyMatch, searchsetBundle } from './bundle.js';
import { runGraphQL } from './execute.js';
import { unlessStatus } from './outcome.js';
import { searchPage } from './search.js';
import { parseId, readParams } from './search-params.js';

const FIELDS = 'id name type partOf { id }';
const SEARCH = `query ($partOfId: ID, $first: Int, $after: String, $total: Boolean!) {
  visibleOrganizations(partOfId: $partOfId, first: $first, after: $after) {
    totalCount @include(if: $total) nodes { ${FIELDS} } pageInfo { hasNextPage endCursor }
  }
}`;
const READ = `query ($id: ID!) { organization(id: $id) { ${FIELDS} } }`;

interface OrganizationNode {
  id: string;
  name: string;
  type: string;
  partOf: { id: string } | null;
}

const ORGANIZATION_TYPE = 'http://terminology.hl7.org/CodeSystem/organization-type';
/** OrganizationType's values as the CodeSystem's displays; LABORATORY is not in it and goes as text only. */
const DISPLAY: Record<string, string> = {
  PROV: 'Healthcare Provider',
  DEPT: 'Hospital Department',
  TEAM: 'Organizational team',
  GOVT: 'Government',
  INS: 'Insurance Company',
  PAY: 'Payer',
  EDU: 'Educational Institute',
  RELI: 'Religious Institution',
  CRS: 'Clinical Research Sponsor',
  CG: 'Community Group',
  BUS: 'Non-Healthcare Business or Corporation',
  OTHER: 'Other',
};

function toFhirOrganization(o: OrganizationNode) {
  const display = DISPLAY[o.type];
  return {
    resourceType: 'Organization' as const,
    id: o.id,
    active: true,
    type: [
      display
        ? { coding: [{ system: ORGANIZATION_TYPE, code: o.type.toLowerCase(), display }], text: display }
        : { text: 'Laboratory' },
    ],
    name: o.name,
    // the parent only when the viewer may see it (GraphQL answers null otherwise)
    ...(o.partOf ? { partOf: { reference: `Organization/${o.partOf.id}` } } : {}),
  };
}

/** GET /Organization: `_id`, `partof` (direct children), paged. */
export async function searchOrganizations(
  req: Request,
  schema: GraphQLSchema,
  context: GraphQLContext,
  baseUrl: string,
  maxPageSkip: number,
) {
  const params = readParams('Organization', req.query);
  const selfQuery = new URLSearchParams(req.url.split('?')[1] ?? '');
  const id = params.get('_id')?.[0];
  const partOf = params.get('partof')?.[0];
  const partOfId = partOf === undefined ? null : parseId('partof', partOf, 'Organization');
  if (id !== undefined) {
    const found = await unlessStatus(404, readOrganization(parseId('_id', id, 'Organization'), schema, context));
    const matches = found && (partOfId === null || found.partOf?.reference === `Organization/${partOfId}`);
    return searchsetBundle(baseUrl, 'Organization', selfQuery, onlyMatch(matches && found));
  }
  const page = await searchPage({
    resourceType: 'Organization',
    schema,
    context,
    params,
    query: SEARCH,
    variables: { partOfId },
    connection: (data: { visibleOrganizations: never }) => data.visibleOrganizations,
    toResource: toFhirOrganization,
    selfQuery,
    maxPageSkip,
  });
  return searchsetBundle(baseUrl, 'Organization', selfQuery, page);
}

/** GET /Organization/:id */
export async function readOrganization(id: string, schema: GraphQLSchema, context: GraphQLContext) {
  const data = await runGraphQL<{ organization: OrganizationNode }>(schema, context, READ, { id: parseId('id', id) });
  return toFhirOrganization(data.organization);
}
