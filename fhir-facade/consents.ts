import type { Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { onlyMatch, searchsetBundle } from './bundle.js';
import { runGraphQL } from './execute.js';
import { FhirError, unlessStatus } from './outcome.js';
import { searchPage } from './search.js';
import { parseId, readParams } from './search-params.js';

const FIELDS = `id state lastAnswered patient { id } study { id } organization { id }
  scopeConsents { consented consentedTime code { codingSystem codingCode text } }`;
const READ = `query ($patientId: ID!, $studyId: ID!) { enrollmentConsent(patientId: $patientId, studyId: $studyId) { ${FIELDS} } }`;
const SEARCH = `query ($patientId: ID, $state: ConsentState, $first: Int, $after: String, $total: Boolean!) {
  enrollmentConsents(patientId: $patientId, state: $state, first: $first, after: $after) {
    totalCount @include(if: $total) nodes { ${FIELDS} } pageInfo { hasNextPage endCursor }
  }
}`;

interface EnrollmentConsentNode {
  id: string;
  state: 'SHARING' | 'DECLINED' | 'PENDING';
  lastAnswered: string | null;
  patient: { id: string };
  study: { id: string };
  organization: { id: string };
  scopeConsents: {
    consented: boolean | null;
    consentedTime: string | null;
    code: { codingSystem: string; codingCode: string; text: string };
  }[];
}

/** The patient's answers as Consent.status: something shared, everything declined or revoked, nothing answered. */
const STATUS = { SHARING: 'active', DECLINED: 'inactive', PENDING: 'draft' } as const;
const BY_STATUS = Object.fromEntries(Object.entries(STATUS).map(([state, status]) => [status, state]));

const RESEARCH = {
  system: 'http://terminology.hl7.org/CodeSystem/consentcategorycodes',
  code: 'research',
  display: 'Research Information Access',
};
const HEALTHCARE_RESEARCH = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  code: 'HRESCH',
  display: 'healthcare research',
};

/**
 * One Consent per patient and study. The base decision denies; each code the patient consented to share is a
 * provision, an exception that permits it from the time of the answer. Codes declined, revoked or not answered
 * yet are under the base `deny`. The study (its ResearchStudy) is the policy the organization enforces (policyBasis).
 */
function toFhirConsent(c: EnrollmentConsentNode) {
  const organization = { reference: `Organization/${c.organization.id}` };
  const shared = c.scopeConsents.filter((s) => s.consented);
  return {
    resourceType: 'Consent' as const,
    id: c.id,
    status: STATUS[c.state],
    category: [{ coding: [RESEARCH] }],
    subject: { reference: `Patient/${c.patient.id}` },
    ...(c.lastAnswered ? { date: c.lastAnswered.slice(0, 10) } : {}),
    grantor: [{ reference: `Patient/${c.patient.id}` }],
    grantee: [organization],
    controller: [organization],
    policyBasis: { reference: { reference: `ResearchStudy/${c.study.id}` } },
    decision: 'deny' as const,
    ...(shared.length
      ? {
          provision: shared.map((s) => ({
            period: { start: s.consentedTime },
            purpose: [HEALTHCARE_RESEARCH],
            code: [{ coding: [{ system: s.code.codingSystem, code: s.code.codingCode, display: s.code.text }] }],
          })),
        }
      : {}),
  };
}

/** A Consent id: `<patientId>-<studyId>`. */
function parseConsentId(name: string, value: string) {
  const bare = value.startsWith('Consent/') ? value.slice('Consent/'.length) : value;
  const match = /^([1-9]\d{0,15})-([1-9]\d{0,15})$/.exec(bare);
  if (!match) throw new FhirError(400, 'invalid', `${name} must be <patientId>-<studyId>, got "${value}"`, name);
  return { patientId: match[1]!, studyId: match[2]! };
}

function parseStatus(value: string): string {
  const state = BY_STATUS[value];
  if (!state) throw new FhirError(400, 'invalid', `status must be active, inactive or draft, got "${value}"`, 'status');
  return state;
}

/** GET /Consent/:id */
export async function readConsent(id: string, schema: GraphQLSchema, context: GraphQLContext) {
  const data = await runGraphQL<{ enrollmentConsent: EnrollmentConsentNode }>(
    schema,
    context,
    READ,
    parseConsentId('id', id),
  );
  return toFhirConsent(data.enrollmentConsent);
}

/** GET /Consent: the patients' answers the viewer may see; `_id`, `patient` (or `subject`), `status`. */
export async function searchConsents(
  req: Request,
  schema: GraphQLSchema,
  context: GraphQLContext,
  baseUrl: string,
  maxPageSkip: number,
) {
  const params = readParams('Consent', req.query);
  const selfQuery = new URLSearchParams(req.url.split('?')[1] ?? '');
  const one = (name: string) => params.get(name)?.[0];
  if (params.has('patient') && params.has('subject')) {
    throw new FhirError(400, 'invalid', 'give patient or subject, not both', 'subject');
  }
  const patient = one('patient') ?? one('subject');
  const status = one('status');
  const patientId =
    patient === undefined ? null : parseId(params.has('patient') ? 'patient' : 'subject', patient, 'Patient');
  const state = status === undefined ? null : parseStatus(status);
  const id = one('_id');
  if (id !== undefined) {
    const wanted = parseConsentId('_id', id);
    const found = await unlessStatus(404, readConsent(`${wanted.patientId}-${wanted.studyId}`, schema, context));
    const matches =
      found &&
      (patientId === null || found.subject.reference === `Patient/${patientId}`) &&
      (status === undefined || found.status === status);
    return searchsetBundle(baseUrl, 'Consent', selfQuery, onlyMatch(matches && found));
  }
  const page = await searchPage({
    resourceType: 'Consent',
    schema,
    context,
    params,
    query: SEARCH,
    variables: { patientId, state },
    connection: (data: { enrollmentConsents: never }) => data.enrollmentConsents,
    toResource: toFhirConsent,
    selfQuery,
    maxPageSkip,
  });
  return searchsetBundle(baseUrl, 'Consent', selfQuery, page);
}
