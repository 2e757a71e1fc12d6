import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);

/**
 * The official FHIR R5 JSON Schema (npm package hl7.fhir.r5.core) compiled once for Observation.
 * Adjustments: the draft-06 meta-schema is registered; `ResourceList` (contained resources) is reduced to
 * "an object", so compiling Observation does not pull in every resource type; and the schema's `id` is
 * dropped in favour of ajv's `$id`. The schema checks structure and types, not code values.
 */
function compileObservationSchema(): ValidateFunction {
  const schema = structuredClone(require('hl7.fhir.r5.core/openapi/fhir.schema.json')) as {
    id?: string;
    $id?: string;
    definitions: Record<string, unknown>;
  };
  delete schema.id;
  schema.$id = 'http://hl7.org/fhir/json-schema/5.0';
  schema.definitions.ResourceList = { type: 'object' };
  // unicodeRegExp off: the R5 decimal pattern has a stray '}' that only non-unicode regular expressions accept
  const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false, unicodeRegExp: false });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
  ajv.addSchema(schema);
  const validate = ajv.getSchema('http://hl7.org/fhir/json-schema/5.0#/definitions/Observation');
  if (!validate) throw new Error('FHIR schema has no Observation definition');
  return validate;
}

let observationValidator: ValidateFunction | undefined;

export interface StructureIssue {
  path: string;
  message: string;
}

/** The first structural problem of an Observation resource according to the R5 schema, or null. */
export function fhirStructureIssue(resource: unknown): StructureIssue | null {
  observationValidator ??= compileObservationSchema();
  if (observationValidator(resource)) return null;
  return describe(observationValidator.errors?.[0]);
}

function describe(error: ErrorObject | undefined): StructureIssue {
  if (!error) return { path: '', message: 'is not a valid FHIR Observation' };
  const path = error.instancePath || '/';
  if (error.keyword === 'additionalProperties') {
    return { path, message: `has an unknown element "${String(error.params.additionalProperty)}"` };
  }
  if (error.keyword === 'required') return { path, message: `is missing "${String(error.params.missingProperty)}"` };
  return { path, message: error.message ?? 'is invalid' };
}
