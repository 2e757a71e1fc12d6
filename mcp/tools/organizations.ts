import { z } from 'zod';
import { defineTool } from '../tool.js';
import {
  CODE_FIELDS,
  codeOf,
  codeOutput,
  type GraphQLCode,
  id,
  nextCursor,
  type Page,
  pageInput,
  pageOutput,
} from '../inputs.js';

const organization = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  partOfId: z.string().nullable(),
  viewerRole: z.string().nullable().describe("the caller's role in it (MANAGER, MEMBER, VIEWER), if any"),
});

export const listOrganizations = defineTool({
  name: 'list_organizations',
  title: 'List organizations',
  description:
    'The organizations the caller may see (where they hold a role; super users: all), by id. With partOfId, the direct children of that organization.',
  input: { partOfId: id('parent organization').optional(), ...pageInput(100, 50) },
  output: { ...pageOutput, organizations: z.array(organization) },
  resourceType: 'Organization',
  action: 'search',
  async run(args, graphql) {
    type Org = { id: string; name: string; type: string; partOf: { id: string } | null; viewerRole: string | null };
    const { visibleOrganizations: page } = await graphql<{ visibleOrganizations: Page<Org> }>(
      `
        query ($partOfId: ID, $first: Int, $after: String) {
          visibleOrganizations(partOfId: $partOfId, first: $first, after: $after) {
            totalCount
            nodes {
              id
              name
              type
              partOf {
                id
              }
              viewerRole
            }
            pageInfo {
              endCursor
              hasNextPage
            }
          }
        }
      `,
      { partOfId: args.partOfId?.toString(), first: args.first ?? 50, after: args.after },
    );
    return {
      result: {
        totalCount: page.totalCount,
        nextCursor: nextCursor(page.pageInfo),
        organizations: page.nodes.map(({ partOf, ...o }) => ({ ...o, partOfId: partOf?.id ?? null })),
      },
      rows: null,
    };
  },
});

const studySummary = z.object({
  id: z.string(),
  name: z.string(),
  organizationId: z.string(),
  organizationName: z.string(),
  requestedCodes: z.array(codeOutput).describe('the data the study asks patients to share'),
});

type StudyNode = {
  id: string;
  name: string;
  organizer: { id: string; name: string };
  scopeRequests: { codingSystem: string; codingCode: string; text: string }[];
};

export const listStudies = defineTool({
  name: 'list_studies',
  title: 'List studies',
  description:
    "The studies the caller may see (their organizations'; a patient's own), optionally of one organization, with the codes each requests.",
  input: { organizationId: id('organization').optional(), ...pageInput(100, 50) },
  output: { ...pageOutput, studies: z.array(studySummary) },
  resourceType: 'Study',
  action: 'search',
  async run(args, graphql) {
    const { studies: page } = await graphql<{ studies: Page<StudyNode> }>(
      `query ($organizationId: ID, $first: Int, $after: String) {
        studies(organizationId: $organizationId, first: $first, after: $after) {
          totalCount
          nodes { id name organizer { id name } scopeRequests { ${CODE_FIELDS} } }
          pageInfo { endCursor hasNextPage }
        }
      }`,
      { organizationId: args.organizationId?.toString(), first: args.first ?? 50, after: args.after },
    );
    return {
      result: {
        totalCount: page.totalCount,
        nextCursor: nextCursor(page.pageInfo),
        studies: page.nodes.map((s) => ({
          id: s.id,
          name: s.name,
          organizationId: s.organizer.id,
          organizationName: s.organizer.name,
          requestedCodes: s.scopeRequests.map(codeOf),
        })),
      },
      rows: null,
    };
  },
});

const scopeCount = z.object({
  code: codeOutput,
  consented: z.number().int(),
  declined: z.number().int(),
  pending: z.number().int(),
});

export const getStudy = defineTool({
  name: 'get_study',
  title: 'Get a study',
  description:
    'One study: its organization, requested codes (scopes), data sources, client apps, enrolled patients and consent counts per code.',
  input: { studyId: id('study') },
  output: {
    id: z.string(),
    name: z.string(),
    description: z.string(),
    organization: z.object({ id: z.string(), name: z.string(), type: z.string() }),
    requestedCodes: z.array(codeOutput),
    dataSources: z.array(z.object({ id: z.string(), name: z.string(), type: z.string() })),
    clients: z.array(z.object({ id: z.string(), name: z.string(), clientId: z.string() })),
    consentCounts: z.object({
      enrolled: z.number().int(),
      fullyAnswered: z.number().int().describe('patients who answered every requested code'),
      pending: z.number().int().describe('patients with at least one code unanswered'),
      scopes: z.array(scopeCount),
    }),
  },
  resourceType: 'Study',
  action: 'read',
  async run(args, graphql) {
    const { study } = await graphql<{
      study: {
        id: string;
        name: string;
        description: string;
        organizer: { id: string; name: string; type: string };
        scopeRequests: GraphQLCode[];
        dataSources: { id: string; name: string; type: string }[];
        clients: { id: string; name: string; clientId: string }[];
        consentCounts: {
          enrolled: number;
          fullyAnswered: number;
          pending: number;
          scopes: { code: GraphQLCode; consented: number; declined: number; pending: number }[];
        };
      };
    }>(
      `query ($id: ID!) {
        study(id: $id) {
          id name description organizer { id name type } scopeRequests { ${CODE_FIELDS} }
          dataSources { id name type } clients { id name clientId }
          consentCounts { enrolled fullyAnswered pending scopes { code { ${CODE_FIELDS} } consented declined pending } }
        }
      }`,
      { id: String(args.studyId) },
    );
    const { organizer, scopeRequests, consentCounts, ...rest } = study;
    return {
      result: {
        ...rest,
        organization: organizer,
        requestedCodes: scopeRequests.map(codeOf),
        consentCounts: { ...consentCounts, scopes: consentCounts.scopes.map((s) => ({ ...s, code: codeOf(s.code) })) },
      },
      rows: null,
    };
  },
});
