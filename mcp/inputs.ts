import { z } from 'zod';

/** The system of Open mHealth codes, the default of every `code` argument. */
export const OMH_SYSTEM = 'https://w3id.org/openmhealth';

const ID = /^[1-9]\d{0,14}$/;

/** A record's id, as GraphQL and FHIR show it ("30001"); a number is taken too, as models often send one. */
export const id = (what: string) =>
  z
    .union([z.string().regex(ID, 'a positive integer id, e.g. "30001"'), z.number().int().positive().max(1e15)])
    .describe(`the ${what}'s id, e.g. "30001"`);

export const pageInput = (max: number, byDefault: number) => ({
  first: z.number().int().min(1).max(max).optional().describe(`page size, default ${byDefault}, at most ${max}`),
  after: z.string().max(200).optional().describe('the `nextCursor` of the previous page'),
});

export const pageOutput = {
  totalCount: z.number().int().describe('all matching rows the caller may see, across pages'),
  nextCursor: z.string().nullable().describe('pass as `after` for the next page; null on the last page'),
};

const time = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .describe('a date (2026-11-10, midnight UTC) or a date-time with its offset');

/** The observation filter every observation tool takes; at least one of study, patient or organization. */
export const observationFilterInput = {
  studyId: id('study').optional(),
  patientId: id('patient').optional(),
  organizationId: id('organization').optional().describe("observations of the organization's patients"),
  code: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('an observation code, e.g. "omh:heart-rate:2.0" (list_studies / get_study show the codes)'),
  codeSystem: z.string().url().max(200).optional().describe(`the code's system, default ${OMH_SYSTEM}`),
  from: time.optional().describe('effective time at or after (inclusive)'),
  before: time.optional().describe('effective time strictly before (exclusive)'),
};

type FilterArgs = {
  [K in keyof typeof observationFilterInput]?: z.infer<(typeof observationFilterInput)[K]>;
};

const instant = (value: string) => (value.length === 10 ? `${value}T00:00:00Z` : value);

/** The tool's filter as GraphQL's ObservationFilter. */
export function observationFilter(args: FilterArgs): Record<string, unknown> {
  const filter: Record<string, unknown> = {};
  if (args.studyId !== undefined) filter.studyId = String(args.studyId);
  if (args.patientId !== undefined) filter.patientId = String(args.patientId);
  if (args.organizationId !== undefined) filter.organizationId = String(args.organizationId);
  if (args.code !== undefined) filter.code = { system: args.codeSystem ?? OMH_SYSTEM, code: args.code };
  if (args.from !== undefined) filter.from = instant(args.from);
  if (args.before !== undefined) filter.before = instant(args.before);
  return filter;
}

/** GraphQL's pageInfo as the tools' `nextCursor`. */
export const nextCursor = (pageInfo: { endCursor: string | null; hasNextPage: boolean }) =>
  pageInfo.hasNextPage ? pageInfo.endCursor : null;

export const codeOutput = z.object({
  system: z.string(),
  code: z.string(),
  text: z.string(),
});

/** A CodeableConcept of GraphQL as the tools show it. */
export const codeOf = (c: GraphQLCode) => ({
  system: c.codingSystem,
  code: c.codingCode,
  text: c.text,
});

export const CODE_FIELDS = 'codingSystem codingCode text';

/** A CodeableConcept as GraphQL answers it (CODE_FIELDS). */
export type GraphQLCode = { codingSystem: string; codingCode: string; text: string };

/** A GraphQL connection as the tools select it. */
export type Page<T> = { totalCount: number; nodes: T[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
