import { Observation, ObservationIdentifier } from '../db/entities/index.js';
import { NotFoundError } from '../errors.js';
import { observationScope, type SqlCondition } from '../policy/scope.js';
import type { ServiceContext } from './context.js';
import { visiblePatient, visibleStudy } from './facts.js';
import { groupBy } from './group.js';
import { countsByParent, firstPagesByParent } from './pages-by-parent.js';
import { decodeCursor, type Page, type PageArgs, pageSize, toPage } from './paging.js';

export interface ObservationFilter {
  /** observations of the study's patients, for the codes it requests and they consented to share with it */
  studyId?: number | null;
  patientId?: number | null;
  patientIdentifier?: { system: string; value: string } | null;
  coding?: { system: string; code: string } | null;
  /** effective time at or after */
  from?: Date | null;
  /** effective time at or before */
  to?: Date | null;
  /** effective time strictly before */
  before?: Date | null;
  lastUpdatedFrom?: Date | null;
  lastUpdatedBefore?: Date | null;
}

/**
 * The SQL conditions of a filter over `observations o`, on top of the viewer's consent-gated scope. A study
 * or patient the viewer cannot see is NotFound, as everywhere.
 */
async function conditions(ctx: ServiceContext, filter: ObservationFilter): Promise<SqlCondition[]> {
  const all: SqlCondition[] = [observationScope(ctx.viewer, 'o')];
  const add = (sql: string, ...params: unknown[]) => all.push({ sql, params });
  if (filter.studyId) {
    await visibleStudy(ctx, filter.studyId);
    add(
      `(o.subject_patient_id, o.codeable_concept_id) in (
         select fsp.patient_id, fc.codeable_concept_id from study_patients fsp
         join study_patient_scope_consents fc on fc.study_patient_id = fsp.id and fc.consented
         join study_scope_requests fsr on fsr.study_id = fsp.study_id and fsr.codeable_concept_id = fc.codeable_concept_id
        where fsp.study_id = ?)`,
      filter.studyId,
    );
  }
  if (filter.patientId) {
    await visiblePatient(ctx, filter.patientId);
    add('o.subject_patient_id = ?', filter.patientId);
  }
  if (filter.patientIdentifier) {
    add(
      'o.subject_patient_id in (select fpi.patient_id from patient_identifiers fpi where fpi.system = ? and fpi.value = ?)',
      filter.patientIdentifier.system,
      filter.patientIdentifier.value,
    );
  }
  if (filter.coding) {
    add(
      'o.codeable_concept_id in (select fcc.id from codeable_concepts fcc where fcc.coding_system = ? and fcc.coding_code = ?)',
      filter.coding.system,
      filter.coding.code,
    );
  }
  if (filter.from) add('o.effective_time >= ?', filter.from);
  if (filter.to) add('o.effective_time <= ?', filter.to);
  if (filter.before) add('o.effective_time < ?', filter.before);
  if (filter.lastUpdatedFrom) add('o.last_updated >= ?', filter.lastUpdatedFrom);
  if (filter.lastUpdatedBefore) add('o.last_updated < ?', filter.lastUpdatedBefore);
  return all;
}

const where = (all: SqlCondition[]) => ({
  sql: all.map((c) => `(${c.sql})`).join(' and '),
  params: all.flatMap((c) => c.params),
});

/** One page of the observations the viewer may see, by ascending id (keyset, never OFFSET). */
export async function listObservations(
  ctx: ServiceContext,
  filter: ObservationFilter,
  page: PageArgs = {},
): Promise<Page<Observation>> {
  const size = pageSize(page.first);
  const afterId = decodeCursor(page.after);
  const all = await conditions(ctx, filter);
  if (afterId !== null) all.push({ sql: 'o.id > ?', params: [afterId] });
  const { sql, params } = where(all);
  const rows = await ctx.em
    .getConnection()
    .execute<Record<string, unknown>[]>(`select o.* from observations o where ${sql} order by o.id limit ?`, [
      ...params,
      size + 1,
    ]);
  return toPage(
    rows.map((row) => ctx.em.map(Observation, row)),
    size,
  );
}

export async function countObservations(ctx: ServiceContext, filter: ObservationFilter): Promise<number> {
  const { sql, params } = where(await conditions(ctx, filter));
  const [row] = await ctx.em
    .getConnection()
    .execute<{ n: string }[]>(`select count(*) as n from observations o where ${sql}`, params);
  return Number(row?.n ?? 0);
}

/** One observation the viewer may see; NotFound otherwise, whether or not it exists. */
export async function getObservation(ctx: ServiceContext, observationId: number): Promise<Observation> {
  const found = await observationsByIds(ctx, [observationId]);
  const observation = found.get(observationId);
  if (!observation) throw new NotFoundError('Observation', observationId);
  return observation;
}

/** Batch read: the visible observations among `ids`. */
export async function observationsByIds(
  ctx: ServiceContext,
  ids: readonly number[],
): Promise<Map<number, Observation>> {
  if (ids.length === 0) return new Map();
  const scope = observationScope(ctx.viewer, 'o');
  const rows = await ctx.em
    .getConnection()
    .execute<Record<string, unknown>[]>(
      `select o.* from observations o where o.id in (${ids.map(() => '?').join(', ')}) and ${scope.sql}`,
      [...ids, ...scope.params],
    );
  const observations = rows.map((row) => ctx.em.map(Observation, row));
  return new Map(observations.map((o) => [o.id, o]));
}

const OBSERVATIONS_OF_PATIENT = { from: 'observations c', parent: 'c.subject_patient_id' };

/** Loaders: the first page of each patient's visible observations, and how many there are. */
export const observationPagesByPatient = (ctx: ServiceContext, patientIds: readonly number[], first: number) =>
  firstPagesByParent(ctx.em, {
    entity: Observation,
    ...OBSERVATIONS_OF_PATIENT,
    parentIds: patientIds,
    first,
    scope: observationScope(ctx.viewer, 'c'),
  });

export const observationCountsByPatient = (ctx: ServiceContext, patientIds: readonly number[]) =>
  countsByParent(ctx.em, {
    ...OBSERVATIONS_OF_PATIENT,
    parentIds: patientIds,
    scope: observationScope(ctx.viewer, 'c'),
  });

/** Loader: identifiers of observations the caller already may see. */
export async function identifiersByObservationIds(
  ctx: ServiceContext,
  observationIds: readonly number[],
): Promise<Map<number, ObservationIdentifier[]>> {
  const rows = await ctx.em.find(
    ObservationIdentifier,
    { observation: { $in: [...observationIds] } },
    { orderBy: { id: 'asc' } },
  );
  return groupBy(rows, (row) => row.observation.id);
}
