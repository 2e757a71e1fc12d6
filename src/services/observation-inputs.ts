import { OMH_SYSTEM, validateOmhDataPoint } from '../../omh/validator.js';
import { OBSERVATION_STATUSES, type ObservationStatus } from '../db/entities/index.js';
import { InvalidError, NotFoundError } from '../errors.js';
import { describeValueIssue, findValueIssue } from '../input-limits.js';

/**
 * An observation as FHIR-shaped clients upload it (the GraphQL input and the FHIR facade's entries): an Open
 * mHealth data point as the fields below, or any other R5 Observation whole, as `resource`.
 */
export interface FhirShapedObservation {
  status?: string | null;
  code?: { coding: { system: string; code: string }[] } | null;
  subject?: { reference: string } | null;
  device?: { reference: string } | null;
  identifier?: { system: string; value: string }[] | null;
  valueAttachment?: { contentType: string; data: string } | null;
  resource?: Record<string, unknown> | null;
}

interface DraftFields {
  patientId: number;
  dataSourceId: number;
  coding: { system: string; code: string };
  status: ObservationStatus;
  identifiers: { system: string; value: string }[];
}

/** An Open mHealth data point, checked against its schema. */
export interface OmhDraft extends DraftFields {
  kind: 'omh';
  omh: Record<string, unknown>;
  /** `omh` as the JSON text it was uploaded as, stored as it is rather than written out again */
  omhJson: string;
}

/** Any other R5 Observation, checked against the R5 schema; its effective time read from its effective[x]. */
export interface ResourceDraft extends DraftFields {
  kind: 'resource';
  /** every coding of its code, in order (`coding` is the first); the first the catalog holds gates its consent */
  codings: { system: string; code: string }[];
  /** the resource as stored: as uploaded, less its id and the meta the gateway writes */
  resourceJson: string;
  effectiveTime: Date;
}

export type ObservationDraft = OmhDraft | ResourceDraft;

const MAX_ATTACHMENT_BYTES = 256 * 1024;
/** the columns codings and identifiers are stored in (varchar(255)) */
const MAX_TEXT = 255;
const MAX_IDENTIFIERS = 20;
/** far deeper than any Open mHealth data point; PostgreSQL's jsonb parser recurses too */
const MAX_OMH_DEPTH = 32;

/** A coding's or identifier's text: stored in a varchar(255) column, which holds no NUL character. */
function text(value: string, path: string): string {
  if (value.length === 0) throw new InvalidError(`${path} must not be empty`, path);
  if (value.length > MAX_TEXT) throw new InvalidError(`${path} must be at most ${MAX_TEXT} characters`, path);
  if (value.includes('\u0000')) throw new InvalidError(`${path} must not contain NUL characters (\\u0000)`, path);
  return value;
}

export function identifiers(list: FhirShapedObservation['identifier']) {
  if (!list) return [];
  if (list.length > MAX_IDENTIFIERS) {
    throw new InvalidError(`/identifier must hold at most ${MAX_IDENTIFIERS} identifiers`, '/identifier');
  }
  return list.map(({ system, value }, i) => ({
    system: text(system, `/identifier/${i}/system`),
    value: text(value, `/identifier/${i}/value`),
  }));
}

const REFERENCE = { Patient: /^Patient\/([1-9]\d{0,15})$/, Device: /^Device\/([1-9]\d{0,15})$/ };

/** the largest id the tables hold (int4) */
const MAX_ID = 2 ** 31 - 1;

export function reference(value: string, type: keyof typeof REFERENCE, path: string): number {
  const match = REFERENCE[type].exec(value);
  if (!match) throw new InvalidError(`${path} must be "${type}/<id>", got "${value.slice(0, 100)}"`, path);
  const id = Number(match[1]);
  // as checkUpload answers for an id no row has
  if (id > MAX_ID && type === 'Patient') throw new NotFoundError('Patient', id);
  if (id > MAX_ID) throw new InvalidError(`/device: Device/${id} does not exist`, path);
  return id;
}

export function status(value: string | null | undefined): ObservationStatus {
  const given = value ?? 'final';
  if (!(OBSERVATION_STATUSES as readonly string[]).includes(given)) {
    throw new InvalidError(`/status must be one of ${OBSERVATION_STATUSES.join(', ')}`, '/status');
  }
  return given as ObservationStatus;
}

export function coding(code: { coding: { system: string; code: string }[] }) {
  if (code.coding.length !== 1) throw new InvalidError('/code/coding must hold exactly one coding', '/code/coding');
  const { system, code: value } = code.coding[0]!;
  return { system: text(system, '/code/coding/0/system'), code: text(value, '/code/coding/0/code') };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The base64 text without the line breaks and spaces it may carry; null if it is not base64. */
function base64Text(data: string): string | null {
  if (BASE64.test(data)) return data;
  const compact = data.replace(/\s+/g, '');
  return BASE64.test(compact) ? compact : null;
}

/** The attachment's base64 JSON, decoded: an object (an Open mHealth data point) and its text, or an error saying why not. */
function decodeAttachment(attachment: { contentType: string; data: string }) {
  if (attachment.contentType !== 'application/json') {
    throw new InvalidError('/valueAttachment/contentType must be application/json', '/valueAttachment/contentType');
  }
  const compact = base64Text(attachment.data);
  if (compact === null || compact.length % 4 === 1) {
    throw new InvalidError('/valueAttachment/data must be base64', '/valueAttachment/data');
  }
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length > MAX_ATTACHMENT_BYTES) {
    throw new InvalidError(
      `/valueAttachment/data is larger than ${MAX_ATTACHMENT_BYTES} bytes`,
      '/valueAttachment/data',
    );
  }
  const json = bytes.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new InvalidError('/valueAttachment/data does not decode to JSON', '/valueAttachment/data');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidError(
      '/valueAttachment/data must decode to a JSON object (an Open mHealth data point)',
      '/valueAttachment/data',
    );
  }
  const issue = findValueIssue(parsed, { maxDepth: MAX_OMH_DEPTH, maxString: MAX_ATTACHMENT_BYTES });
  if (issue) {
    const path = `/valueAttachment/data${issue.path.map((key) => `/${key}`).join('')}`;
    throw new InvalidError(`${path} ${describeValueIssue(issue)}`, path);
  }
  return { omh: parsed as Record<string, unknown>, json };
}

/** Checks the data point against the Open mHealth schema its coding names; paths point into the attachment. */
function validateOmh(code: string, omh: Record<string, unknown>): void {
  const result = validateOmhDataPoint(code, omh);
  if (result.valid) return;
  const [first] = result.errors;
  const path = `/valueAttachment/data${first?.path ?? ''}`;
  throw new InvalidError(`Open mHealth ${code}: ${first?.path || '/'} ${first?.message ?? 'is invalid'}`, path);
}

/** A field of the Open mHealth form; without `resource`, each is required. */
function required<T>(value: T | null | undefined, path: string): T {
  if (value === null || value === undefined) {
    throw new InvalidError(`${path} is required (or give the whole Observation as resource)`, path);
  }
  return value;
}

/**
 * One uploaded observation, step by step: references, status, the single coding and the identifiers (texts their
 * columns can store), the attachment decoded, the Open mHealth data point validated. Throws an InvalidError naming the offending element.
 */
export function draftObservation(input: FhirShapedObservation): OmhDraft {
  const patientId = reference(required(input.subject, '/subject').reference, 'Patient', '/subject/reference');
  const dataSourceId = reference(required(input.device, '/device').reference, 'Device', '/device/reference');
  const theCoding = coding(required(input.code, '/code'));
  const { omh, json } = decodeAttachment(required(input.valueAttachment, '/valueAttachment'));
  if (theCoding.system === OMH_SYSTEM) validateOmh(theCoding.code, omh);
  return {
    kind: 'omh',
    patientId,
    dataSourceId,
    coding: theCoding,
    status: status(input.status),
    omh,
    omhJson: json,
    identifiers: identifiers(input.identifier),
  };
}
