import type { EntityManager } from '@mikro-orm/postgresql';
import { ForbiddenError, InvalidError, NotFoundError } from '../errors.js';
import { canUploadObservation, canViewPatient, mayUploadFromDataSource, type PatientFacts } from '../policy/rules.js';
import { CONSENTED_PAIRS } from '../policy/scope.js';
import { requireObservationCode } from '../policy/token.js';
import type { ServiceContext } from './context.js';
import { effectiveTimeOf } from './effective-time.js';
import type { ObservationDraft } from './observation-inputs.js';

/** The checks an uploaded observation passes before it is stored, with the facts they need loaded in bulk. */

export interface Checked {
  index: number;
  draft: ObservationDraft;
  codeId: number;
  effectiveTime: Date;
}

/** The codings an upload may be stored under: an Open mHealth one's own; another's, in order. */
const candidateCodings = (draft: ObservationDraft) => (draft.kind === 'resource' ? draft.codings : [draft.coding]);

export const identifierKey = (system: string, value: string) => `${system}|${value}`;
const list = (values: readonly unknown[]) => values.map(() => '?').join(', ');

/** What the checks need, loaded for the whole batch: one query per kind, not per observation. */
export async function loadUploadFacts(em: EntityManager, drafts: readonly ObservationDraft[]) {
  const sql = <T>(query: string, params: unknown[]) => em.getConnection().execute<T[]>(query, params);
  const patientIds = [...new Set(drafts.map((d) => d.patientId))];
  const sourceIds = [...new Set(drafts.map((d) => d.dataSourceId))];
  const codings = [
    ...new Map(drafts.flatMap(candidateCodings).map((c) => [identifierKey(c.system, c.code), c])).values(),
  ];
  const [patients, consents, concepts, supported, sources] = await Promise.all([
    sql<{ id: number; org_ids: number[] | null }>(
      `select p.id, array_remove(array_agg(po.organization_id), null) as org_ids from patients p
         left join patient_organizations po on po.patient_id = p.id where p.id in (${list(patientIds)}) group by p.id`,
      patientIds,
    ),
    // codes each patient shares with at least one study that requests them
    sql<{ patient_id: number; code_id: number }>(
      `select distinct p.patient_id, p.codeable_concept_id as code_id from (${CONSENTED_PAIRS}) p
        where p.patient_id in (${list(patientIds)})`,
      patientIds,
    ),
    sql<{ id: number; coding_system: string; coding_code: string }>(
      `select id, coding_system, coding_code from codeable_concepts
        where (coding_system, coding_code) in (${codings.map(() => '(?, ?)').join(', ')})`,
      codings.flatMap((c) => [c.system, c.code]),
    ),
    sql<{ data_source_id: number; codeable_concept_id: number }>(
      `select data_source_id, codeable_concept_id from data_source_supported_scopes where data_source_id in (${list(sourceIds)})`,
      sourceIds,
    ),
    sql<{ id: number }>(`select id from data_sources where id in (${list(sourceIds)})`, sourceIds),
  ]);
  return {
    patients: new Map<number, PatientFacts>(
      patients.map((p) => [p.id, { id: p.id, organizationIds: p.org_ids ?? [] }]),
    ),
    consented: consents.reduce(
      (map, row) => map.set(row.patient_id, (map.get(row.patient_id) ?? new Set()).add(row.code_id)),
      new Map<number, Set<number>>(),
    ),
    codeIds: new Map(concepts.map((c) => [identifierKey(c.coding_system, c.coding_code), c.id])),
    supports: new Set(supported.map((s) => `${s.data_source_id}:${s.codeable_concept_id}`)),
    sources: new Set(sources.map((s) => s.id)),
  };
}

export type UploadFacts = Awaited<ReturnType<typeof loadUploadFacts>>;

/**
 * The checks of one observation, in order; the first failure is thrown. Its identifiers are checked when they
 * are stored (see createObservations).
 */
export function checkUpload(ctx: ServiceContext, facts: UploadFacts, draft: ObservationDraft, index: number): Checked {
  const patient = facts.patients.get(draft.patientId);
  if (!patient || !canViewPatient(ctx.viewer, patient)) throw new NotFoundError('Patient', draft.patientId);
  const coding =
    candidateCodings(draft).find((c) => facts.codeIds.has(identifierKey(c.system, c.code))) ?? draft.coding;
  const codeId = facts.codeIds.get(identifierKey(coding.system, coding.code));
  if (codeId === undefined) {
    const all = candidateCodings(draft).map((c) => `${c.system}|${c.code}`);
    throw new InvalidError(`/code: unknown coding ${all.join(', ')}`, '/code/coding');
  }
  requireObservationCode(ctx.viewer, 'c', codeId, coding.code);
  if (!canUploadObservation(ctx.viewer, patient, codeId, facts.consented.get(patient.id) ?? new Set())) {
    throw new ForbiddenError(
      `Patient ${patient.id} has not consented to share ${coding.code} with any study, or you may not upload for them`,
    );
  }
  if (!facts.sources.has(draft.dataSourceId))
    throw new InvalidError(`/device: Device/${draft.dataSourceId} does not exist`, '/device/reference');
  if (!mayUploadFromDataSource(ctx.viewer, draft.dataSourceId)) {
    throw new ForbiddenError(
      `This app (client ${ctx.viewer.tokenClient?.oauthClientId}) may upload only from its own data sources, not Device/${draft.dataSourceId}`,
    );
  }
  if (!facts.supports.has(`${draft.dataSourceId}:${codeId}`)) {
    throw new InvalidError(
      `/device: Device/${draft.dataSourceId} does not support ${coding.code}`,
      '/device/reference',
    );
  }
  const effectiveTime = draft.kind === 'omh' ? effectiveTimeOf(draft.omh) : draft.effectiveTime;
  return { index, draft, codeId, effectiveTime };
}
