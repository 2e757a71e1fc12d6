import type { Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { searchsetBundle } from './bundle.js';
import { runGraphQL } from './execute.js';
import { unlessStatus } from './outcome.js';
import { groupMemberIncludes, MAX_GROUP_MEMBERS } from './group-members.js';
import { parseIncludes } from './includes.js';
import { listPage, searchPage } from './search.js';
import { SUBSETTED } from './subsetting.js';
import { parseId, readParams } from './search-params.js';

const FIELDS = 'id name description scopeRequests { codingSystem codingCode text }';
const SEARCH = `query ($organizationId: ID, $first: Int, $after: String, $total: Boolean!) {
  studies(organizationId: $organizationId, first: $first, after: $after) {
    totalCount @include(if: $total) nodes { ${FIELDS} } pageInfo { hasNextPage endCursor }
  }
}`;
const READ = `query ($id: ID!) { study(id: $id) { ${FIELDS} } }`;
const ORGANIZER = `query ($id: ID!) { study(id: $id) { organizer { id } } }`;
const MEMBER_OF = `query ($id: ID!) { patient(id: $id) { studies { ${FIELDS} } } }`;
type MemberOf = { patient: { studies: StudyNode[] } };
/** the studies an organization runs, to narrow the few of a `member` or `_id` search */
const RUN_BY = `query ($organizationId: ID) { studies(organizationId: $organizationId, first: 1000) { nodes { id } } }`;
type RunBy = { studies: { nodes: { id: string }[] } };
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

/** Search results carry no members and no managing entity (one read per study otherwise): marked SUBSETTED. */
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

/**
 * GET /Group: the studies the viewer may see; `_id`, `managing-entity` (the organization running them), `member`
 * (the studies a patient is enrolled in: from an Observation's subject to its studies).
 */
export async function searchGroups(
  req: Request,
  schema: GraphQLSchema,
  context: GraphQLContext,
  baseUrl: string,
  maxPageSkip: number,
) {
  const params = readParams('Group', req.query);
  const selfQuery = new URLSearchParams(req.url.split('?')[1] ?? '');
  const one = (name: string) => params.get(name)?.[0];
  const id = one('_id') === undefined ? undefined : parseId('_id', one('_id')!, 'Group');
  const organization = one('managing-entity');
  const organizationId = organization === undefined ? null : parseId('managing-entity', organization, 'Organization');
  const member = one('member') === undefined ? undefined : parseId('member', one('member')!, 'Patient');
  const include = parseIncludes('Group', params.get('_include')).size
    ? (matches: { id: string }[]) =>
        groupMemberIncludes(
          matches.map((g) => g.id),
          schema,
          context,
        )
    : undefined;
  if (id !== undefined || member !== undefined) {
    const matches = await unpagedMatches({ id, organizationId, member }, schema, context);
    const page = await listPage({ resourceType: 'Group', params, selfQuery, matches, include });
    return searchsetBundle(baseUrl, 'Group', selfQuery, page);
  }
  const page = await searchPage({
    resourceType: 'Group',
    schema,
    context,
    params,
    query: SEARCH,
    variables: { organizationId },
    connection: (data: { studies: never }) => data.studies,
    toResource: (s: StudyNode) => toFhirGroup(s),
    selfQuery,
    maxPageSkip,
    include,
  });
  return searchsetBundle(baseUrl, 'Group', selfQuery, page);
}

type GroupResource = ReturnType<typeof toFhirGroup>;

/**
 * An `_id` search (the whole read, members included) or a `member` one (the patient's studies, a few), each
 * narrowed by the other parameters. A study, patient or organization the viewer may not see matches nothing.
 */
async function unpagedMatches(
  criteria: { id?: string; organizationId: string | null; member?: string },
  schema: GraphQLSchema,
  context: GraphQLContext,
): Promise<GroupResource[]> {
  const { id, organizationId, member } = criteria;
  const [read, studiesOfMember, runBy] = await Promise.all([
    id === undefined ? undefined : unlessStatus(404, readGroup(id, schema, context)),
    member === undefined
      ? undefined
      : unlessStatus(404, runGraphQL<MemberOf>(schema, context, MEMBER_OF, { id: member })).then(
          (data) => data?.patient.studies ?? [],
        ),
    organizationId === null
      ? undefined
      : unlessStatus(404, runGraphQL<RunBy>(schema, context, RUN_BY, { organizationId })).then(
          (data) => new Set((data?.studies.nodes ?? []).map((s) => s.id)),
        ),
  ]);
  const candidates = id === undefined ? studiesOfMember!.map((s) => toFhirGroup(s)) : read ? [read] : [];
  return candidates.filter(
    (group) =>
      (studiesOfMember === undefined || studiesOfMember.some((s) => s.id === group.id)) &&
      (runBy === undefined || runBy.has(group.id)),
  );
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
