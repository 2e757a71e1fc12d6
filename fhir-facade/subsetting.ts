import { FhirError } from './outcome.js';

/**
 * `_summary` and `_elements` (FHIR search 3.2.1.7.4-5): which top-level elements of each match a search answers.
 * The summary elements are those R5 marks Σ (isSummary) among the ones this facade writes: Observation drops
 * `device`, Group `characteristic` and `member`; Patient and Organization keep all they have.
 */
const SUMMARY_ELEMENTS: Record<string, string[]> = {
  Patient: [
    'identifier',
    'active',
    'name',
    'telecom',
    'gender',
    'birthDate',
    'deceased',
    'address',
    'managingOrganization',
    'link',
  ],
  Observation: [
    'identifier',
    'instantiates',
    'basedOn',
    'triggeredBy',
    'partOf',
    'status',
    'category',
    'code',
    'subject',
    'focus',
    'encounter',
    'effective',
    'issued',
    'performer',
    'value',
    'hasMember',
    'derivedFrom',
    'component',
  ],
  Group: ['identifier', 'active', 'type', 'membership', 'code', 'name', 'description', 'quantity', 'managingEntity'],
  Organization: ['identifier', 'active', 'type', 'name', 'alias', 'description', 'partOf'],
};

/** Every resource keeps these, whatever is asked (`_elements`, 3.2.1.7.5). */
const MANDATORY = ['resourceType', 'id', 'meta'];

export type Subsetting =
  | { kind: 'full' }
  | { kind: 'count' }
  | { kind: 'data' }
  | { kind: 'summary' }
  | { kind: 'elements'; names: Set<string> };

const ELEMENT = /^[a-z][A-Za-z0-9]{0,63}$/;

/** Reads `_summary` and `_elements` of a search on `resourceType`; bad values and unserved ones are 400. */
export function parseSubsetting(resourceType: string, summary?: string, elements?: string): Subsetting {
  if (summary !== undefined && elements !== undefined) {
    throw new FhirError(400, 'invalid', '_summary and _elements cannot be combined', '_elements');
  }
  if (elements !== undefined) {
    const names = elements.split(',').map((name) => name.trim());
    const bad = names.find((name) => !ELEMENT.test(name));
    if (bad !== undefined) {
      throw new FhirError(
        400,
        'invalid',
        `_elements: "${bad}" is not an element name (a comma list of top-level elements, e.g. status,code)`,
        '_elements',
      );
    }
    return { kind: 'elements', names: new Set(names) };
  }
  if (summary === undefined || summary === 'false') return { kind: 'full' };
  if (summary === 'count' || summary === 'data') return { kind: summary };
  if (summary === 'true' && SUMMARY_ELEMENTS[resourceType]) return { kind: 'summary' };
  const accepted = SUMMARY_ELEMENTS[resourceType] ? 'true, data, count or false' : 'data, count or false';
  throw new FhirError(400, 'invalid', `_summary must be ${accepted} for ${resourceType}, got "${summary}"`, '_summary');
}

/** Choice elements (`value[x]`): named by their base (`value`) or in full (`valueAttachment`). */
const CHOICES = ['value', 'effective', 'deceased', 'instantiates', 'multipleBirth'];

const kept = (name: string, wanted: Set<string>) =>
  MANDATORY.includes(name) ||
  wanted.has(name) ||
  CHOICES.some((base) => wanted.has(base) && new RegExp(`^${base}[A-Z]`).test(name));

/** Marks a resource returned in part, so that no client writes it back as if whole. */
export const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

/** The resource as the subsetting asks, tagged SUBSETTED where elements may be left out. */
export function subset<R extends { resourceType: string }>(resource: R, subsetting: Subsetting): R {
  if (subsetting.kind === 'full' || subsetting.kind === 'count') return resource;
  if (subsetting.kind === 'data') {
    if (!('text' in resource)) return resource;
    const { text: _text, ...rest } = resource as R & { text: unknown };
    return tagged(rest as unknown as R);
  }
  const wanted = subsetting.kind === 'elements' ? subsetting.names : new Set(SUMMARY_ELEMENTS[resource.resourceType]);
  const entries = Object.entries(resource).filter(([name]) => kept(name, wanted));
  return tagged(Object.fromEntries(entries) as R);
}

function tagged<R>(resource: R): R {
  const meta = (resource as { meta?: { tag?: unknown[] } }).meta ?? {};
  const tags = (meta.tag ?? []) as { code?: string }[];
  if (tags.some((tag) => tag.code === SUBSETTED.code)) return resource;
  return { ...resource, meta: { ...meta, tag: [...tags, SUBSETTED] } };
}
