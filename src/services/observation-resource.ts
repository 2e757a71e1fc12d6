import { OMH_SYSTEM } from '../../omh/validator.js';
import { InvalidError } from '../errors.js';
import { describeValueIssue, findValueIssue, MAX_INPUT_STRING } from '../input-limits.js';
import { fhirStructureIssue } from './fhir-observation-schema.js';
import { resourceEffectiveTime } from './observation-effective.js';
import {
  coding,
  draftObservation,
  type FhirShapedObservation,
  identifiers,
  type ObservationDraft,
  reference,
  type ResourceDraft,
  status,
} from './observation-inputs.js';

/** as large as the largest Open mHealth attachment */
const MAX_RESOURCE_BYTES = 256 * 1024;
/**
 * FHIR's bound on a string; nesting far deeper than any Observation needs (the schema validator recurses), and
 * 4 levels less than GraphQL's bound on variables, in which a resource sits 3 levels down
 * (`observations[i].resource`): a resource the FHIR facade accepts never fails a whole batch's variables.
 */
export const RESOURCE_LIMITS = { maxDepth: 28, maxString: MAX_INPUT_STRING };
/** codings of one code (e.g. LOINC and SNOMED CT and a local one); one of the catalog's gates consent */
const MAX_CODINGS = 10;
const OMH_FIELDS = ['status', 'code', 'subject', 'device', 'identifier', 'valueAttachment'] as const;

const invalid = (message: string, path: string) => new InvalidError(message, path);
const pointer = (path: (string | number)[]) => path.map((key) => `/${key}`).join('');

/** What the R5 JSON Schema cannot say, nor the gateway store: limits, a single value[x], the schema itself. */
function checkStructure(resource: Record<string, unknown>): void {
  if (resource.resourceType !== 'Observation') throw invalid('/resourceType must be "Observation"', '/resourceType');
  const valueIssue = findValueIssue(resource, RESOURCE_LIMITS);
  if (valueIssue) {
    const path = pointer(valueIssue.path);
    throw invalid(`${path} ${describeValueIssue(valueIssue)}`, path);
  }
  const values = Object.keys(resource).filter((key) => /^value[A-Z]/.test(key));
  if (values.length > 1)
    throw invalid(`Observation may have one value[x] only (got ${values.join(', ')})`, '/value[x]');
  const issue = fhirStructureIssue(resource);
  if (issue) {
    const path = issue.path === '/' ? '' : issue.path;
    throw invalid(`Observation${path.replaceAll('/', '.')} ${issue.message}`, path || '/');
  }
}

/** Identifiers as the gateway keeps them unique: each needs a system and a value. */
function identifierPairs(list: unknown) {
  const given = (Array.isArray(list) ? list : []) as { system?: unknown; value?: unknown }[];
  if (given.some((i) => typeof i.system !== 'string' || typeof i.value !== 'string')) {
    throw invalid('each /identifier needs system and value', '/identifier');
  }
  return identifiers(given.map((i) => ({ system: i.system as string, value: i.value as string })));
}

/** The resource as stored: less its id and the meta the gateway writes itself (lastUpdated, versionId). */
function storedForm(resource: Record<string, unknown>): string {
  const { id: _id, meta, ...rest } = resource;
  const { lastUpdated: _at, versionId: _v, ...keptMeta } = (meta ?? {}) as Record<string, unknown>;
  const json = JSON.stringify(Object.keys(keptMeta).length ? { ...rest, meta: keptMeta } : rest);
  if (Buffer.byteLength(json) > MAX_RESOURCE_BYTES) {
    throw invalid(`/resource is larger than ${MAX_RESOURCE_BYTES} bytes`, '/resource');
  }
  return json;
}

/**
 * An R5 Observation other than Open mHealth, step by step: its structure (R5 JSON Schema), then what the schema
 * does not check and the gateway needs: a status code, codings of which the first in the catalog gates consent (no Open mHealth one,
 * whose data point comes as valueAttachment, checked against its own schema), `subject` Patient/<id>, `device`
 * Device/<id>, an effective time, identifiers with system and value.
 */
export function draftResourceObservation(resource: Record<string, unknown>): ResourceDraft {
  checkStructure(resource);
  if (resource.valueAttachment !== undefined) {
    throw invalid(
      '/valueAttachment: an observation with an attachment is an Open mHealth upload (code, subject, device, valueAttachment)',
      '/valueAttachment',
    );
  }
  if (typeof resource.status !== 'string') throw invalid('/status is required', '/status');
  const code = resource.code as { coding?: { system?: unknown; code?: unknown }[] };
  const given = code.coding ?? [];
  if (given.length === 0 || given.length > MAX_CODINGS) {
    throw invalid(`/code/coding needs 1 to ${MAX_CODINGS} codings with system and code`, '/code/coding');
  }
  if (given.some((c) => typeof c.system !== 'string' || typeof c.code !== 'string')) {
    throw invalid('/code/coding: each coding needs system and code', '/code/coding');
  }
  const codings = (given as { system: string; code: string }[]).map((one) => coding({ coding: [one] }));
  const theCoding = codings[0]!;
  if (codings.some((one) => one.system === OMH_SYSTEM)) {
    throw invalid(
      '/valueAttachment is required: Open mHealth codes carry their data point as valueAttachment',
      '/valueAttachment',
    );
  }
  const subject = (resource.subject as { reference?: unknown } | undefined)?.reference;
  if (typeof subject !== 'string') throw invalid('/subject/reference (Patient/<id>) is required', '/subject');
  const device = (resource.device as { reference?: unknown } | undefined)?.reference;
  if (typeof device !== 'string') throw invalid('/device/reference (Device/<id>) is required', '/device');
  return {
    kind: 'resource',
    patientId: reference(subject, 'Patient', '/subject/reference'),
    dataSourceId: reference(device, 'Device', '/device/reference'),
    coding: theCoding,
    codings,
    status: status(resource.status),
    identifiers: identifierPairs(resource.identifier),
    effectiveTime: resourceEffectiveTime(resource),
    resourceJson: storedForm(resource),
  };
}

/** One upload in either form: the whole Observation as `resource`, or the Open mHealth fields. */
export function draftUpload(input: FhirShapedObservation): ObservationDraft {
  if (!input.resource) return draftObservation(input);
  const mixed = OMH_FIELDS.filter((field) => input[field] !== null && input[field] !== undefined);
  if (mixed.length > 0) {
    throw invalid(
      `/resource: give the whole Observation or the Open mHealth fields, not both (got ${mixed.join(', ')})`,
      '/resource',
    );
  }
  return draftResourceObservation(input.resource);
}
