import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { describeValueIssue, dottedPath, findValueIssue, MAX_INPUT_STRING } from '../src/input-limits.js';
import { RestError } from './errors.js';
import { PAGING_PARAMS } from './paging.js';
import type { JsonSchema, Route } from './route.js';

const ajv = new Ajv2020({ allErrors: false, strict: false, coerceTypes: false });
(ajvFormats as unknown as (a: Ajv2020) => void)(ajv);

/** The first problem, naming the field: "nameFamily: must be string", "email: is required". */
function describe(error: ErrorObject | undefined, where: string): string {
  if (!error) return `The ${where} is not valid`;
  const field = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return `${field ? `${field}.` : ''}${missing}: this field is required`;
  }
  if (error.keyword === 'additionalProperties') {
    return `${field ? `${field}.` : ''}${(error.params as { additionalProperty: string }).additionalProperty}: unknown parameter`;
  }
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ');
    return `${field || where}: must be one of ${allowed}`;
  }
  return `${field || where}: ${error.message ?? 'is not valid'}`;
}

export interface RouteValidators {
  query: (value: unknown) => void;
  body: (value: unknown) => void;
}

const check = (validate: ValidateFunction | null, where: string) => (value: unknown) => {
  if (validate && !validate(value)) throw new RestError(400, describe(validate.errors?.[0], where));
};

/**
 * A GET whose answer is not a page still takes DRF's paging parameters and ignores them, as JupyterHealth does
 * (its guide sends `pageSize` to `organizations/{id}/users`, a plain array); they are checked all the same.
 */
const IGNORED_PAGING = { page: PAGING_PARAMS.page, page_size: PAGING_PARAMS.page_size };

/** what a string of a body or query may hold where its schema names no maxLength */
export const DEFAULT_MAX_LENGTH = 10_000;

const isStringSchema = (schema: JsonSchema) =>
  schema.type === 'string' || (Array.isArray(schema.type) && schema.type.includes('string'));

/** A copy of `schema` (the route's own, small and finite) whose every string has a maxLength. */
function withStringBounds(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withStringBounds);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, withStringBounds(value)]));
  if (isStringSchema(copy) && copy.maxLength === undefined) copy.maxLength = DEFAULT_MAX_LENGTH;
  return copy;
}

/**
 * Before the casing and the schemas (both recurse): a body or query nested more than 32 levels, or holding a NUL
 * character anywhere (PostgreSQL stores none), is a 400 naming the field.
 */
export function checkValues(value: unknown, where: 'body' | 'query'): void {
  const issue = findValueIssue(value, { maxDepth: 32, maxString: MAX_INPUT_STRING });
  if (issue) throw new RestError(400, `${dottedPath(issue.path) || where}: ${describeValueIssue(issue)}`);
}

/** Compiles a route's query and body schemas once, at start-up; strings get DEFAULT_MAX_LENGTH where unbounded. */
export function routeValidators(route: Route): RouteValidators {
  const paged = route.query !== undefined && 'page_size' in route.query;
  const properties = { ...(route.method === 'get' && !paged ? IGNORED_PAGING : {}), ...route.query };
  const query: JsonSchema = { type: 'object', properties, additionalProperties: false };
  const compile = (schema: JsonSchema) => ajv.compile(withStringBounds(schema) as JsonSchema);
  const body = check(route.body ? compile(route.body) : null, 'body');
  return {
    query: check(compile(query), 'query'),
    body: route.optionalBody
      ? (value) => {
          if (value !== undefined) body(value);
        }
      : body,
  };
}
