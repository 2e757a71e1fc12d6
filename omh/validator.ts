import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { schemas } from './schemas/index.js';

export const OMH_SYSTEM = 'https://w3id.org/openmhealth';
const SCHEMA_BASE = 'https://w3id.org/openmhealth/schemas/omh/';

/** The codes the gateway validates, as FHIR codings name them (`omh:<schema>:<version>`). */
export const SUPPORTED_OMH_CODES = [
  'omh:blood-glucose:4.0',
  'omh:blood-pressure:4.0',
  'omh:body-temperature:4.0',
  'omh:heart-rate:2.0',
  'omh:oxygen-saturation:2.0',
  'omh:respiratory-rate:2.0',
  'omh:rr-interval:1.0',
  'omh:body-weight:3.0',
  'omh:physical-activity:1.2',
  'omh:step-count:3.0',
  'omh:sleep-episode:1.1',
  'omh:sleep-duration:2.0',
] as const;

export interface OmhError {
  /** JSON pointer into the data point, e.g. /body/heart_rate/unit */
  path: string;
  message: string;
}

export type OmhValidation = { valid: true } | { valid: false; errors: OmhError[] };

export function parseOmhCode(code: string): { name: string; version: string } | null {
  const match = /^omh:([a-z0-9-]+):(\d+\.\d+)$/.exec(code);
  return match ? { name: match[1]!, version: match[2]! } : null;
}

/** Compiled once, at first import: one validator per supported code, for a whole data point. */
function compile(): Map<string, ValidateFunction> {
  // strict, except the checks that refuse the usual oneOf/anyOf-of-required idiom of the time frame schemas
  const ajv = new Ajv({ allErrors: false, strict: true, strictRequired: false, strictTypes: false, schemas });
  ajvFormats.default(ajv, ['date-time', 'uuid']);
  const validators = new Map<string, ValidateFunction>();
  for (const code of SUPPORTED_OMH_CODES) {
    const { name, version } = parseOmhCode(code)!;
    validators.set(
      code,
      ajv.compile({
        $id: `${SCHEMA_BASE}${name}-${version}-data-point`,
        type: 'object',
        allOf: [{ $ref: `${SCHEMA_BASE}data-point-1.0.json` }],
        properties: { body: { $ref: `${SCHEMA_BASE}${name}-${version}.json` } },
      }),
    );
  }
  return validators;
}

const validators = compile();

function describe(error: ErrorObject): OmhError {
  const path = error.instancePath || '/';
  if (error.keyword === 'enum') {
    return { path, message: `must be one of: ${(error.params.allowedValues as unknown[]).join(', ')}` };
  }
  if (error.keyword === 'required') {
    const missing = String(error.params.missingProperty);
    return { path: `${error.instancePath}/${missing}`, message: 'is required' };
  }
  if (error.keyword === 'format') return { path, message: `must be a valid ${String(error.params.format)}` };
  return { path, message: error.message ?? 'is invalid' };
}

/**
 * Validates an Open mHealth data point ({header, body}) for the coding's code: the code must be supported,
 * `header.schema_id` must name the same schema, and the body must satisfy the measure's schema.
 */
export function validateOmhDataPoint(code: string, dataPoint: unknown): OmhValidation {
  const validate = validators.get(code);
  if (!validate) {
    return {
      valid: false,
      errors: [
        { path: '/', message: `${code} is not a supported Open mHealth code (${SUPPORTED_OMH_CODES.join(', ')})` },
      ],
    };
  }
  const mismatch = schemaIdMismatch(code, dataPoint);
  if (mismatch) return { valid: false, errors: [mismatch] };
  if (!validate(dataPoint)) return { valid: false, errors: (validate.errors ?? []).map(describe) };
  return { valid: true };
}

/** The header must name the schema the coding names (when it names one at all: the schema reports absence). */
function schemaIdMismatch(code: string, dataPoint: unknown): OmhError | null {
  const schemaId = (dataPoint as { header?: { schema_id?: Record<string, unknown> } } | null)?.header?.schema_id;
  if (typeof schemaId !== 'object' || schemaId === null) return null;
  const expected = parseOmhCode(code)!;
  if (schemaId.namespace === 'omh' && schemaId.name === expected.name && schemaId.version === expected.version)
    return null;
  return {
    path: '/header/schema_id',
    message: `must be omh ${expected.name} ${expected.version} to match the coding ${code} (got ${String(schemaId.namespace)} ${String(schemaId.name)} ${String(schemaId.version)})`,
  };
}
