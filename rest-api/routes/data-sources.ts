import { deleteByPathId, runGraphQL } from '../execute.js';
import { PAGING_PARAMS, pageRequest, paginate } from '../paging.js';
import type { RestCall, Route } from '../route.js';
import { pageSchema } from '../shapes.js';
import {
  bodySchema,
  CODE_FIELDS,
  type CodeNode,
  codeSchema,
  DATA_SOURCE_FIELDS,
  DATA_SOURCE_TYPES,
  type DataSourceNode,
  dataSourceLiteSchema,
  dataSourceSchema,
  dataSourceTypeEnum,
  idSchema,
  linked,
  listConnection,
  toCode,
  toDataSource,
  toDataSourceLite,
} from '../shapes-studies.js';

/**
 * `/data_sources`: JupyterHealth's DataSourceViewSet over GraphQL's catalog of data sources (FHIR Devices) and
 * codeable concepts. Anyone signed in reads it; super users keep it (the policy, through the mutations). The
 * rows linking a data source to its supported scope codes carry the code's id as theirs (unique within the
 * data source): GraphQL names the links by what they link.
 */

const DATA_SOURCES = `{ dataSources { ${DATA_SOURCE_FIELDS} } }`;
const DATA_SOURCE = `query ($id: ID!) { dataSource(id: $id) { ${DATA_SOURCE_FIELDS} } }`;
const ALL_SCOPES = `{ codeableConcepts { ${CODE_FIELDS} } }`;
const CREATE = `mutation ($input: CreateDataSourceInput!) { createDataSource(input: $input) { ${DATA_SOURCE_FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateDataSourceInput!) {
  updateDataSource(id: $id, input: $input) { ${DATA_SOURCE_FIELDS} }
}`;
const DELETE = `mutation ($id: ID!) { deleteDataSource(id: $id) }`;
const ADD_SCOPE = `mutation ($id: ID!, $codeId: ID!) {
  addDataSourceScope(dataSourceId: $id, codeableConceptId: $codeId) { ${DATA_SOURCE_FIELDS} }
}`;
const REMOVE_SCOPE = `mutation ($id: ID!, $codeId: ID!) { removeDataSourceScope(dataSourceId: $id, codeableConceptId: $codeId) { id } }`;

const dataSourceFields = {
  name: { type: 'string', minLength: 1, maxLength: 255 },
  type: { type: 'string', enum: [...DATA_SOURCE_TYPES] },
};
const createBody = bodySchema(dataSourceFields, ['name', 'type']);
const patchBody = bodySchema(dataSourceFields, [], { minProperties: 1 });
const scopeCodeBody = bodySchema({ scopeCodeId: idSchema }, ['scopeCodeId']);

/** The wire's `{name?, type?}` as GraphQL's input (its enum names are upper case). */
const input = (body: unknown) => {
  const { name, type } = body as { name?: string; type?: string };
  return { ...(name === undefined ? {} : { name }), ...(type === undefined ? {} : { type: dataSourceTypeEnum(type) }) };
};

const supportedScopeSchema = {
  type: 'object',
  required: ['id', 'dataSource', 'scopeCode'],
  properties: {
    id: { type: 'integer', description: 'the scope code’s id (unique within the data source)' },
    dataSource: dataSourceLiteSchema,
    scopeCode: codeSchema,
  },
};
const supportedScope = (source: DataSourceNode, code: CodeNode) => ({
  id: Number(code.id),
  dataSource: toDataSourceLite(source),
  scopeCode: toCode(code),
});

async function update({ schema, context, params, body }: RestCall) {
  const { updateDataSource } = await runGraphQL<{ updateDataSource: DataSourceNode }>(schema, context, UPDATE, {
    id: params.id,
    input: input(body),
  });
  return toDataSource(updateDataSource);
}

export const dataSourceRoutes: Route[] = [
  {
    method: 'get',
    path: '/data_sources',
    tag: 'data_sources',
    summary: 'the catalog’s data sources with the scope codes each supports, by id',
    query: { ...PAGING_PARAMS },
    response: pageSchema(dataSourceSchema),
    handle: ({ schema, context, query, url, config }) =>
      paginate(
        url,
        pageRequest(query, config.fhir.maxPageSkip),
        // the catalog is a short list in GraphQL: paged here, over one read of it
        listConnection(
          async () => (await runGraphQL<{ dataSources: DataSourceNode[] }>(schema, context, DATA_SOURCES)).dataSources,
        ),
        toDataSource,
      ),
  },
  {
    method: 'post',
    path: '/data_sources',
    tag: 'data_sources',
    summary: 'adds a data source to the catalog (super users)',
    body: createBody,
    status: 201,
    response: dataSourceSchema,
    handle: async ({ schema, context, body }) =>
      toDataSource(
        (await runGraphQL<{ createDataSource: DataSourceNode }>(schema, context, CREATE, { input: input(body) }))
          .createDataSource,
      ),
  },
  // before /data_sources/:id, which would take `all_scopes` for an id (and answer 404)
  {
    method: 'get',
    path: '/data_sources/all_scopes',
    tag: 'data_sources',
    summary: 'every codeable concept (scope code) of the catalog',
    response: { type: 'array', items: codeSchema },
    handle: async ({ schema, context }) =>
      (await runGraphQL<{ codeableConcepts: CodeNode[] }>(schema, context, ALL_SCOPES)).codeableConcepts.map(toCode),
  },
  {
    method: 'get',
    path: '/data_sources/:id',
    tag: 'data_sources',
    summary: 'one data source',
    response: dataSourceSchema,
    handle: async ({ schema, context, params }) =>
      toDataSource(
        (await runGraphQL<{ dataSource: DataSourceNode }>(schema, context, DATA_SOURCE, { id: params.id })).dataSource,
      ),
  },
  {
    method: 'put',
    path: '/data_sources/:id',
    tag: 'data_sources',
    summary: 'changes a data source’s name and type (super users)',
    body: createBody,
    response: dataSourceSchema,
    handle: update,
  },
  {
    method: 'patch',
    path: '/data_sources/:id',
    tag: 'data_sources',
    summary: 'changes a data source’s name or type (super users)',
    body: patchBody,
    response: dataSourceSchema,
    handle: update,
  },
  {
    method: 'delete',
    path: '/data_sources/:id',
    tag: 'data_sources',
    summary: 'deletes a data source (super users); 409 while observations name it',
    status: 204,
    response: {},
    handle: deleteByPathId(DELETE),
  },
  {
    method: 'get',
    path: '/data_sources/:id/supported_scopes',
    tag: 'data_sources',
    summary: 'the scope codes the data source can deliver',
    response: { type: 'array', items: supportedScopeSchema },
    handle: async ({ schema, context, params }) => {
      const { dataSource } = await runGraphQL<{ dataSource: DataSourceNode }>(schema, context, DATA_SOURCE, {
        id: params.id,
      });
      return dataSource.supportedScopes.map((code) => supportedScope(dataSource, code));
    },
  },
  {
    method: 'post',
    path: '/data_sources/:id/supported_scopes',
    tag: 'data_sources',
    summary: 'lets the data source deliver one more scope code (super users; 409 if it already does)',
    body: scopeCodeBody,
    status: 201,
    response: supportedScopeSchema,
    handle: async ({ schema, context, params, body }) => {
      const { scopeCodeId } = body as { scopeCodeId: number };
      const { addDataSourceScope: source } = await runGraphQL<{ addDataSourceScope: DataSourceNode }>(
        schema,
        context,
        ADD_SCOPE,
        { id: params.id, codeId: String(scopeCodeId) },
      );
      return supportedScope(source, linked(source.supportedScopes, scopeCodeId));
    },
  },
  {
    method: 'delete',
    path: '/data_sources/:id/supported_scopes',
    tag: 'data_sources',
    summary: 'stops the data source delivering a scope code (super users)',
    body: scopeCodeBody,
    status: 204,
    response: {},
    handle: async ({ schema, context, params, body }) => {
      const { scopeCodeId } = body as { scopeCodeId: number };
      await runGraphQL(schema, context, REMOVE_SCOPE, { id: params.id, codeId: String(scopeCodeId) });
      return undefined;
    },
  },
];
