import { z } from 'zod';
import { defineTool } from '../tool.js';
import {
  CODE_FIELDS,
  codeOf,
  codeOutput,
  type GraphQLCode,
  id,
  nextCursor,
  type Page,
  pageInput,
  pageOutput,
} from '../inputs.js';

type PatientNode = { id: string; nameGiven: string; nameFamily: string; birthDate: string | null };

const PATIENT_FIELDS = 'id nameGiven nameFamily birthDate';
const patientSummary = z.object({
  id: z.string(),
  nameGiven: z.string(),
  nameFamily: z.string(),
  birthDate: z.string().nullable(),
});

const patientPage = (page: Page<PatientNode>) => ({
  totalCount: page.totalCount,
  nextCursor: nextCursor(page.pageInfo),
  patients: page.nodes,
});

export const listStudyPatients = defineTool({
  name: 'list_study_patients',
  title: "List a study's patients",
  description: 'The patients enrolled in a study, paged (names and birth dates; get_patient for one in full).',
  input: { studyId: id('study'), ...pageInput(100, 50) },
  output: { ...pageOutput, patients: z.array(patientSummary) },
  resourceType: 'Patient',
  action: 'search',
  async run(args, graphql) {
    const { study } = await graphql<{ study: { patients: Page<PatientNode> } }>(
      `query ($id: ID!, $first: Int, $after: String) {
        study(id: $id) { patients(first: $first, after: $after) {
          totalCount nodes { ${PATIENT_FIELDS} } pageInfo { endCursor hasNextPage }
        } }
      }`,
      { id: String(args.studyId), first: args.first ?? 50, after: args.after },
    );
    return { result: patientPage(study.patients), rows: study.patients.nodes.length };
  },
});

export const searchPatients = defineTool({
  name: 'search_patients',
  title: 'Search patients',
  description:
    'Patients the caller may see, by name (given or family, case-insensitive), exact email, or identifier value; optionally within one organization or study.',
  input: {
    name: z.string().trim().min(1).max(200).optional(),
    email: z.string().trim().min(3).max(320).optional(),
    identifier: z.string().trim().min(1).max(255).optional().describe("an identifier's value, in any system"),
    organizationId: id('organization').optional(),
    studyId: id('study').optional(),
    ...pageInput(100, 20),
  },
  output: { ...pageOutput, patients: z.array(patientSummary) },
  resourceType: 'Patient',
  action: 'search',
  async run(args, graphql) {
    const { patients } = await graphql<{ patients: Page<PatientNode> }>(
      `query ($name: String, $email: String, $identifier: String, $organizationId: ID, $studyId: ID, $first: Int, $after: String) {
        patients(name: $name, email: $email, identifierValue: $identifier, organizationId: $organizationId,
                 studyId: $studyId, first: $first, after: $after) {
          totalCount nodes { ${PATIENT_FIELDS} } pageInfo { endCursor hasNextPage }
        }
      }`,
      {
        name: args.name,
        email: args.email,
        identifier: args.identifier,
        organizationId: args.organizationId?.toString(),
        studyId: args.studyId?.toString(),
        first: args.first ?? 20,
        after: args.after,
      },
    );
    return { result: patientPage(patients), rows: patients.nodes.length };
  },
});

export const getPatient = defineTool({
  name: 'get_patient',
  title: 'Get a patient',
  description: "One patient's demographics, identifiers, organizations and studies, as far as the caller may see them.",
  input: { patientId: id('patient') },
  output: {
    ...patientSummary.shape,
    email: z.string(),
    phone: z.string().nullable(),
    identifiers: z.array(z.object({ system: z.string(), value: z.string() })),
    organizations: z.array(z.object({ id: z.string(), name: z.string() })),
    studies: z.array(z.object({ id: z.string(), name: z.string() })),
  },
  resourceType: 'Patient',
  action: 'read',
  async run(args, graphql) {
    const { patient } = await graphql<{ patient: Record<string, unknown> }>(
      `query ($id: ID!) {
        patient(id: $id) {
          ${PATIENT_FIELDS} email phone identifiers { system value }
          organizations { id name } studies { id name }
        }
      }`,
      { id: String(args.patientId) },
    );
    return { result: patient, rows: 1 };
  },
});

const consent = z.object({
  code: codeOutput,
  consented: z.boolean().nullable().describe('true shared, false declined, null not answered'),
  consentedTime: z.string().nullable(),
});

export const getPatientConsents = defineTool({
  name: 'get_patient_consents',
  title: "Get a patient's consents",
  description:
    "A patient's answers per study and requested code (shared, declined, not answered yet), and the codes shared with at least one study.",
  input: { patientId: id('patient') },
  output: {
    patientId: z.string(),
    sharedCodes: z.array(codeOutput),
    studies: z.array(
      z.object({
        studyId: z.string(),
        studyName: z.string(),
        consents: z.array(consent),
      }),
    ),
  },
  resourceType: 'Consent',
  action: 'read',
  async run(args, graphql) {
    type Answer = { code: GraphQLCode; consented: boolean | null; consentedTime: string | null };
    const { patient } = await graphql<{
      patient: {
        id: string;
        consents: {
          consolidatedConsentedScopes: GraphQLCode[];
          studies: { study: { id: string; name: string }; scopeConsents: Answer[]; pendingScopes: GraphQLCode[] }[];
        };
      };
    }>(
      `query ($id: ID!) {
        patient(id: $id) { id consents {
          consolidatedConsentedScopes { ${CODE_FIELDS} }
          studies {
            study { id name }
            scopeConsents { code { ${CODE_FIELDS} } consented consentedTime }
            pendingScopes { ${CODE_FIELDS} }
          }
        } }
      }`,
      { id: String(args.patientId) },
    );
    const studies = patient.consents.studies.map((s) => ({
      studyId: s.study.id,
      studyName: s.study.name,
      consents: [
        ...s.scopeConsents.map((c) => ({ ...c, code: codeOf(c.code) })),
        ...s.pendingScopes.map((code) => ({ code: codeOf(code), consented: null, consentedTime: null })),
      ],
    }));
    return {
      result: {
        patientId: patient.id,
        sharedCodes: patient.consents.consolidatedConsentedScopes.map(codeOf),
        studies,
      },
      rows: studies.length,
    };
  },
});
