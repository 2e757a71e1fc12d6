import type { Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { searchsetBundle } from './bundle.js';
import { runGraphQL } from './execute.js';
import { searchPage } from './search.js';
import { parseId, parseIds, parseText, readParams } from './search-params.js';

const FIELDS = 'id user { firstName lastName email }';
const READ = `query ($id: ID!) { practitioner(id: $id) { ${FIELDS} } }`;
const SEARCH = `query ($ids: [ID!], $name: String, $family: String, $given: String, $email: String, $organizationId: ID,
    $first: Int, $after: String, $total: Boolean!) {
  practitioners(ids: $ids, name: $name, family: $family, given: $given, email: $email, organizationId: $organizationId,
      first: $first, after: $after) {
    totalCount @include(if: $total) nodes { ${FIELDS} } pageInfo { hasNextPage endCursor }
  }
}`;

interface PractitionerNode {
  id: string;
  user: { firstName: string; lastName: string; email: string };
}

const toFhirPractitioner = (p: PractitionerNode) => ({
  resourceType: 'Practitioner' as const,
  id: p.id,
  active: true,
  name: [{ family: p.user.lastName, given: [p.user.firstName] }],
  telecom: [{ system: 'email', value: p.user.email }],
});

/** GET /Practitioner/:id: what a practitioner's fhirUser claim, or a PractitionerRole, points at. */
export async function readPractitioner(id: string, schema: GraphQLSchema, context: GraphQLContext) {
  const { practitioner } = await runGraphQL<{ practitioner: PractitionerNode }>(schema, context, READ, {
    id: parseId('id', id),
  });
  return toFhirPractitioner(practitioner);
}

/** GET /Practitioner: the practitioners the viewer may see; `_id`, names, `email`, their organization (reverse chain). */
export async function searchPractitioners(
  req: Request,
  schema: GraphQLSchema,
  context: GraphQLContext,
  baseUrl: string,
  maxPageSkip: number,
) {
  const params = readParams('Practitioner', req.query);
  const selfQuery = new URLSearchParams(req.url.split('?')[1] ?? '');
  const one = (name: string) => params.get(name)?.[0];
  const text = (name: string) => (one(name) === undefined ? null : parseText(name, one(name)!));
  const ids = one('_id');
  const organization = one('_has:PractitionerRole:practitioner:organization');
  const page = await searchPage({
    resourceType: 'Practitioner',
    schema,
    context,
    params,
    query: SEARCH,
    variables: {
      ids: ids === undefined ? null : parseIds('_id', ids, 'Practitioner'),
      name: text('name'),
      family: text('family'),
      given: text('given'),
      email: text('email'),
      organizationId:
        organization === undefined
          ? null
          : parseId('_has:PractitionerRole:practitioner:organization', organization, 'Organization'),
    },
    connection: (data: { practitioners: never }) => data.practitioners,
    toResource: toFhirPractitioner,
    selfQuery,
    maxPageSkip,
  });
  return searchsetBundle(baseUrl, 'Practitioner', selfQuery, page);
}
