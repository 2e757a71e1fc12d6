import { z } from 'zod';
import { type CodeableConcept, Study, StudyPatientScopeConsent } from '../db/entities/index.js';
import { NotFoundError } from '../errors.js';
import { and, enrollmentScope, type SqlCondition } from '../policy/index.js';
import type { ScopeConsent } from './consents.js';
import type { ServiceContext } from './context.js';
import { id, parseInput } from './input.js';
import { cursorById, decodeCursor, type Page, type PageArgs, pageSize } from './paging.js';
import { studyScopeRequests } from './study-setup.js';

/**
 * One patient's answers to one study's scope requests (FHIR Consent), for each enrollment the viewer may see
 * (enrollmentScope: the patient's own; a practitioner's visible patients in their organizations' studies).
 */

export const CONSENT_STATES = ['sharing', 'declined', 'pending'] as const;
/** sharing: at least one requested code consented; declined: answered, none consented; pending: nothing answered */
export type ConsentState = (typeof CONSENT_STATES)[number];

export interface EnrollmentConsent {
  /** the enrollment's own id (study_patients), the keyset of lists */
  id: number;
  patientId: number;
  study: Study;
  state: ConsentState;
  /** every code the study requests, with the patient's answer (null: pending) */
  scopeConsents: ScopeConsent[];
}

const filterInput = z.object({
  patientId: id.nullish(),
  studyId: id.nullish(),
  state: z.enum(CONSENT_STATES).nullish(),
});
export type EnrollmentConsentFilter = z.input<typeof filterInput>;

/** An answer to a code the study (still) requests, for the enrollment `sp`. */
const answered = (consentedOnly: boolean) => `exists (select 1 from study_patient_scope_consents ec
  join study_scope_requests er on er.study_id = sp.study_id and er.codeable_concept_id = ec.codeable_concept_id
  where ec.study_patient_id = sp.id${consentedOnly ? ' and ec.consented' : ''})`;

const STATE_SQL: Record<ConsentState, string> = {
  sharing: answered(true),
  declined: `${answered(false)} and not ${answered(true)}`,
  pending: `not ${answered(false)}`,
};

interface EnrollmentRow extends Record<string, unknown> {
  enrollment_id: number;
  enrolled_patient_id: number;
}

const ANY: SqlCondition = { sql: 'true', params: [] };

/** The enrollments the viewer may see (`sp`, with its study `s`) that match `filter`. */
const visible = (ctx: ServiceContext, filter: SqlCondition) =>
  and(
    enrollmentScope(ctx.viewer, {
      patientId: 'sp.patient_id',
      studyId: 'sp.study_id',
      studyOrganizationId: 's.organization_id',
    }),
    filter,
  );

/** Visible enrollments with their studies' columns, by enrollment id; at most `limit` rows after `afterId`. */
async function enrollments(
  ctx: ServiceContext,
  filter: SqlCondition,
  page?: { limit: number; afterId: number | null },
) {
  const where = visible(ctx, and(filter, page?.afterId ? { sql: 'sp.id > ?', params: [page.afterId] } : ANY));
  return ctx.em.getConnection().execute<EnrollmentRow[]>(
    `select s.*, sp.id as enrollment_id, sp.patient_id as enrolled_patient_id
       from study_patients sp join studies s on s.id = sp.study_id
      where ${where.sql} order by sp.id${page ? ' limit ?' : ''}`,
    page ? [...where.params, page.limit] : where.params,
  );
}

function filterSql(filter: EnrollmentConsentFilter): SqlCondition {
  const parsed = parseInput(filterInput, filter);
  return and(
    parsed.patientId ? { sql: 'sp.patient_id = ?', params: [parsed.patientId] } : ANY,
    parsed.studyId ? { sql: 'sp.study_id = ?', params: [parsed.studyId] } : ANY,
    parsed.state ? { sql: STATE_SQL[parsed.state], params: [] } : ANY,
  );
}

/** The enrollments' requested codes and answers (two queries whatever their number). */
async function withAnswers(ctx: ServiceContext, rows: EnrollmentRow[]): Promise<EnrollmentConsent[]> {
  const studyIds = [...new Set(rows.map((row) => Number(row.id)))];
  const requested = studyIds.length ? await studyScopeRequests(ctx.em, studyIds) : new Map<number, CodeableConcept[]>();
  const answers = rows.length
    ? await ctx.em.find(
        StudyPatientScopeConsent,
        { studyPatient: { $in: rows.map((row) => row.enrollment_id) } },
        // refresh: raw writes earlier in the same request bypass the identity map
        { refresh: true },
      )
    : [];
  const answerOf = new Map(answers.map((a) => [`${a.studyPatient.id}:${a.codeableConcept.id}`, a]));
  return rows.map((row) => {
    const { enrollment_id: enrollmentId, enrolled_patient_id: patientId, ...columns } = row;
    const study = ctx.em.map(Study, columns);
    const scopeConsents = (requested.get(study.id) ?? []).map((codeableConcept): ScopeConsent => {
      const answer = answerOf.get(`${enrollmentId}:${codeableConcept.id}`);
      return {
        id: answer?.id ?? null,
        codeableConcept,
        consented: answer?.consented ?? null,
        consentedTime: answer?.consentedTime ?? null,
      };
    });
    const state: ConsentState = scopeConsents.some((c) => c.consented)
      ? 'sharing'
      : scopeConsents.some((c) => c.consented === false)
        ? 'declined'
        : 'pending';
    return { id: Number(enrollmentId), patientId: Number(patientId), study, state, scopeConsents };
  });
}

/** The patient's answers to the study, when the viewer may see that enrollment; NotFound otherwise. */
export async function getEnrollmentConsent(
  ctx: ServiceContext,
  patientId: number,
  studyId: number,
): Promise<EnrollmentConsent> {
  const rows = await enrollments(ctx, filterSql({ patientId, studyId }));
  if (rows.length === 0) throw new NotFoundError(`Consent of patient ${patientId} to study ${studyId}`);
  const [found] = await withAnswers(ctx, rows);
  return found!;
}

/** One page of the visible enrollments' answers, by enrollment id (keyset: `after` is the last one's). */
export async function listEnrollmentConsents(
  ctx: ServiceContext,
  args: EnrollmentConsentFilter & PageArgs = {},
): Promise<Page<EnrollmentConsent>> {
  const size = pageSize(args.first);
  const rows = await enrollments(ctx, filterSql(args), { limit: size + 1, afterId: decodeCursor(args.after) });
  const nodes = await withAnswers(ctx, rows.slice(0, size));
  const last = nodes.at(-1);
  return { nodes, hasNextPage: rows.length > size, endCursor: last ? cursorById(last) : null, cursorOf: cursorById };
}

/** How many enrollments listEnrollmentConsents would page through with the same filter. */
export async function countEnrollmentConsents(ctx: ServiceContext, filter: EnrollmentConsentFilter = {}) {
  const where = visible(ctx, filterSql(filter));
  const [row] = await ctx.em
    .getConnection()
    .execute<{ count: string }[]>(
      `select count(*) as count from study_patients sp join studies s on s.id = sp.study_id where ${where.sql}`,
      where.params,
    );
  return Number(row?.count ?? 0);
}
