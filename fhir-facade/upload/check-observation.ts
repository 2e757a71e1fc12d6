import { describeValueIssue, findValueIssue, MAX_INPUT_STRING, type ValuePath } from '../../src/input-limits.js';
import { RESOURCE_LIMITS as GENERIC_RESOURCE_LIMITS } from '../../src/services/observation-resource.js';
import { fhirStructureIssue } from '../fhir-schema.js';
import { FhirError } from '../outcome.js';

/** What the GraphQL `uploadObservations` mutation takes for one Open mHealth observation. */
export interface OmhUpload {
  status?: string;
  code: { coding: { system: string; code: string }[] };
  subject: { reference: string };
  device: { reference: string };
  identifier?: { system: string; value: string }[];
  valueAttachment: { contentType: string; data: string };
}

/** … or for any other R5 Observation: the resource whole, which the upload service checks on. */
export type ObservationUpload = OmhUpload | { resource: Record<string, unknown> };

const structure = (message: string, path: string) => new FhirError(400, 'structure', message, path);
const required = (message: string, path: string) => new FhirError(422, 'required', message, path);

/**
 * Checked before the R5 schema, whose validator recurses into every level: FHIR's own bound on strings (1 MB),
 * no NUL characters, and a nesting far deeper than any Observation needs (extensions of extensions included).
 */
export const RESOURCE_LIMITS = { maxDepth: 32, maxString: MAX_INPUT_STRING };

/** A FHIRPath-like location: Observation.identifier[0].value */
const fhirPath = (path: ValuePath) =>
  path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${key}`), 'Observation');

/** A resource passed on whole must fit in GraphQL's variables, a few levels down (see RESOURCE_LIMITS). */
function withinDepth(r: Record<string, unknown>): Record<string, unknown> {
  const issue = findValueIssue(r, GENERIC_RESOURCE_LIMITS);
  if (issue) {
    const path = fhirPath(issue.path);
    throw structure(`${path} ${describeValueIssue(issue)}`, path);
  }
  return r;
}

/** An Observation has one value[x] at most (FHIR's invariant obs-7 family; the JSON Schema does not say it). */
function checkSingleValue(r: Record<string, unknown>) {
  const values = Object.keys(r).filter((key) => /^value[A-Z]/.test(key));
  if (values.length > 1) {
    throw structure(`Observation may have one value[x] only (got ${values.join(', ')})`, 'Observation.value[x]');
  }
}

/**
 * The FHIR side of an upload: the resource must be a structurally valid R5 Observation (official JSON
 * Schema) carrying what the gateway needs (a coding, subject, device). With a valueAttachment it is an Open mHealth
 * upload, passed on as its fields; without, any other Observation, passed on whole. The values themselves
 * (status, references, the single coding, the effective time, the Open mHealth data) are checked once, by the
 * upload service.
 */
export function checkObservation(resource: unknown): ObservationUpload {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    throw structure('The resource must be a JSON object', 'Observation');
  }
  const r = resource as Record<string, unknown>;
  if (r.resourceType !== 'Observation')
    throw structure('resourceType must be "Observation"', 'Observation.resourceType');
  const valueIssue = findValueIssue(resource, RESOURCE_LIMITS);
  if (valueIssue) {
    const path = fhirPath(valueIssue.path);
    throw structure(`${path} ${describeValueIssue(valueIssue)}`, path);
  }
  checkSingleValue(r);
  const issue = fhirStructureIssue(resource);
  if (issue) {
    const path = `Observation${issue.path === '/' ? '' : issue.path.replaceAll('/', '.')}`;
    throw structure(`${path} ${issue.message}`, path);
  }
  const upload = r as unknown as Partial<OmhUpload>;
  // every field the GraphQL input types require must be there: a coercion error would fail the whole batch
  const coding = upload.code?.coding ?? [];
  if (!coding.length || coding.some((c) => typeof c.system !== 'string' || typeof c.code !== 'string')) {
    throw required('Observation.code.coding needs a coding with system and code', 'Observation.code.coding');
  }
  if (upload.identifier?.some((i) => typeof i.system !== 'string' || typeof i.value !== 'string')) {
    throw required('each Observation.identifier needs system and value', 'Observation.identifier');
  }
  if (typeof upload.subject?.reference !== 'string') {
    throw required('Observation.subject.reference (Patient/<id>) is required', 'Observation.subject');
  }
  if (typeof upload.device?.reference !== 'string') {
    throw required('Observation.device.reference (Device/<id>) is required', 'Observation.device');
  }
  const attachment = upload.valueAttachment;
  if (attachment === undefined) return { resource: withinDepth(r) };
  if (typeof attachment?.contentType !== 'string' || typeof attachment.data !== 'string') {
    throw required('Observation.valueAttachment with contentType and data is required', 'Observation.valueAttachment');
  }
  return {
    status: typeof r.status === 'string' ? r.status : undefined,
    code: { coding: coding.map(({ system, code }) => ({ system, code })) },
    subject: { reference: upload.subject.reference },
    device: { reference: upload.device.reference },
    identifier: upload.identifier?.map(({ system, value }) => ({ system, value })),
    valueAttachment: { contentType: attachment.contentType, data: attachment.data },
  };
}
