import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import type { Config } from '../src/config.js';

/** A JSON Schema (draft 2020-12, as OpenAPI 3.1 uses it), for validation and the generated document alike. */
export type JsonSchema = Record<string, unknown>;

/** What a route's handler gets: the validated request, and GraphQL run as the viewer. */
export interface RestCall {
  /** path parameters; `:id`-like ones are checked to be integer ids */
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: unknown;
  /** the request's URL at PUBLIC_URL, for paging links */
  url: URL;
  context: GraphQLContext;
  schema: GraphQLSchema;
  config: Config;
}

export interface Route {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** Express syntax under /api/v1, e.g. `/patients/:id/consents` */
  path: string;
  /** the OpenAPI tag (resource group) and summary */
  tag: string;
  summary: string;
  /** the query parameters, all strings on the wire */
  query?: Record<string, JsonSchema>;
  body?: JsonSchema;
  /** the body may be left out (a GET's that also takes its fields in the query); when sent, `body` checks it */
  optionalBody?: boolean;
  /** the success status (200 unless said) and the answer's schema */
  status?: number;
  /** other success statuses the handler may answer with (returning an `Answer`), with the same schema */
  otherStatuses?: number[];
  response: JsonSchema;
  /** whether it answers without a token (the schema document) */
  public?: boolean;
  handle(call: RestCall): Promise<unknown>;
}

/** Path parameters that are integer ids: anything else is a 404, as DRF's int converters answer. */
export const ID_PARAMS = new Set(['id', 'userId', 'patientId', 'studyId', 'organizationId', 'dataSourceId', 'scopeId']);

/** A handler's answer with a status other than its route's, e.g. 200 for an update where the route creates (201). */
export class Answer {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}
