import type { Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { onlyMatch, searchsetBundle } from './bundle.js';
import { runGraphQL } from './execute.js';
import { unlessStatus } from './outcome.js';
import { searchPage } from './search.js';
import { parseId, readParams } from './search-params.js';

/**
 * A study seen as a ResearchStudy: the same row and GraphQL operations as its Group (so the same Group
 * scopes), for clients that look for the research study rather than its cohort.
 */

const FIELDS = 'id name description';
const READ = `query ($id: ID!) { study(id: $id) { ${FIELDS} } }`;
const SPONSOR = `query ($id: ID!) { study(id: $id) { organizer { id } } }`;
const SEARCH = `query ($first: Int, $after: String, $total: Boolean!) {
  studies(first: $first, after: $after) {
    totalCount @include(if: $total) nodes { ${FIELDS} } pageInfo { hasNextPage endCursor }
  }
}`;

interface StudyNode {
  id: string;
  name: string;
  description: string;
}

const SPONSOR_ROLE = { system: 'http://hl7.org/fhir/research-study-party-role', code: 'sponsor', display: 'sponsor' };
/** Search entries carry no sponsor (one more read per study otherwise), as Group searches carry no members. */
const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

function toFhirResearchStudy(s: StudyNode, sponsorId?: string | null) {
  return {
    resourceType: 'ResearchStudy' as const,
    id: s.id,
    ...(sponsorId === undefined ? { meta: { tag: [SUBSETTED] } } : {}),
    title: s.name,
    status: 'active' as const,
    ...(s.description ? { description: s.description } : {}),
    ...(sponsorId
      ? { associatedParty: [{ role: { coding: [SPONSOR_ROLE] }, party: { reference: `Organization/${sponsorId}` } }] }
      : {}),
    // its enrolled patients
    recruitment: { actualGroup: { reference: `Group/${s.id}` } },
  };
}

/** GET /ResearchStudy/:id: the study, and its organizer as sponsor when the token may read Organizations. */
export async function readResearchStudy(id: string, schema: GraphQLSchema, context: GraphQLContext) {
  const variables = { id: parseId('id', id) };
  const { study } = await runGraphQL<{ study: StudyNode }>(schema, context, READ, variables);
  const sponsor = await unlessStatus(
    403,
    runGraphQL<{ study: { organizer: { id: string } } }>(schema, context, SPONSOR, variables),
  );
  return toFhirResearchStudy(study, sponsor?.study.organizer.id ?? null);
}

/** GET /ResearchStudy: the studies the viewer may see, paged; `_id`. */
export async function searchResearchStudies(
  req: Request,
  schema: GraphQLSchema,
  context: GraphQLContext,
  baseUrl: string,
  maxPageSkip: number,
) {
  const params = readParams('ResearchStudy', req.query);
  const selfQuery = new URLSearchParams(req.url.split('?')[1] ?? '');
  const id = params.get('_id')?.[0];
  if (id !== undefined) {
    const found = await unlessStatus(404, readResearchStudy(parseId('_id', id, 'ResearchStudy'), schema, context));
    return searchsetBundle(baseUrl, 'ResearchStudy', selfQuery, onlyMatch(found));
  }
  const page = await searchPage({
    resourceType: 'ResearchStudy',
    schema,
    context,
    params,
    query: SEARCH,
    variables: {},
    connection: (data: { studies: never }) => data.studies,
    toResource: (s: StudyNode) => toFhirResearchStudy(s),
    selfQuery,
    maxPageSkip,
  });
  return searchsetBundle(baseUrl, 'ResearchStudy', selfQuery, page);
}
