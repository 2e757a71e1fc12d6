import { z } from 'zod';
import { defineTool } from '../tool.js';
import {
  CODE_FIELDS,
  codeOf,
  codeOutput,
  id,
  nextCursor,
  observationFilter,
  observationFilterInput,
  pageInput,
  pageOutput,
  type GraphQLCode,
} from '../inputs.js';

type DateRange = { count: number; first: string | null; last: string | null };

const DATE_RANGE = `query ($filter: ObservationFilter!) { observationDateRange(filter: $filter) { count first last } }`;

const dateRange = {
  count: z.number().int().describe('observations the caller may see'),
  first: z.string().nullable().describe('effective time of the earliest'),
  last: z.string().nullable().describe('effective time of the latest'),
};

export const countObservations = defineTool({
  name: 'count_observations',
  title: 'Count observations',
  description:
    'How many observations the caller may see (consented data only) match a study, patient, organization, code and time window, with the first and last effective times.',
  input: observationFilterInput,
  output: dateRange,
  resourceType: 'Observation',
  action: 'search',
  async run(args, graphql) {
    const { observationDateRange } = await graphql<{ observationDateRange: DateRange }>(DATE_RANGE, {
      filter: observationFilter(args),
    });
    return { result: observationDateRange, rows: observationDateRange.count };
  },
});

export const getPatientDateRange = defineTool({
  name: 'get_patient_date_range',
  title: "A patient's date range",
  description:
    "The first and last effective times of a patient's observations the caller may see (optionally of one code), and their count.",
  input: {
    patientId: id('patient'),
    code: observationFilterInput.code,
    codeSystem: observationFilterInput.codeSystem,
  },
  output: { patientId: z.string(), ...dateRange },
  resourceType: 'Observation',
  action: 'search',
  async run(args, graphql) {
    const { observationDateRange } = await graphql<{ observationDateRange: DateRange }>(DATE_RANGE, {
      filter: observationFilter(args),
    });
    return { result: { patientId: String(args.patientId), ...observationDateRange }, rows: observationDateRange.count };
  },
});

const quantity = z.object({
  name: z.string().describe('the Open mHealth quantity, e.g. heart_rate, systolic_blood_pressure'),
  unit: z.string().nullable(),
  count: z.number().int(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
});

const MAX_SUMMARY_ROWS = 1000;

export const summarizeObservations = defineTool({
  name: 'summarize_observations',
  title: 'Summarize observations',
  description:
    'Per code, and per day or ISO week (UTC) if asked: count, first and last times, and min, max and mean of each Open mHealth quantity. Computed in the database over every matching observation the caller may see; no rows are loaded.',
  input: {
    ...observationFilterInput,
    bucket: z.enum(['none', 'day', 'week']).optional().describe('group by day or week (UTC) as well; default none'),
  },
  output: {
    bucket: z.enum(['none', 'day', 'week']),
    rows: z.array(
      z.object({
        code: codeOutput,
        periodStart: z.string().nullable().describe('the day or week, null without a bucket'),
        count: z.number().int(),
        firstTime: z.string().nullable(),
        lastTime: z.string().nullable(),
        quantities: z.array(quantity),
      }),
    ),
  },
  resourceType: 'Observation',
  action: 'search',
  async run(args, graphql) {
    const bucket = args.bucket ?? 'none';
    const { observationSummary } = await graphql<{
      observationSummary: {
        code: GraphQLCode;
        periodStart: string | null;
        count: number;
        firstTime: string | null;
        lastTime: string | null;
        quantities: z.infer<typeof quantity>[];
      }[];
    }>(
      `query ($filter: ObservationFilter!, $bucket: SummaryBucket, $first: Int) {
        observationSummary(filter: $filter, bucket: $bucket, first: $first) {
          code { ${CODE_FIELDS} } periodStart count firstTime lastTime
          quantities { name unit count min max mean }
        }
      }`,
      { filter: observationFilter(args), bucket: bucket.toUpperCase(), first: MAX_SUMMARY_ROWS },
    );
    const rows = observationSummary.map((row) => ({ ...row, code: codeOf(row.code) }));
    return { result: { bucket, rows }, rows: rows.reduce((sum, row) => sum + row.count, 0) };
  },
});

type ObservationNode = {
  id: string;
  code: GraphQLCode;
  effectiveTime: string;
  status: string;
  subject: { id: string };
  dataSource: { id: string };
  omh: { header?: unknown; body?: unknown } | null;
  resource: Record<string, unknown> | null;
};

export const getObservations = defineTool({
  name: 'get_observations',
  title: 'Get observations',
  description:
    'A page of observations the caller may see, with their Open mHealth values (or FHIR R5 resource), ordered by patient, code and time. Pages are small: use summarize_observations for trends and count_observations for totals.',
  input: { ...observationFilterInput, ...pageInput(100, 20) },
  output: {
    ...pageOutput,
    observations: z.array(
      z.object({
        id: z.string(),
        patientId: z.string(),
        code: codeOutput,
        effectiveTime: z.string(),
        status: z.string(),
        dataSourceId: z.string().describe('the device or app that recorded it (get_study lists data sources)'),
        body: z
          .unknown()
          .describe(
            'the Open mHealth data point body (values, units, time frame); for an observation other than Open mHealth, the FHIR R5 Observation itself',
          ),
      }),
    ),
  },
  resourceType: 'Observation',
  action: 'search',
  async run(args, graphql) {
    const { observations: page } = await graphql<{
      observations: {
        totalCount: number;
        nodes: ObservationNode[];
        pageInfo: { endCursor: string | null; hasNextPage: boolean };
      };
    }>(
      `query ($filter: ObservationFilter!, $first: Int, $after: String) {
        observations(filter: $filter, first: $first, after: $after) {
          totalCount
          nodes { id code { ${CODE_FIELDS} } effectiveTime status subject { id } dataSource { id } omh resource }
          pageInfo { endCursor hasNextPage }
        }
      }`,
      { filter: observationFilter(args), first: args.first ?? 20, after: args.after },
    );
    const observations = page.nodes.map((o) => ({
      id: o.id,
      patientId: o.subject.id,
      code: codeOf(o.code),
      effectiveTime: o.effectiveTime,
      status: o.status,
      dataSourceId: o.dataSource.id,
      body: o.omh ? (o.omh.body ?? o.omh) : o.resource,
    }));
    return {
      result: { totalCount: page.totalCount, nextCursor: nextCursor(page.pageInfo), observations },
      rows: observations.length,
    };
  },
});
