import type { Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { onlyMatch, searchsetBundle } from './bundle.js';
import { runGraphQL } from './execute.js';
import { unlessStatus } from './outcome.js';
import { searchPage } from './search.js';
import { parseId, readParams } from './search-params.js';

/** A Group read lists at most this many members (Study.patients' largest page); `quantity` counts them all. */
export const MAX_GROUP_MEMBERS = 1000;

const FIELDS = 'id name description scopeRequests { codingSystem codingCode text }';
const SEARCH = `query ($organizationId: ID, $first: Int, $after: String, $total: Boolean!) {
  studies(organizationId: $organizationId, first: $first, after: $after) {
    totalCount @include(if: $total) nodes { ${FIELDS} } pageInfo { hasNextPage endCursor }
  }
}`;
const READ = `query ($id: ID!) { study(id: $id) { ${FIELDS} } }`;
const ORGANIZER = `query ($id: ID!) { study(id: $id) { organizer { id } } }`;
const MEMBERS = `query ($id: ID!) { study(id: $id) { patients(first: ${MAX_GROUP_MEMBERS}) { totalCount nodes { id } } } }`;

interface StudyNode {
  id: string;
  name: string;
  description: string;
  scopeRequests: { codingSystem: string; codingCode: string; text: string }[];
}

/** The parts of a study read that need more than Group read (Organization read, Patient search). */
interface StudyParts {
  organizerId?: string;
  patients?: { totalCount: number; nodes: { id: string }[] };
}

/** Search results carry no members and no managing entity (one read per study otherwise): marked as a subset. */
const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

function toFhirGroup(s: StudyNode, parts?: StudyParts) {
  return {
    resourceType: 'Group' as const,
    id: s.id,
    ...(parts ? {} : { meta: { tag: [SUBSETTED] } }),
    type: 'person' as const,
    membership: 'enumerated' as const,
    name: s.name,
    ...(s.description ? { description: s.description } : {}),
    ...(parts?.patients ? { quantity: parts.patients.totalCount } : {}),
    ...(parts?.organizerId ? { managingEntity: { reference: `Organization/${parts.organizerId}` } } : {}),
    // the codes the study asks its patients to share
    characteristic: s.scopeRequests.map((c) => ({
      code: { coding: [{ system: c.codingSystem, code: c.codingCode, display: c.text }] },
      valueBoolean: true,
      exclude: false,
    })),
    ...(parts?.patients?.nodes.length
      ? { member: parts.patients.nodes.map((p) => ({ entity: { reference: `Patient/${p.id}` } })) }
      : {}),
  };
}

/** GET /Group: the studies the viewer may see; `_id`, `managing-entity` (the organization running them). */
export async function searchGroups(
  req: Request,
  schema: GraphQLSchema,
  context: GraphQLContext,
  baseUrl: string,
  maxPageSkip: number,
) {
  const params = readParams('Group', req.query);
  const selfQuery = new URLSearchParams(req.url.split('?')[1] ?? '');
  const id = params.get('_id')?.[0];
  const organization = params.get('managing-entity')?.[0];
  const organizationId = organization === undefined ? null : parseId('managing-entity', organization, 'Organization');
  if (id !== undefined) {
    // a one-row answer: the whole read, members included
    const found = await unlessStatus(404, readGroup(parseId('_id', id, 'Group'), schema, context));
    const matches =
      found && (organizationId === null || found.managingEntity?.reference === `Organization/${organizationId}`);
    return searchsetBundle(baseUrl, 'Group', selfQuery, onlyMatch(matches && found));
  }
  const page = await searchPage({
    schema,
    context,
    params,
    query: SEARCH,
    variables: { organizationId },
    connection: (data: { studies: never }) => data.studies,
    toResource: (s: StudyNode) => toFhirGroup(s),
    selfQuery,
    maxPageSkip,
  });
  return searchsetBundle(baseUrl, 'Group', selfQuery, page);
}

/**
 * GET /Group/:id: the study (Group read), its organizer (Organization read) and up to MAX_GROUP_MEMBERS enrolled
 * patients (Patient search). A token without the latter scopes gets the Group without those elements.
 */
export async function readGroup(id: string, schema: GraphQLSchema, context: GraphQLContext) {
  const variables = { id: parseId('id', id) };
  const { study } = await runGraphQL<{ study: StudyNode }>(schema, context, READ, variables);
  const [organizer, members] = await Promise.all([
    unlessStatus(403, runGraphQL<{ study: { organizer: { id: string } } }>(schema, context, ORGANIZER, variables)),
    unlessStatus(403, runGraphQL<{ study: Required<StudyParts> }>(schema, context, MEMBERS, variables)),
  ]);
  return toFhirGroup(study, { organizerId: organizer?.study.organizer.id, patients: members?.study.patients });
}
