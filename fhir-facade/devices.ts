import type { Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { searchsetBundle } from './bundle.js';
import { runGraphQL } from './execute.js';
import { parseId, readParams } from './search-params.js';

export const DEVICE_FIELDS = 'id name type supportedScopes { codingSystem codingCode text }';
const SEARCH = `query { dataSources { ${DEVICE_FIELDS} } }`;
const READ = `query ($id: ID!) { dataSource(id: $id) { ${DEVICE_FIELDS} } }`;

export interface DataSourceNode {
  id: string;
  name: string;
  type: string;
  supportedScopes: { codingSystem: string; codingCode: string; text: string }[];
}

/** DataSourceType (PERSONAL_DEVICE) as the gateway's own words (personal_device): no FHIR CodeSystem holds them. */
const typeText = (type: string) => type.toLowerCase();

export function toFhirDevice(d: DataSourceNode) {
  return {
    resourceType: 'Device' as const,
    id: d.id,
    displayName: d.name,
    name: [{ value: d.name, type: 'user-friendly-name' }],
    type: [{ text: typeText(d.type) }],
    // the observation codes it can upload (an upload of another code is refused)
    ...(d.supportedScopes.length
      ? {
          property: d.supportedScopes.map((c) => ({
            type: { text: 'supported observation code' },
            valueCodeableConcept: { coding: [{ system: c.codingSystem, code: c.codingCode, display: c.text }] },
          })),
        }
      : {}),
  };
}

/** GET /Device: the data source catalog (small, unpaged in GraphQL too), optionally `_id`. */
export async function searchDevices(req: Request, schema: GraphQLSchema, context: GraphQLContext, baseUrl: string) {
  const params = readParams('Device', req.query);
  const selfQuery = new URLSearchParams(req.url.split('?')[1] ?? '');
  const id = params.get('_id')?.[0];
  const wanted = id === undefined ? undefined : parseId('_id', id, 'Device');
  const { dataSources } = await runGraphQL<{ dataSources: DataSourceNode[] }>(schema, context, SEARCH, {});
  const resources = dataSources.filter((d) => wanted === undefined || d.id === wanted).map(toFhirDevice);
  return searchsetBundle(baseUrl, 'Device', selfQuery, { resources, total: resources.length, nextQuery: null });
}

/** GET /Device/:id: what an Observation's `device` points at. */
export async function readDevice(id: string, schema: GraphQLSchema, context: GraphQLContext) {
  const data = await runGraphQL<{ dataSource: DataSourceNode }>(schema, context, READ, { id: parseId('id', id) });
  return toFhirDevice(data.dataSource);
}
