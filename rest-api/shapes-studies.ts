/**
 * JupyterHealth's shapes for studies, data sources and codes (camelCase, integer ids, lower-case enums), from the
 * GraphQL nodes the studies and data-sources routes read, with their JSON Schemas for validation and OpenAPI.
 */
import { RestError } from './errors.js';
import type { Connection } from './paging.js';
import type { JsonSchema } from './route.js';

const int = (id: string | number) => Number(id);
const lower = (value: string) => value.toLowerCase();

/** An id in a body: a positive integer, as JupyterHealth's primary keys (and at most 15 digits, as path ids). */
export const idSchema = { type: 'integer', minimum: 1, maximum: 999_999_999_999_999 } as const;
/** An id in a query string. */
export const idQuerySchema = { type: 'string', pattern: '^[1-9][0-9]{0,14}$' } as const;

// ---- codes (codeable concepts) -----------------------------------------------------------------------------

export const CODE_FIELDS = 'id codingSystem codingCode text';
export interface CodeNode {
  id: string;
  codingSystem: string;
  codingCode: string;
  text: string;
}
export const toCode = (c: CodeNode) => ({
  id: int(c.id),
  codingSystem: c.codingSystem,
  codingCode: c.codingCode,
  text: c.text,
});
export const codeSchema = {
  type: 'object',
  required: ['id', 'codingSystem', 'codingCode', 'text'],
  properties: {
    id: { type: 'integer' },
    codingSystem: { type: 'string' },
    codingCode: { type: 'string' },
    text: { type: 'string' },
  },
};

// ---- data sources ------------------------------------------------------------------------------------------

/** JupyterHealth's data source types, as the wire spells them (GraphQL's DataSourceType in lower case). */
export const DATA_SOURCE_TYPES = ['personal_device', 'device', 'patient_app', 'medical_device'] as const;
/** GraphQL's enum name of a wire type: `personal_device` → `PERSONAL_DEVICE`. */
export const dataSourceTypeEnum = (type: string) => type.toUpperCase();

export const DATA_SOURCE_LITE_FIELDS = 'id name type';
export interface DataSourceLiteNode {
  id: string;
  name: string;
  type: string;
}
export const DATA_SOURCE_FIELDS = `${DATA_SOURCE_LITE_FIELDS} supportedScopes { ${CODE_FIELDS} }`;
export interface DataSourceNode extends DataSourceLiteNode {
  supportedScopes: CodeNode[];
}

/** `{id, name, type}`: a data source where another row refers to it. */
export const toDataSourceLite = (d: DataSourceLiteNode) => ({ id: int(d.id), name: d.name, type: lower(d.type) });
export const toDataSource = (d: DataSourceNode) => ({
  ...toDataSourceLite(d),
  supportedScopes: d.supportedScopes.map(toCode),
});

export const dataSourceLiteSchema = {
  type: 'object',
  required: ['id', 'name', 'type'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    type: { type: 'string', enum: [...DATA_SOURCE_TYPES] },
  },
};
export const dataSourceSchema = {
  type: 'object',
  required: ['id', 'name', 'type', 'supportedScopes'],
  properties: { ...dataSourceLiteSchema.properties, supportedScopes: { type: 'array', items: codeSchema } },
};

// ---- studies -----------------------------------------------------------------------------------------------

/** What StudyRead and StudyWrite are made of; `organization` is null when the viewer may not see it (a patient). */
export const STUDY_FIELDS = 'id name description iconUrl organization { id name type }';
export interface StudyNode {
  id: string;
  name: string;
  description: string;
  iconUrl: string | null;
  organization: { id: string; name: string; type: string } | null;
}

/** StudyRead (GETs): the organization as `{id, name, type}`. */
export const toStudyRead = (s: StudyNode) => ({
  id: int(s.id),
  name: s.name,
  description: s.description,
  organization: s.organization
    ? { id: int(s.organization.id), name: s.organization.name, type: lower(s.organization.type) }
    : null,
  iconUrl: s.iconUrl,
});

/** StudyWrite (answers to writes, and the `study` of a study's links): the organization as its id. */
export const toStudyWrite = (s: StudyNode) => ({
  id: int(s.id),
  name: s.name,
  description: s.description,
  organization: s.organization ? int(s.organization.id) : null,
  iconUrl: s.iconUrl,
});

const studyProperties = {
  id: { type: 'integer' },
  name: { type: 'string' },
  description: { type: 'string' },
  iconUrl: { type: ['string', 'null'] },
};
export const studyReadSchema = {
  type: 'object',
  required: ['id', 'name', 'description', 'organization', 'iconUrl'],
  properties: {
    ...studyProperties,
    organization: {
      oneOf: [
        {
          type: 'object',
          required: ['id', 'name', 'type'],
          properties: { id: { type: 'integer' }, name: { type: 'string' }, type: { type: 'string' } },
        },
        { type: 'null' },
      ],
      description: 'null for a viewer who may see the study but not its organization (a patient)',
    },
  },
};
export const studyWriteSchema = {
  type: 'object',
  required: ['id', 'name', 'description', 'organization', 'iconUrl'],
  properties: { ...studyProperties, organization: { type: ['integer', 'null'] } },
};

// ---- a list paged like a connection ------------------------------------------------------------------------

const listCursor = (id: string) => Buffer.from(`id:${id}`).toString('base64url');

/**
 * A plain GraphQL list (ordered by ascending id) read as a keyset connection for `paginate`: `after` is the
 * cursor of the last row of the page before. `load` runs once per request however many pages are walked.
 */
export function listConnection<T extends { id: string }>(load: () => Promise<T[]>) {
  let rows: Promise<T[]> | undefined;
  return async (first: number, after: string | null): Promise<Connection<T>> => {
    const all = await (rows ??= load());
    let start = 0;
    if (after !== null) {
      const parts = /^id:([1-9]\d{0,14})$/.exec(Buffer.from(after, 'base64url').toString('utf8'));
      if (!parts) throw new RestError(400, 'cursor: not a cursor this server issued');
      const afterId = Number(parts[1]);
      start = all.findIndex((row) => Number(row.id) > afterId);
      if (start < 0) start = all.length;
    }
    const nodes = all.slice(start, start + first);
    const last = nodes.at(-1);
    return {
      totalCount: all.length,
      nodes,
      pageInfo: { hasNextPage: start + first < all.length, endCursor: last ? listCursor(last.id) : null },
    };
  };
}

/** The row just linked, from a mutation's answer that lists every link of its parent. */
export function linked<T extends { id: string }>(rows: T[], id: number): T {
  const row = rows.find((r) => Number(r.id) === id);
  if (!row) throw new Error(`the mutation's answer does not list ${id}`);
  return row;
}

/** A body schema: an object of exactly these properties (an unknown one is a 400 naming it). */
export const bodySchema = (
  properties: Record<string, JsonSchema>,
  required: string[],
  extra: JsonSchema = {},
): JsonSchema => ({ type: 'object', properties, required, additionalProperties: false, ...extra });
