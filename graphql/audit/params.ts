import {
  type GraphQLArgument,
  type GraphQLInputType,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isScalarType,
} from 'graphql';
import { redactedValue } from '../../src/audit/redact.js';

/** Strings that are codes, references or cursors, never a person's details: kept as they are. */
const CODE_FIELDS = new Set(['after', 'system', 'code', 'codingSystem', 'codingCode', 'reference', 'contentType']);
/** Scalars whose values are ids, numbers, flags or times. */
const PLAIN_SCALARS = new Set(['ID', 'Int', 'Float', 'Boolean', 'DateTimeISO']);
/** Longer lists are recorded by their length (an upload of 1000 observations is its count, not its inputs). */
const MAX_LIST = 100;

/**
 * The arguments of an audited field as the trail keeps them: ids, codes, dates, numbers and enums as given;
 * any other text (an email, an identifier's value, a name, an observation's data) as its keyed hash; lists of
 * inputs and long lists as their length. No PHI value reaches the table.
 */
export function auditParams(
  args: Record<string, unknown>,
  definitions: readonly GraphQLArgument[],
  hashKey: string | undefined,
): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const definition of definitions) {
    const value = args[definition.name];
    if (value === undefined || value === null) continue;
    params[definition.name] = redact(definition.name, value, definition.type, hashKey);
  }
  return params;
}

function redact(name: string, value: unknown, type: GraphQLInputType, hashKey: string | undefined): unknown {
  const nullable = getNullableType(type);
  if (value === null || value === undefined) return null;
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return redact(name, value, nullable.ofType, hashKey);
    if (value.length > MAX_LIST || isInputObjectType(getNamedType(nullable))) return { count: value.length };
    return value.map((item) => redact(name, item, nullable.ofType, hashKey));
  }
  if (isInputObjectType(nullable)) {
    const fields = nullable.getFields();
    const shown: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const field = fields[key];
      if (field && item !== undefined && item !== null) shown[key] = redact(key, item, field.type, hashKey);
    }
    return shown;
  }
  if (isEnumType(nullable)) return value;
  if (isScalarType(nullable) && PLAIN_SCALARS.has(nullable.name)) {
    return value instanceof Date ? value.toISOString() : value;
  }
  if (typeof value === 'string' && CODE_FIELDS.has(name)) return value.slice(0, 200);
  return redactedValue(typeof value === 'string' ? value : JSON.stringify(value), hashKey);
}
