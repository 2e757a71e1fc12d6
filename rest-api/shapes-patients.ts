/**
 * JupyterHealth's shapes of the patient, consent and observation routes (camelCase, integer ids, lower-case
 * enums), from the GraphQL nodes they read, with their JSON Schemas: for validating bodies and for the OpenAPI
 * document. Field names are those of JupyterHealth's serializers.
 */
import { type PatientNode, patientSchema } from './shapes.js';

const int = (id: string | number) => Number(id);
/** GraphQL enum names (`PERSONAL_DEVICE`, `ENTERED_IN_ERROR`) as the domain's values. */
const lower = (value: string) => value.toLowerCase();

// ---------------------------------------------------------------------------------------------- request schemas

/** An integer id, in a JSON body: a number, or its decimal digits (as some clients send it). */
export const idValue = { type: ['integer', 'string'], minimum: 1, maximum: 2 ** 53 - 1, pattern: '^[1-9][0-9]{0,14}$' };

/** An integer id in a query string. */
export const idParam = (description: string) => ({ type: 'string', pattern: '^[1-9][0-9]{0,14}$', description });

const identifierSchema = {
  type: 'object',
  required: ['system', 'value'],
  additionalProperties: false,
  properties: {
    system: { type: 'string', minLength: 1, maxLength: 255 },
    value: { type: 'string', minLength: 1, maxLength: 255 },
  },
};

const patientFields = {
  nameFamily: { type: 'string', minLength: 1, maxLength: 150 },
  nameGiven: { type: 'string', minLength: 1, maxLength: 150 },
  birthDate: { type: ['string', 'null'], format: 'date' },
  telecomEmail: { type: 'string', format: 'email', maxLength: 254 },
  telecomPhone: { type: ['string', 'null'], maxLength: 40 },
  identifiers: { type: 'array', maxItems: 20, items: identifierSchema },
};

/** POST /patients */
export const createPatientBody = {
  type: 'object',
  required: ['organizationId', 'telecomEmail', 'nameFamily', 'nameGiven'],
  additionalProperties: false,
  properties: { organizationId: idValue, ...patientFields },
};

/** What a client may send back unchanged from a GET and DRF ignores, being read-only. */
const readOnlyPatientFields = { id: {}, jheUserId: {}, organizations: {} };

/** PATCH (`required: []`) and PUT (the names and email) /patients/{id} */
export const updatePatientBody = (required: string[]) => ({
  type: 'object',
  required,
  minProperties: 1,
  additionalProperties: false,
  // organizationId, as in the query: the context JupyterHealth's portal sends; the policy decides by all of the
  // patient's organizations
  properties: { ...patientFields, ...readOnlyPatientFields, organizationId: idValue },
});

/** The JupyterHealth consents payload; `consented` is needed to answer, not to remove answers. */
export const studyScopeConsentsBody = (consentedRequired: boolean) => ({
  type: 'object',
  required: ['studyScopeConsents'],
  additionalProperties: false,
  properties: {
    studyScopeConsents: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['studyId', 'scopeConsents'],
        additionalProperties: false,
        properties: {
          studyId: idValue,
          scopeConsents: {
            type: 'array',
            maxItems: 1000,
            items: {
              type: 'object',
              required: ['codingSystem', 'codingCode', ...(consentedRequired ? ['consented'] : [])],
              additionalProperties: false,
              properties: {
                codingSystem: { type: 'string', minLength: 1, maxLength: 255 },
                codingCode: { type: 'string', minLength: 1, maxLength: 255 },
                consented: consentedRequired ? { type: 'boolean' } : { type: ['boolean', 'null'] },
              },
            },
          },
        },
      },
    },
  },
});

export interface StudyScopeConsentsRequest {
  studyScopeConsents: {
    studyId: number | string;
    scopeConsents: { codingSystem: string; codingCode: string; consented?: boolean | null }[];
  }[];
}

// ------------------------------------------------------------------------------------------------- codes, sources

export const CODE_FIELDS = 'id codingSystem codingCode text';
export interface CodeNode {
  id: string;
  codingSystem: string;
  codingCode: string;
  text: string;
}
export const toCode = (c: CodeNode) => ({
  id: int(c.id),
  codingSystem: c.codingSystem,
  codingCode: c.codingCode,
  text: c.text,
});
export const codeSchema = {
  type: 'object',
  required: ['id', 'codingSystem', 'codingCode', 'text'],
  properties: {
    id: { type: 'integer' },
    codingSystem: { type: 'string' },
    codingCode: { type: 'string' },
    text: { type: 'string' },
  },
};

export const DATA_SOURCE_FIELDS = `id name type supportedScopes { ${CODE_FIELDS} }`;
export interface DataSourceNode {
  id: string;
  name: string;
  type: string;
  supportedScopes: CodeNode[];
}
export const toDataSource = (d: DataSourceNode) => ({
  id: int(d.id),
  name: d.name,
  type: lower(d.type),
  supportedScopes: d.supportedScopes.map(toCode),
});
const dataSourceSchema = {
  type: 'object',
  required: ['id', 'name', 'type', 'supportedScopes'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    type: { type: 'string', enum: ['personal_device', 'medical_device', 'patient_app', 'device'] },
    supportedScopes: { type: 'array', items: codeSchema },
  },
};

// ------------------------------------------------------------------------------------------------------ consents

/** A study as the consents answer shows it: its organizer (OrgLite) and data sources. */
export const CONSENT_STUDY_FIELDS = `id name description organizer { id name type } dataSources { ${DATA_SOURCE_FIELDS} }`;
export interface ConsentStudyNode {
  id: string;
  name: string;
  description: string;
  organizer: { id: string; name: string; type: string };
  dataSources: DataSourceNode[];
}
const toConsentStudy = (s: ConsentStudyNode) => ({
  id: int(s.id),
  name: s.name,
  description: s.description,
  organization: { id: int(s.organizer.id), name: s.organizer.name, type: lower(s.organizer.type) },
  dataSources: s.dataSources.map(toDataSource),
});

export const CONSENTS_FIELDS = `consolidatedConsentedScopes { ${CODE_FIELDS} }
  studies { study { ${CONSENT_STUDY_FIELDS} } scopeConsents { id code { ${CODE_FIELDS} } consented consentedTime } }
  studiesPendingConsent { study { ${CONSENT_STUDY_FIELDS} } pendingScopes { ${CODE_FIELDS} } }`;
export interface ConsentNode {
  id: string | null;
  code: CodeNode;
  consented: boolean | null;
  consentedTime: string | null;
}
export interface ConsentsNode {
  consolidatedConsentedScopes: CodeNode[];
  studies: { study: ConsentStudyNode; scopeConsents: ConsentNode[] }[];
  studiesPendingConsent: { study: ConsentStudyNode; pendingScopes: CodeNode[] }[];
}

/**
 * GET /patients/{id}/consents, as JupyterHealth answers it: `studies` are those with at least one answer, each
 * with its answers (true or false); `studiesPendingConsent` those with at least one scope not answered yet, each
 * with those scopes. A study may be in both.
 */
export function toConsents(patient: unknown, c: ConsentsNode) {
  return {
    patient,
    consolidatedConsentedScopes: c.consolidatedConsentedScopes.map(toCode),
    studiesPendingConsent: c.studiesPendingConsent.map((s) => ({
      ...toConsentStudy(s.study),
      pendingScopeConsents: s.pendingScopes.map((code) => ({
        code: toCode(code),
        consented: null,
        consentedTime: null,
      })),
    })),
    studies: c.studies.flatMap((s) => {
      const answered = s.scopeConsents.filter((a) => a.consented !== null);
      if (answered.length === 0) return [];
      return [
        {
          ...toConsentStudy(s.study),
          scopeConsents: answered.map((a) => ({
            code: toCode(a.code),
            consented: a.consented,
            consentedTime: a.consentedTime,
          })),
        },
      ];
    }),
  };
}

const consentStudySchema = (list: string, consented: Record<string, unknown>) => ({
  type: 'object',
  required: ['id', 'name', 'description', 'organization', 'dataSources', list],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    description: { type: 'string' },
    organization: {
      type: 'object',
      required: ['id', 'name', 'type'],
      properties: { id: { type: 'integer' }, name: { type: 'string' }, type: { type: 'string' } },
    },
    dataSources: { type: 'array', items: dataSourceSchema },
    [list]: {
      type: 'array',
      items: {
        type: 'object',
        required: ['code', 'consented', 'consentedTime'],
        properties: { code: codeSchema, ...consented },
      },
    },
  },
});

export const consentsSchema = {
  type: 'object',
  required: ['patient', 'consolidatedConsentedScopes', 'studiesPendingConsent', 'studies'],
  properties: {
    patient: patientSchema,
    consolidatedConsentedScopes: { type: 'array', items: codeSchema },
    studiesPendingConsent: {
      type: 'array',
      items: consentStudySchema('pendingScopeConsents', {
        consented: { type: 'null' },
        consentedTime: { type: 'null' },
      }),
    },
    studies: {
      type: 'array',
      items: consentStudySchema('scopeConsents', {
        consented: { type: 'boolean' },
        consentedTime: { type: 'string', format: 'date-time' },
      }),
    },
  },
};

/** The answers a POST or PATCH wrote, as JupyterHealth's StudyPatientScopeConsent serializer shows them. */
export const answersSchema = {
  type: 'object',
  required: ['studyScopeConsents'],
  properties: {
    studyScopeConsents: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'studyPatient', 'scopeCode', 'consented', 'consentedTime'],
        properties: {
          id: { type: 'integer' },
          studyPatient: {
            type: 'object',
            required: ['study', 'patient'],
            properties: { study: { type: 'integer' }, patient: { type: 'integer' } },
          },
          scopeCode: codeSchema,
          consented: { type: 'boolean' },
          consentedTime: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
};

// -------------------------------------------------------------------------------------------------- observations

/**
 * What an observation item needs, and no more: the subject's names and login (one batched read of the page's
 * patients), the code (one batched read), the data source's id alone (the row holds it: no read).
 */
export const OBSERVATION_FIELDS = `id status effectiveTime lastUpdated omh resource
  subject { id nameFamily nameGiven userId } code { ${CODE_FIELDS} } dataSource { id }`;
export interface ObservationNode {
  id: string;
  status: string;
  effectiveTime: string;
  lastUpdated: string;
  omh: Record<string, unknown> | null;
  resource: Record<string, unknown> | null;
  subject: { id: string; nameFamily: string; nameGiven: string; userId: string | null };
  code: CodeNode;
  dataSource: { id: string };
}

export const toObservation = (o: ObservationNode) => ({
  id: int(o.id),
  subjectPatientId: int(o.subject.id),
  patientNameFamily: o.subject.nameFamily,
  patientNameGiven: o.subject.nameGiven,
  jheUserId: o.subject.userId === null ? null : int(o.subject.userId),
  codeableConceptId: int(o.code.id),
  codingSystem: o.code.codingSystem,
  codingCode: o.code.codingCode,
  codingText: o.code.text,
  dataSourceId: int(o.dataSource.id),
  status: lower(o.status).replaceAll('_', '-'),
  effectiveTime: o.effectiveTime,
  lastUpdated: o.lastUpdated,
  omhData: o.omh,
  resource: o.resource,
});

export const observationSchema = {
  type: 'object',
  required: [
    'id',
    'subjectPatientId',
    'patientNameFamily',
    'patientNameGiven',
    'jheUserId',
    'codeableConceptId',
    'codingSystem',
    'codingCode',
    'codingText',
    'dataSourceId',
    'status',
    'effectiveTime',
    'lastUpdated',
    'omhData',
    'resource',
  ],
  properties: {
    id: { type: 'integer' },
    subjectPatientId: { type: 'integer' },
    patientNameFamily: { type: 'string' },
    patientNameGiven: { type: 'string' },
    jheUserId: { type: ['integer', 'null'] },
    codeableConceptId: { type: 'integer' },
    codingSystem: { type: 'string' },
    codingCode: { type: 'string' },
    codingText: { type: 'string' },
    dataSourceId: { type: 'integer' },
    status: { type: 'string' },
    effectiveTime: { type: 'string', format: 'date-time' },
    lastUpdated: { type: 'string', format: 'date-time' },
    omhData: {
      type: ['object', 'null'],
      description:
        'the Open mHealth data point, decoded (its keys as Open mHealth spells them); null for an observation other than Open mHealth',
      required: ['header', 'body'],
    },
    resource: {
      type: ['object', 'null'],
      description:
        'an observation other than Open mHealth: the FHIR R5 Observation as uploaded, less its id and meta (null for Open mHealth ones)',
    },
  },
};

// ------------------------------------------------------------------------------------------- lookups, clients

/** A patient found by exact email whom the viewer may not see: what adding them needs, and no more. */
export const patientMatchSchema = {
  type: 'object',
  required: ['id', 'nameFamily', 'nameGiven', 'telecomEmail'],
  additionalProperties: false,
  properties: {
    id: { type: 'integer' },
    nameFamily: { type: 'string' },
    nameGiven: { type: 'string' },
    telecomEmail: { type: 'string' },
  },
};

export type { PatientNode };
