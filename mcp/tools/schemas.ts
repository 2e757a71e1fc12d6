import { z } from 'zod';
import { defineTool } from '../tool.js';

export const OMH_SCHEMA = `query ($name: String!) { omhSchema(name: $name) { name namespace version schema } }`;
export const OMH_SCHEMAS = `{ omhSchemas { name namespace version } }`;

export const getOmhSchema = defineTool({
  name: 'get_omh_schema',
  title: 'Get an Open mHealth schema',
  description:
    'The JSON Schema of an Open mHealth measure the gateway validates against, e.g. "omh:heart-rate:2.0": what its quantities and units mean.',
  input: { name: z.string().min(1).max(200).describe('namespace:name:version, e.g. omh:blood-pressure:4.0') },
  output: { name: z.string(), namespace: z.string(), version: z.string(), schema: z.record(z.string(), z.unknown()) },
  resourceType: 'OmhSchema',
  action: 'read',
  async run(args, graphql) {
    const { omhSchema } = await graphql<{ omhSchema: Record<string, unknown> }>(OMH_SCHEMA, { name: args.name });
    return { result: omhSchema, rows: null };
  },
});
