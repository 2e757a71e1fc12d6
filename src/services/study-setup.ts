import { LoadStrategy } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  type CodeableConcept,
  type DataSource,
  type Study,
  StudyDataSource,
  StudyScopeRequest,
} from '../db/entities/index.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { ServiceContext } from './context.js';
import { groupBy } from './group.js';
import { inTransaction } from './persist.js';
import { assertCatalogEntriesExist, editableStudy } from './study-access.js';

/** What a study uses (data sources) and asks its patients to share (scope requests). */

export async function addStudyDataSource(ctx: ServiceContext, studyId: number, dataSourceId: number): Promise<Study> {
  const study = await editableStudy(ctx, studyId);
  await assertCatalogEntriesExist(ctx.em, { dataSourceIds: [dataSourceId] });
  const conflict = `Study ${study.id} already uses data source ${dataSourceId}`;
  if ((await ctx.em.count(StudyDataSource, { study: study.id, dataSource: dataSourceId })) > 0) {
    throw new ConflictError(conflict);
  }
  await inTransaction(
    ctx.em,
    async (em) => {
      em.create(StudyDataSource, { study, dataSource: dataSourceId });
      await em.flush();
    },
    conflict,
  );
  return study;
}

export async function removeStudyDataSource(
  ctx: ServiceContext,
  studyId: number,
  dataSourceId: number,
): Promise<Study> {
  const study = await editableStudy(ctx, studyId);
  const removed = await inTransaction(ctx.em, (em) =>
    em.nativeDelete(StudyDataSource, { study: study.id, dataSource: dataSourceId }),
  );
  if (removed === 0) throw new NotFoundError(`Data source ${dataSourceId} of study`, study.id);
  return study;
}

export async function addStudyScopeRequest(
  ctx: ServiceContext,
  studyId: number,
  codeableConceptId: number,
): Promise<Study> {
  const study = await editableStudy(ctx, studyId);
  await assertCatalogEntriesExist(ctx.em, { codeableConceptIds: [codeableConceptId] });
  const conflict = `Study ${study.id} already requests codeable concept ${codeableConceptId}`;
  if ((await ctx.em.count(StudyScopeRequest, { study: study.id, codeableConcept: codeableConceptId })) > 0) {
    throw new ConflictError(conflict);
  }
  await inTransaction(
    ctx.em,
    async (em) => {
      em.create(StudyScopeRequest, { study, codeableConcept: codeableConceptId });
      await em.flush();
    },
    conflict,
  );
  return study;
}

/**
 * Stops requesting the scope and forgets the patients' answers to it, so that requesting it again asks them
 * afresh instead of silently reviving an old consent.
 */
export async function removeStudyScopeRequest(
  ctx: ServiceContext,
  studyId: number,
  codeableConceptId: number,
): Promise<Study> {
  const study = await editableStudy(ctx, studyId);
  await inTransaction(ctx.em, async (em) => {
    const count = await em.nativeDelete(StudyScopeRequest, { study: study.id, codeableConcept: codeableConceptId });
    if (count === 0) throw new NotFoundError(`Codeable concept ${codeableConceptId} requested by study`, study.id);
    await em.execute(
      `delete from study_patient_scope_consents
        where codeable_concept_id = ? and study_patient_id in (select id from study_patients where study_id = ?)`,
      [codeableConceptId, study.id],
    );
  });
  return study;
}

/** Batch read for loaders, for studies the caller has already checked are visible: data sources by study id. */
export async function studyDataSources(
  em: EntityManager,
  studyIds: readonly number[],
): Promise<Map<number, DataSource[]>> {
  const rows = await em.find(
    StudyDataSource,
    { study: { $in: [...studyIds] } },
    { populate: ['dataSource'], strategy: LoadStrategy.JOINED, orderBy: { dataSource: { id: 'asc' } } },
  );
  const grouped = groupBy(rows, (row) => row.study.id);
  return new Map([...grouped].map(([key, group]) => [key, group.map((row) => row.dataSource)]));
}

/** Batch read for loaders, for studies the caller has already checked are visible: requested scopes by study id. */
export async function studyScopeRequests(
  em: EntityManager,
  studyIds: readonly number[],
): Promise<Map<number, CodeableConcept[]>> {
  const rows = await em.find(
    StudyScopeRequest,
    { study: { $in: [...studyIds] } },
    { populate: ['codeableConcept'], strategy: LoadStrategy.JOINED, orderBy: { codeableConcept: { id: 'asc' } } },
  );
  const grouped = groupBy(rows, (row) => row.study.id);
  return new Map([...grouped].map(([key, group]) => [key, group.map((row) => row.codeableConcept)]));
}
