import { runGraphQL } from '../execute.js';
import type { RestCall, Route } from '../route.js';
import {
  answersSchema,
  CODE_FIELDS,
  type ConsentNode,
  CONSENTS_FIELDS,
  type ConsentsNode,
  consentsSchema,
  studyScopeConsentsBody,
  type StudyScopeConsentsRequest,
  toCode,
  toConsents,
} from '../shapes-patients.js';
import { PATIENT_FIELDS, type PatientNode, toPatient } from '../shapes.js';

/**
 * `/patients/{id}/consents`: what the patient's studies ask and what the patient answered (GraphQL
 * `patient.consents`), and the patient's own answers (setConsents, clearConsents). Only the patient answers,
 * which the policy decides (canAnswerConsents): practitioners read, and get 403 for writes.
 */

const READ = `query ($id: ID!) { patient(id: $id) { ${PATIENT_FIELDS} consents { ${CONSENTS_FIELDS} } } }`;
const ANSWERS = `studies { study { id } scopeConsents { id code { ${CODE_FIELDS} } consented consentedTime } }`;
const SET = `mutation ($id: ID!, $answers: [StudyScopeConsentsInput!]!) {
  setConsents(patientId: $id, studyScopeConsents: $answers) { ${ANSWERS} }
}`;
const CLEAR = `mutation ($id: ID!, $answers: [StudyScopeConsentsInput!]!) {
  clearConsents(patientId: $id, studyScopeConsents: $answers) { studies { study { id } } }
}`;

/** The JupyterHealth payload as GraphQL's StudyScopeConsentsInput (ids as strings). */
const toInput = (body: StudyScopeConsentsRequest, withAnswers: boolean) =>
  body.studyScopeConsents.map((study) => ({
    studyId: String(study.studyId),
    scopeConsents: study.scopeConsents.map((scope) => ({
      codingSystem: scope.codingSystem,
      codingCode: scope.codingCode,
      ...(withAnswers ? { consented: scope.consented } : {}),
    })),
  }));

/**
 * Records the answers (POST and PATCH alike: an answer is set whether or not there was one) and shows the ones the
 * request named, as JupyterHealth's StudyPatientScopeConsent serializer does.
 */
async function answer({ schema, context, params, body }: RestCall) {
  const request = body as StudyScopeConsentsRequest;
  const data = await runGraphQL<{
    setConsents: { studies: { study: { id: string }; scopeConsents: ConsentNode[] }[] };
  }>(schema, context, SET, { id: params.id, answers: toInput(request, true) });
  const named = new Set(
    request.studyScopeConsents.flatMap((study) =>
      study.scopeConsents.map((scope) => `${Number(study.studyId)} ${scope.codingSystem}|${scope.codingCode}`),
    ),
  );
  const patient = Number(params.id);
  return {
    studyScopeConsents: data.setConsents.studies.flatMap(({ study, scopeConsents }) =>
      scopeConsents
        .filter((c) => named.has(`${Number(study.id)} ${c.code.codingSystem}|${c.code.codingCode}`))
        .map((c) => ({
          id: Number(c.id),
          studyPatient: { study: Number(study.id), patient },
          scopeCode: toCode(c.code),
          consented: c.consented,
          consentedTime: c.consentedTime,
        })),
    ),
  };
}

const answerRoute = (method: 'post' | 'patch'): Route => ({
  method,
  path: '/patients/:id/consents',
  tag: 'consents',
  summary:
    method === 'post'
      ? 'the patient answers their studies’ scope requests (the patient alone)'
      : 'the patient changes answers (the patient alone)',
  body: studyScopeConsentsBody(true),
  status: method === 'post' ? 201 : 200,
  response: answersSchema,
  handle: answer,
});

export const consentRoutes: Route[] = [
  {
    method: 'get',
    path: '/patients/:id/consents',
    tag: 'consents',
    summary:
      'the patient’s consents: studies with answers, studies with scopes still pending, and the codes shared with any (the patient, or practitioners of the patient’s studies’ organizations)',
    response: consentsSchema,
    handle: async ({ schema, context, params }) => {
      const { patient } = await runGraphQL<{ patient: PatientNode & { consents: ConsentsNode } }>(
        schema,
        context,
        READ,
        { id: params.id },
      );
      return toConsents(toPatient(patient), patient.consents);
    },
  },
  answerRoute('post'),
  answerRoute('patch'),
  {
    method: 'delete',
    path: '/patients/:id/consents',
    tag: 'consents',
    summary:
      'the patient removes answers: those scopes are pending again, and what was shared under them is hidden at once (the patient alone; `consented` is ignored)',
    body: studyScopeConsentsBody(false),
    status: 204,
    response: { type: 'null' },
    handle: async ({ schema, context, params, body }) => {
      await runGraphQL(schema, context, CLEAR, {
        id: params.id,
        answers: toInput(body as StudyScopeConsentsRequest, false),
      });
      return undefined;
    },
  },
];
