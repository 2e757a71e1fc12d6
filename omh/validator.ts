import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { describeProblem, type OmhError } from './errors.js';
import { schemas } from './schemas/index.js';

export type { OmhError } from './errors.js';

export const OMH_SYSTEM = 'https://w3id.org/openmhealth';
const DATA_POINT_SCHEMA = 'https://w3id.org/ieee/ieee-1752-schema/data-point-1.0.json';
const MEASURE_SCHEMA_BASE = 'https://w3id.org/openmhealth/schemas/omh/';

/** The data points the gateway accepts, as FHIR codings name them (`omh:<schema>:<version>`). */
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

export type OmhCode = (typeof SUPPORTED_OMH_CODES)[number];

/** `valid: false` carries the first problem found. */
export type OmhValidation = { valid: true } | { valid: false; errors: OmhError[] };

export interface OmhValidator {
  validate(code: string, dataPoint: unknown): OmhValidation;
}

export function parseOmhCode(code: string): { name: string; version: string } | null {
  const match = typeof code === 'string' ? /^omh:([a-z0-9-]+):(\d+\.\d+)$/.exec(code) : null;
  return match ? { name: match[1]!, version: match[2]! } : null;
}

let compilations = 0;

/** How many times the schemas have been compiled in this process: 1, however many data points are validated. */
export function omhSchemaCompilations(): number {
  return compilations;
}

const invalid = (path: string, message: string): OmhValidation => ({ valid: false, errors: [{ path, message }] });

/** The header must name the schema the code names. A malformed schema_id is left to the header schema to report. */
function schemaIdMismatch(code: string, dataPoint: unknown): OmhValidation | null {
  const schemaId = (dataPoint as { header?: { schema_id?: Record<string, unknown> } } | null)?.header?.schema_id;
  const { namespace, name, version } = (schemaId ?? {}) as Record<string, unknown>;
  if (typeof namespace !== 'string' || typeof name !== 'string' || typeof version !== 'string') return null;
  const expected = parseOmhCode(code)!;
  if (namespace === 'omh' && name === expected.name && version === expected.version) return null;
  return invalid(
    '/header/schema_id',
    `must be {namespace: omh, name: ${expected.name}, version: ${expected.version}} to match the code ${code}` +
      ` (found ${namespace}:${name}:${version})`,
  );
}

/** Compiles every schema, once per call: expensive, so the module keeps one validator for the process. */
export function createOmhValidator(): OmhValidator {
  compilations += 1;
  // strictTypes and strictRequired would refuse the official idioms: allOf/oneOf branches with only `required`
  // or `properties`; verbose gives the error formatter the oneOf branches.
  const ajv = new Ajv({ schemas, strict: true, strictTypes: false, strictRequired: false, verbose: true });
  ajvFormats.default(ajv, ['date-time', 'uuid']);
  const byCode = new Map<string, ValidateFunction>();
  for (const code of SUPPORTED_OMH_CODES) {
    const { name, version } = parseOmhCode(code)!;
    const body = { $ref: `${MEASURE_SCHEMA_BASE}${name}-${version}.json` };
    byCode.set(code, ajv.compile({ allOf: [{ $ref: DATA_POINT_SCHEMA }], properties: { body } }));
  }
  return {
    validate(code, dataPoint) {
      const validateDataPoint = byCode.get(code);
      if (!validateDataPoint) {
        return invalid('', `${code} is not a supported Open mHealth code (${SUPPORTED_OMH_CODES.join(', ')})`);
      }
      const mismatch = schemaIdMismatch(code, dataPoint);
      if (mismatch) return mismatch;
      if (validateDataPoint(dataPoint)) return { valid: true };
      return { valid: false, errors: [describeProblem(validateDataPoint.errors)] };
    },
  };
}

const validator = createOmhValidator();

/**
 * Validates an Open mHealth data point ({header, body}) for its coding's code: the code must be supported,
 * `header.schema_id` must name the same schema, and header and body must satisfy their schemas.
 */
export function validateOmhDataPoint(code: string, dataPoint: unknown): OmhValidation {
  return validator.validate(code, dataPoint);
}
