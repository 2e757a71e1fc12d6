import { fhirStructureIssue } from '../fhir-schema.js';
import { FhirError } from '../outcome.js';

/** FHIR R5 ObservationStatus codes: the schema checks the type, this the value. */
const STATUSES = new Set([
  'registered',
  'preliminary',
  'final',
  'amended',
  'corrected',
  'cancelled',
  'entered-in-error',
  'unknown',
]);
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/** What the GraphQL `uploadObservations` mutation takes for one observation. */
export interface ObservationUpload {
  status: string;
  code: { coding: { system: string; code: string }[] };
  subject: { reference: string };
  device: { reference: string };
  identifier?: { system: string; value: string }[];
  valueAttachment: { contentType: string; data: string };
}

const invalid = (message: string, path: string) => new FhirError(400, 'structure', message, path);
const unprocessable = (message: string, path: string) => new FhirError(422, 'value', message, path);

function reference(value: unknown, type: 'Patient' | 'Device', path: string): string {
  const ref = (value as { reference?: unknown } | undefined)?.reference;
  if (typeof ref !== 'string' || !new RegExp(`^${type}/[1-9]\\d{0,15}$`).test(ref)) {
    throw unprocessable(`${path}.reference must be "${type}/<id>"`, `${path}.reference`);
  }
  return ref;
}

/**
 * Checks one Observation resource the way the gateway accepts them: valid R5 structure, a known status,
 * exactly one coding, `subject` a Patient and `device` a Device, an `application/json` base64 attachment.
 * Throws a FhirError naming the element; returns the mutation input.
 */
export function checkObservation(resource: unknown): ObservationUpload {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    throw invalid('The resource must be a JSON object', 'Observation');
  }
  const r = resource as Record<string, unknown>;
  if (r.resourceType !== 'Observation') throw invalid('resourceType must be "Observation"', 'Observation.resourceType');
  const issue = fhirStructureIssue(resource);
  if (issue)
    throw invalid(
      `Observation${issue.path === '/' ? '' : issue.path.replaceAll('/', '.')} ${issue.message}`,
      `Observation${issue.path.replaceAll('/', '.')}`,
    );
  if (typeof r.status !== 'string' || !STATUSES.has(r.status)) {
    throw unprocessable(`Observation.status must be one of ${[...STATUSES].join(', ')}`, 'Observation.status');
  }
  const coding = (r.code as { coding?: { system?: string; code?: string }[] }).coding;
  if (!coding || coding.length !== 1 || !coding[0]?.system || !coding[0]?.code) {
    throw unprocessable(
      'Observation.code must have exactly one coding with system and code',
      'Observation.code.coding',
    );
  }
  const attachment = r.valueAttachment as { contentType?: string; data?: string } | undefined;
  if (!attachment)
    throw unprocessable(
      'Observation.valueAttachment (the Open mHealth JSON) is required',
      'Observation.valueAttachment',
    );
  if (attachment.contentType !== 'application/json') {
    throw unprocessable(
      'Observation.valueAttachment.contentType must be application/json',
      'Observation.valueAttachment.contentType',
    );
  }
  if (!attachment.data || !BASE64.test(attachment.data)) {
    throw unprocessable('Observation.valueAttachment.data must be base64', 'Observation.valueAttachment.data');
  }
  return {
    status: r.status,
    code: { coding: [{ system: coding[0].system, code: coding[0].code }] },
    subject: { reference: reference(r.subject, 'Patient', 'Observation.subject') },
    device: { reference: reference(r.device, 'Device', 'Observation.device') },
    identifier: (r.identifier as { system?: string; value?: string }[] | undefined)?.map((id, i) => {
      if (!id.system || !id.value) {
        throw unprocessable('each Observation.identifier needs system and value', `Observation.identifier[${i}]`);
      }
      return { system: id.system, value: id.value };
    }),
    valueAttachment: { contentType: attachment.contentType, data: attachment.data },
  };
}
