import { FhirError } from './outcome.js';

/**
 * The search parameters this server supports, per resource. The parser refuses anything else (no silent
 * ignoring) and the CapabilityStatement is generated from the same table.
 */
export interface SearchParamDefinition {
  name: string;
  type: 'token' | 'reference' | 'date' | 'number' | 'string' | 'special';
  documentation: string;
}

const paging: SearchParamDefinition[] = [
  { name: '_count', type: 'number', documentation: 'page size, default 100, at most 1000' },
  {
    name: '_page',
    type: 'number',
    documentation:
      'JupyterHealth page number (1-based), at most FHIR_MAX_PAGE_SKIP (10,000) rows deep; prefer the next link',
  },
  { name: '_cursor', type: 'string', documentation: 'keyset cursor of the next link (opaque)' },
  {
    name: '_summary',
    type: 'token',
    documentation:
      '`count`: only the total; `true`: the summary elements (Patient, Observation, Group, Organization); `data`: all but text; `false`: whole',
  },
  {
    name: '_elements',
    type: 'string',
    documentation: 'a comma list of top-level elements to keep (id, meta, resourceType always); marked SUBSETTED',
  },
  {
    name: '_total',
    type: 'token',
    documentation:
      '`accurate` (or `estimate`): count every match; `none`; by default only when the page is the whole result',
  },
  { name: '_format', type: 'token', documentation: '`json`' },
];

type Searchable =
  | 'Patient'
  | 'Observation'
  | 'AuditEvent'
  | 'Organization'
  | 'Device'
  | 'Group'
  | 'Practitioner'
  | 'PractitionerRole'
  | 'Consent'
  | 'ResearchStudy';

export const SEARCH_PARAMS: Record<Searchable, SearchParamDefinition[]> = {
  Patient: [
    {
      name: '_has:Group:member:_id',
      type: 'special',
      documentation: 'patients enrolled in the study (Group) with this id',
    },
    { name: 'identifier', type: 'token', documentation: 'system|value of a patient identifier' },
    { name: '_id', type: 'token', documentation: 'the patient’s id, or a comma list of at most 1000 ids' },
    { name: 'name', type: 'string', documentation: 'a part of the given or family name, case-insensitive' },
    { name: 'family', type: 'string', documentation: 'the start of the family name, case-insensitive' },
    { name: 'given', type: 'string', documentation: 'the start of the given name, case-insensitive' },
    { name: 'birthdate', type: 'date', documentation: 'the birth date, YYYY-MM-DD (equality only)' },
    {
      name: 'organization',
      type: 'reference',
      documentation: 'patients of this Organization (20003 or Organization/20003)',
    },
    { name: '_sort', type: 'special', documentation: '`_id` only (the order patients are listed in)' },
    {
      name: '_revinclude',
      type: 'special',
      documentation: '`Observation:patient` (or `Observation:subject`): the page’s observations, at most 1000 in all',
    },
    ...paging,
  ],
  Observation: [
    {
      name: 'patient._has:Group:member:_id',
      type: 'special',
      documentation: 'observations of patients enrolled in this study, for the codes it requests',
    },
    { name: '_has:Group:member:_id', type: 'special', documentation: 'same as patient._has:Group:member:_id' },
    { name: 'patient', type: 'reference', documentation: 'Patient id (40001 or Patient/40001)' },
    { name: 'subject', type: 'reference', documentation: 'same as patient' },
    { name: 'patient.identifier', type: 'token', documentation: 'system|value of the patient’s identifier' },
    {
      name: 'patient.organization',
      type: 'reference',
      documentation: 'observations of this Organization’s patients (20003 or Organization/20003)',
    },
    { name: '_id', type: 'token', documentation: 'the observation’s id, or a comma list of at most 1000 ids' },
    {
      name: 'device',
      type: 'reference',
      documentation: 'observations from this Device (data source; 70001 or Device/70001)',
    },
    { name: 'code', type: 'token', documentation: 'system|code, e.g. https://w3id.org/openmhealth|omh:heart-rate:2.0' },
    { name: 'date', type: 'date', documentation: 'effective time; prefixes ge, le, gt, lt, eq; repeat for a range' },
    {
      name: 'status',
      type: 'token',
      documentation: 'observation-status code, or a comma list of them (final,amended)',
    },
    {
      name: 'category',
      type: 'token',
      documentation:
        'system|code of a category, e.g. http://terminology.hl7.org/CodeSystem/observation-category|vital-signs (Open mHealth observations carry none)',
    },
    { name: '_lastUpdated', type: 'date', documentation: 'last update; prefixes ge, le, gt, lt' },
    {
      name: '_sort',
      type: 'special',
      documentation:
        '`patient,code,date` (or `patient,code,date,_id`, the order results come in); `date` and `-date` with `patient` and `code` given',
    },
    {
      name: '_include',
      type: 'special',
      documentation: '`Observation:patient` (or `Observation:subject`), `Observation:device`; repeatable',
    },
    ...paging,
  ],
  AuditEvent: [
    {
      name: 'date',
      type: 'date',
      documentation: 'when it was recorded; prefixes ge, le, gt, lt, eq; repeat for a range',
    },
    { name: 'agent', type: 'reference', documentation: 'the user who did it (10002 or Person/10002)' },
    { name: 'patient', type: 'reference', documentation: 'events that read or changed this patient’s data' },
    {
      name: 'outcome',
      type: 'token',
      documentation: '0 (allowed), 4 (denied by the policy) or 8 (failed), of audit-event-outcome',
    },
    ...paging.filter((p) => p.name !== '_page'),
  ],
  Organization: [
    { name: '_id', type: 'token', documentation: 'the organization with this id, if the viewer may see it' },
    { name: 'partof', type: 'reference', documentation: 'its direct sub-organizations (20002 or Organization/20002)' },
    ...paging,
  ],
  Group: [
    { name: '_id', type: 'token', documentation: 'the study with this id, read whole (members included)' },
    {
      name: 'managing-entity',
      type: 'reference',
      documentation: 'studies run by this organization (20003 or Organization/20003)',
    },
    {
      name: 'member',
      type: 'reference',
      documentation: 'the studies this patient is enrolled in (Patient/40001 or 40001), one page',
    },
    {
      name: '_include',
      type: 'special',
      documentation: '`Group:member`: the enrolled patients, at most 1000 per study as in the read',
    },
    ...paging,
  ],
  Practitioner: [
    { name: '_id', type: 'token', documentation: 'the practitioner’s id, or a comma list of at most 1000 ids' },
    { name: 'name', type: 'string', documentation: 'a part of the first or last name, case-insensitive' },
    { name: 'family', type: 'string', documentation: 'the start of the last name, case-insensitive' },
    { name: 'given', type: 'string', documentation: 'the start of the first name, case-insensitive' },
    { name: 'email', type: 'token', documentation: 'the login email, exactly but for case' },
    {
      name: '_has:PractitionerRole:practitioner:organization',
      type: 'special',
      documentation: 'practitioners with a role in this Organization (20003 or Organization/20003)',
    },
    ...paging,
  ],
  PractitionerRole: [
    {
      name: '_id',
      type: 'token',
      documentation: 'the role with this id (the practitioner’s membership of an organization)',
    },
    {
      name: 'practitioner',
      type: 'reference',
      documentation: 'roles of this Practitioner (10001 or Practitioner/10001)',
    },
    {
      name: 'organization',
      type: 'reference',
      documentation: 'roles in this Organization (20003 or Organization/20003)',
    },
    {
      name: 'role',
      type: 'token',
      documentation: '`manager`, `member` or `viewer`, bare or with the system <base>/CodeSystem/organization-role',
    },
    ...paging,
  ],
  Consent: [
    { name: '_id', type: 'token', documentation: 'the consent with this id, `<patientId>-<studyId>`' },
    { name: 'patient', type: 'reference', documentation: 'consents of this Patient (40001 or Patient/40001)' },
    { name: 'subject', type: 'reference', documentation: 'same as patient' },
    {
      name: 'status',
      type: 'token',
      documentation: '`active` (some code shared), `inactive` (all declined or revoked) or `draft` (nothing answered)',
    },
    ...paging,
  ],
  ResearchStudy: [
    { name: '_id', type: 'token', documentation: 'the study with this id, read whole (its sponsor included)' },
    ...paging,
  ],
  // the catalog is a few rows, unpaged in GraphQL: one page, always with its total
  Device: [
    { name: '_id', type: 'token', documentation: 'the data source with this id' },
    { name: '_format', type: 'token', documentation: '`json`' },
  ],
};

export type SearchQuery = Record<string, string | string[]>;

/** a parameter's value: a system|value token of two 255-character texts, a cursor, a date */
const MAX_PARAM_LENGTH = 1024;

/** One value per parameter, except those that may repeat (dates). */
export function readParams(
  resource: keyof typeof SEARCH_PARAMS,
  query: Record<string, unknown>,
): Map<string, string[]> {
  const known = new Set(SEARCH_PARAMS[resource].map((p) => p.name));
  const params = new Map<string, string[]>();
  for (const [name, raw] of Object.entries(query)) {
    if (!known.has(name)) {
      throw new FhirError(
        400,
        'not-supported',
        `Unknown or unsupported search parameter "${name}" for ${resource}`,
        name,
      );
    }
    const values = (Array.isArray(raw) ? raw : [raw]).map(String);
    const bad = values.find((v) => v.length > MAX_PARAM_LENGTH || v.includes('\u0000'));
    if (bad !== undefined) {
      const problem = bad.length > MAX_PARAM_LENGTH ? `is longer than ${MAX_PARAM_LENGTH} characters` : 'holds a NUL';
      throw new FhirError(400, 'invalid', `Search parameter "${name}" ${problem}`, name);
    }
    if (values.length > 1 && !['date', '_lastUpdated', '_include', '_revinclude'].includes(name)) {
      throw new FhirError(400, 'invalid', `Search parameter "${name}" may appear only once`, name);
    }
    params.set(name, values);
  }
  return params;
}

export function parseToken(name: string, value: string): { system: string; value: string } {
  const bar = value.indexOf('|');
  if (bar <= 0 || bar === value.length - 1) {
    throw new FhirError(400, 'invalid', `${name} must be system|value, got "${value}"`, name);
  }
  return { system: value.slice(0, bar), value: value.slice(bar + 1) };
}

const OBSERVATION_STATUS_CODES = [
  'registered',
  'preliminary',
  'final',
  'amended',
  'corrected',
  'cancelled',
  'entered-in-error',
  'unknown',
];

/** `status=final,amended`: observation-status codes, as the GraphQL ObservationStatus enum names them. */
export function parseStatuses(value: string): string[] {
  return value.split(',').map((code) => {
    if (!OBSERVATION_STATUS_CODES.includes(code)) {
      const known = OBSERVATION_STATUS_CODES.join(', ');
      throw new FhirError(400, 'invalid', `status must be one of ${known} (or a comma list), got "${code}"`, 'status');
    }
    return code.toUpperCase().replaceAll('-', '_');
  });
}

/** A comma list of ids (`_id=1,2,3`), at most `max`. */
export function parseIds(name: string, value: string, prefix?: string, max = 1000): string[] {
  const ids = value.split(',').map((one) => parseId(name, one.trim(), prefix));
  if (ids.length > max) throw new FhirError(400, 'too-costly', `${name} takes at most ${max} ids`, name);
  return ids;
}

/** A string search value: not empty. */
export function parseText(name: string, value: string): string {
  if (value.trim() === '') throw new FhirError(400, 'invalid', `${name} must not be empty`, name);
  return value.trim();
}

/** `_sort`: only the orders the keyset index serves; anything else is refused with the accepted values. */
export function parseSort(value: string | undefined, accepted: string[], why = ''): void {
  if (value === undefined || accepted.includes(value)) return;
  const list = accepted.map((a) => `"${a}"`).join(', ');
  throw new FhirError(400, 'not-supported', `_sort=${value} is not supported; accepted: ${list}${why}`, '_sort');
}

/** A date parameter with equality only (`birthdate=1980-01-01` or `eq1980-01-01`): YYYY-MM-DD. */
export function parseExactDate(name: string, value: string): string {
  const match = /^(eq)?(\d{4}-\d{2}-\d{2})$/.exec(value);
  if (!match) {
    throw new FhirError(
      400,
      'invalid',
      `${name} must be a date YYYY-MM-DD (equality only, no ge/le/gt/lt/ne/sa/eb/ap), got "${value}"`,
      name,
    );
  }
  const [y, m, d] = match[2]!.split('-').map(Number);
  if (!isCalendarDate(y!, m, d)) throw new FhirError(400, 'invalid', `${name}: invalid date "${value}"`, name);
  return match[2]!;
}

export function parseId(name: string, value: string, prefix?: string): string {
  const bare = prefix && value.startsWith(`${prefix}/`) ? value.slice(prefix.length + 1) : value;
  if (!/^[1-9]\d{0,15}$/.test(bare)) throw new FhirError(400, 'invalid', `${name} must be an id, got "${value}"`, name);
  return bare;
}

export function parseCount(value: string | undefined): number {
  if (value === undefined) return 100;
  if (!/^\d{1,4}$/.test(value) || Number(value) > 1000) {
    throw new FhirError(400, 'invalid', `_count must be an integer from 0 to 1000, got "${value}"`, '_count');
  }
  return Number(value);
}

export type TotalMode = 'none' | 'accurate' | 'default';

/** `_total`: counting every match costs as much as reading them, so it is asked for, except where it is free. */
export function parseTotal(value: string | undefined): TotalMode {
  if (value === undefined) return 'default';
  if (value === 'estimate' || value === 'accurate') return 'accurate';
  if (value === 'none') return 'none';
  throw new FhirError(400, 'invalid', `_total must be none, estimate or accurate, got "${value}"`, '_total');
}

/**
 * `_page` (1-based), walked through the keyset page by page: the rows it passes, (page − 1) × `_count`, are
 * bounded by `maxSkip` (FHIR_MAX_PAGE_SKIP); beyond, the next links' cursors go on from where a page ended.
 */
export function parsePage(value: string | undefined, count: number, maxSkip: number): number {
  if (value === undefined) return 1;
  if (!/^[1-9]\d{0,8}$/.test(value))
    throw new FhirError(400, 'invalid', `_page must be a positive integer, got "${value}"`, '_page');
  const page = Number(value);
  const skip = (page - 1) * count;
  if (skip > maxSkip) {
    throw new FhirError(
      400,
      'too-costly',
      `_page=${page} with _count=${count} would pass ${skip} matches; this server walks at most ${maxSkip} (FHIR_MAX_PAGE_SKIP). Follow the Bundle's "next" link instead: its _cursor continues where the page ended, at any depth`,
      '_page',
    );
  }
  return page;
}

/** `from` inclusive, `before` exclusive. */
export interface DateRange {
  from?: Date;
  before?: Date;
}

const DATE = /^(ge|le|gt|lt|eq)?(\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?)$/;

/** Prefix + FHIR date(Time); a partial date covers its whole period (eq2025-01 = all of January). */
export function parseDateRange(name: string, values: string[] | undefined): DateRange {
  const range: DateRange = {};
  for (const value of values ?? []) {
    const match = DATE.exec(value);
    if (!match)
      throw new FhirError(400, 'invalid', `${name}: "${value}" is not [ge|le|gt|lt|eq]<FHIR date or dateTime>`, name);
    const prefix = match[1] ?? 'eq';
    const { start, end } = period(match[2]!, name);
    if (prefix === 'ge' || prefix === 'eq') range.from = start;
    if (prefix === 'gt') range.from = end;
    if (prefix === 'le' || prefix === 'eq') range.before = end;
    if (prefix === 'lt') range.before = start;
  }
  return range;
}

/** Whether year, month and day name a day of the calendar (Date.UTC would roll 2026-13-45 over into 2027). */
function isCalendarDate(y: number, m = 1, d = 1): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function period(text: string, name: string): { start: Date; end: Date } {
  const [datePart, timePart] = text.split('T');
  const [y, m, d] = datePart!.split('-').map(Number);
  if (!isCalendarDate(y!, m, d)) throw new FhirError(400, 'invalid', `${name}: invalid date "${text}"`, name);
  if (timePart === undefined) {
    const start = new Date(Date.UTC(y!, (m ?? 1) - 1, d ?? 1));
    // the first instant after the period: next year, month or day
    const end =
      m === undefined
        ? new Date(Date.UTC(y! + 1, 0, 1))
        : d === undefined
          ? new Date(Date.UTC(y!, m, 1))
          : new Date(Date.UTC(y!, m - 1, d + 1));
    if (Number.isNaN(start.getTime())) throw new FhirError(400, 'invalid', `${name}: invalid date "${text}"`, name);
    return { start, end };
  }
  const instant = new Date(/Z|[+-]\d{2}:\d{2}$/.test(timePart) ? text : `${text}Z`);
  if (Number.isNaN(instant.getTime())) throw new FhirError(400, 'invalid', `${name}: invalid dateTime "${text}"`, name);
  return { start: instant, end: new Date(instant.getTime() + 1) };
}
