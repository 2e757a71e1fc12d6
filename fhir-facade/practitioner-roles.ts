import type { Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { onlyMatch, searchsetBundle } from './bundle.js';
import { ORGANIZATION_ROLES, organizationRoleSystem } from './code-systems.js';
import { runGraphQL } from './execute.js';
import { FhirError, unlessStatus } from './outcome.js';
import { searchPage } from './search.js';
import { parseId, readParams } from './search-params.js';

const FIELDS = 'id role practitioner { id } organization { id }';
const READ = `query ($id: ID!) { practitionerRole(id: $id) { ${FIELDS} } }`;
const SEARCH = `query ($practitionerId: ID, $organizationId: ID, $role: Role, $first: Int, $after: String, $total: Boolean!) {
  practitionerRoles(practitionerId: $practitionerId, organizationId: $organizationId, role: $role, first: $first, after: $after) {
    totalCount @include(if: $total) nodes { ${FIELDS} } pageInfo { hasNextPage endCursor }
  }
}`;

const roleSystem = organizationRoleSystem;
const ROLES: Record<string, string> = Object.fromEntries(
  Object.entries(ORGANIZATION_ROLES).map(([code, role]) => [code.toUpperCase(), role.display]),
);

interface RoleNode {
  id: string;
  role: string;
  practitioner: { id: string };
  organization: { id: string };
}

const toFhirRole = (baseUrl: string) => (r: RoleNode) => ({
  resourceType: 'PractitionerRole' as const,
  id: r.id,
  active: true,
  practitioner: { reference: `Practitioner/${r.practitioner.id}` },
  organization: { reference: `Organization/${r.organization.id}` },
  code: [
    {
      coding: [{ system: roleSystem(baseUrl), code: r.role.toLowerCase(), display: ROLES[r.role] }],
      text: ROLES[r.role],
    },
  ],
});

/** `role=manager` or `role=<this server's role system>|manager`, as the GraphQL Role. */
function parseRole(value: string, baseUrl: string): string {
  const bar = value.lastIndexOf('|');
  const system = bar === -1 ? null : value.slice(0, bar);
  const code = value.slice(bar + 1);
  if (
    (system !== null && system !== roleSystem(baseUrl)) ||
    !(code.toUpperCase() in ROLES) ||
    code !== code.toLowerCase()
  ) {
    throw new FhirError(
      400,
      'invalid',
      `role must be manager, member or viewer (of ${roleSystem(baseUrl)}), got "${value}"`,
      'role',
    );
  }
  return code.toUpperCase();
}

/** GET /PractitionerRole/:id: one practitioner's role in one organization (the membership's id). */
export async function readPractitionerRole(
  id: string,
  schema: GraphQLSchema,
  context: GraphQLContext,
  baseUrl: string,
) {
  const data = await runGraphQL<{ practitionerRole: RoleNode }>(schema, context, READ, { id: parseId('id', id) });
  return toFhirRole(baseUrl)(data.practitionerRole);
}

/** GET /PractitionerRole: the roles in the organizations the viewer may see; `_id`, `practitioner`, `organization`, `role`. */
export async function searchPractitionerRoles(
  req: Request,
  schema: GraphQLSchema,
  context: GraphQLContext,
  baseUrl: string,
  maxPageSkip: number,
) {
  const params = readParams('PractitionerRole', req.query);
  const selfQuery = new URLSearchParams(req.url.split('?')[1] ?? '');
  const one = (name: string) => params.get(name)?.[0];
  const practitioner = one('practitioner');
  const organization = one('organization');
  const role = one('role');
  const variables = {
    practitionerId: practitioner === undefined ? null : parseId('practitioner', practitioner, 'Practitioner'),
    organizationId: organization === undefined ? null : parseId('organization', organization, 'Organization'),
    role: role === undefined ? null : parseRole(role, baseUrl),
  };
  const id = one('_id');
  if (id !== undefined) {
    const found = await unlessStatus(
      404,
      readPractitionerRole(parseId('_id', id, 'PractitionerRole'), schema, context, baseUrl),
    );
    const matches =
      found &&
      (variables.practitionerId === null ||
        found.practitioner.reference === `Practitioner/${variables.practitionerId}`) &&
      (variables.organizationId === null ||
        found.organization.reference === `Organization/${variables.organizationId}`) &&
      (variables.role === null || found.code[0]!.coding[0]!.code === variables.role.toLowerCase());
    return searchsetBundle(baseUrl, 'PractitionerRole', selfQuery, onlyMatch(matches && found));
  }
  const page = await searchPage({
    resourceType: 'PractitionerRole',
    schema,
    context,
    params,
    query: SEARCH,
    variables,
    connection: (data: { practitionerRoles: never }) => data.practitionerRoles,
    toResource: toFhirRole(baseUrl),
    selfQuery,
    maxPageSkip,
  });
  return searchsetBundle(baseUrl, 'PractitionerRole', selfQuery, page);
}
