import {
  defaultFieldResolver,
  getNamedType,
  GraphQLError,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  isObjectType,
} from 'graphql';
import { outcomeOfErrorCode } from '../../src/audit/event.js';
import { isDatabaseTimeout } from '../../src/db/statement-timeout.js';
import { DomainError } from '../../src/errors.js';
import type { GraphQLContext } from '../context.js';
import { domainToGraphQLError } from '../errors.js';
import { type AuditEntry } from './request-audit.js';
import { argumentIds } from './ids.js';
import {
  AGGREGATE_OF,
  AUDITED_FIELDS,
  type AuditedField,
  CONNECTION_TYPES,
  PATIENT_OF,
  RESOURCE_OF,
} from './fields.js';
import { auditParams } from './params.js';

type Resolver = GraphQLFieldResolver<unknown, GraphQLContext, Record<string, unknown>>;

const isPromise = (value: unknown): value is Promise<unknown> =>
  typeof (value as Promise<unknown> | null)?.then === 'function';

/** The code an error is answered with: a domain error's, a GraphQL error's extensions.code, else INTERNAL. */
function errorCode(error: unknown): string {
  if (error instanceof DomainError) return String(domainToGraphQLError(error).extensions.code);
  if (isDatabaseTimeout(error)) return 'TIMEOUT';
  if (error instanceof GraphQLError) {
    const original = error.originalError;
    if (original instanceof DomainError) return errorCode(original);
    return String(error.extensions?.code ?? 'INTERNAL');
  }
  return 'INTERNAL';
}

/** Counts and attributes what a field returned: its rows (one value, or a list) and their patients. */
function addRows(entry: AuditEntry, info: GraphQLResolveInfo, value: unknown) {
  const typeName = getNamedType(info.returnType).name;
  if (CONNECTION_TYPES.includes(typeName)) return; // its nodes/edges count the rows
  const values = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
  const aggregateOf = AGGREGATE_OF[typeName];
  if (aggregateOf) {
    entry.addRows(0); // an empty aggregate read nothing, and says so
    for (const aggregate of values.map((v) => aggregateOf(v as Record<string, unknown>))) {
      entry.addRows(aggregate.rows);
      entry.addIds('patientIds', aggregate.patientIds);
    }
    return;
  }
  entry.addRows(values.length);
  const resourceOf = RESOURCE_OF[typeName];
  if (resourceOf && entry.event.action !== 'search') {
    entry.addIds(
      'resourceIds',
      values.map((v) => resourceOf(v as Record<string, unknown>)),
    );
  }
  const patientOf = PATIENT_OF[typeName];
  if (patientOf && entry.event.resourceType !== 'AuditEvent') {
    entry.addIds(
      'patientIds',
      values.map((v) => patientOf(v as Record<string, unknown>)),
    );
  }
}

function audited(resolve: Resolver, field: GraphQLField<unknown, unknown>, spec: AuditedField): Resolver {
  return (source, args, ctx, info) => {
    const entry = ctx.audit.entry(info, spec, () => auditParams(args, field.args, ctx.auth.config.audit.hashKey));
    const ids = argumentIds(spec, info, source, args);
    entry.addIds('resourceIds', ids.resourceIds);
    if (spec.resourceType !== 'AuditEvent') entry.addIds('patientIds', ids.patientIds);
    const fail = (error: unknown) => {
      const code = errorCode(error);
      entry.fail(code, outcomeOfErrorCode(code));
    };
    const settle = (value: unknown) => {
      if (value instanceof Error) fail(value);
      else addRows(entry, info, value);
      return value;
    };
    try {
      const value = resolve(source, args, ctx, info);
      return isPromise(value)
        ? value.then(settle, (error: unknown) => {
            fail(error);
            throw error;
          })
        : settle(value);
    } catch (error) {
      fail(error);
      throw error;
    }
  };
}

/** A connection's `nodes` or `edges`: the rows of the audited field that returned the connection. */
function connectionRows(resolve: Resolver, nodeType: string, edges: boolean): Resolver {
  const patientOf = PATIENT_OF[nodeType];
  const count = (ctx: GraphQLContext, info: GraphQLResolveInfo, list: unknown) => {
    const entry = Array.isArray(list) ? ctx.audit.connectionEntry(info) : null;
    if (!entry) return list;
    const rows = list as Record<string, unknown>[];
    entry.addRows(rows.length);
    if (patientOf && entry.event.resourceType !== 'AuditEvent') {
      entry.addIds(
        'patientIds',
        rows.map((row) => patientOf((edges ? row.node : row) as Record<string, unknown>)),
      );
    }
    return list;
  };
  return (source, args, ctx, info) => {
    const value = resolve(source, args, ctx, info);
    return isPromise(value) ? value.then((list) => count(ctx, info, list)) : count(ctx, info, value);
  };
}

/**
 * Puts the audit trail around the executable schema: every field of AUDITED_FIELDS records its event (outside
 * the shield, so that the policy's refusals are recorded as denials), and the connections they return count
 * their rows. Whatever runs the schema (Apollo for /graphql, graphql-jit for the faces) records the same.
 */
export function auditSchema(schema: GraphQLSchema): GraphQLSchema {
  for (const [typeName, fields] of Object.entries(AUDITED_FIELDS)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`audited type ${typeName} is not in the schema`);
    for (const [fieldName, spec] of Object.entries(fields)) {
      const field = type.getFields()[fieldName];
      if (!field) throw new Error(`audited field ${typeName}.${fieldName} is not in the schema`);
      field.resolve = audited((field.resolve ?? defaultFieldResolver) as Resolver, field, spec);
    }
  }
  for (const typeName of CONNECTION_TYPES) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) continue;
    const nodeType = typeName.replace(/Connection$/, '');
    for (const fieldName of ['nodes', 'edges']) {
      const field = type.getFields()[fieldName]!;
      field.resolve = connectionRows(
        (field.resolve ?? defaultFieldResolver) as Resolver,
        nodeType,
        fieldName === 'edges',
      );
    }
  }
  return schema;
}
