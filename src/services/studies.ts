import { z } from 'zod';
import { Study, StudyDataSource, StudyScopeRequest } from '../db/entities/index.js';
import { ForbiddenError, InvalidError } from '../errors.js';
import { canEditOrganizationContent, studyScope } from '../policy/index.js';
import type { ServiceContext } from './context.js';
import { visibleOrganization, visiblePatient, visibleStudy } from './facts.js';
import { httpUrl, id, name, parseInput } from './input.js';
import { decodeCursor, type Page, type PageArgs, pageSize, toPage } from './paging.js';
import { inTransaction } from './persist.js';
import { assertCatalogEntriesExist, editableStudy } from './study-access.js';

/** Studies (FHIR Groups): read, list, create, edit, delete; their setup and enrollment are re-exported below. */

const description = z.string().trim().max(10_000, 'must be at most 10000 characters');
const ids = z.array(id).max(1000);
const createInput = z.object({
  organizationId: id,
  name,
  description: description.optional(),
  iconUrl: httpUrl.nullish(),
  dataSourceIds: ids.optional(),
  scopeIds: ids.optional(),
});
const updateInput = z.object({
  name: name.optional(),
  description: description.optional(),
  iconUrl: httpUrl.nullish(),
});
const listInput = z.object({ organizationId: id.nullish() });

export type CreateStudyInput = z.input<typeof createInput>;
export type UpdateStudyInput = z.input<typeof updateInput>;

export const getStudy = (ctx: ServiceContext, studyId: number): Promise<Study> => visibleStudy(ctx, studyId);

export interface StudyFilter {
  /** only this organization's studies (NotFound if the viewer cannot see it); none: every visible study */
  organizationId?: number | null;
}

/**
 * The studies the viewer may see (the policy's studyScope: their organizations', a patient's own, a super
 * user's all), optionally of one visible organization (NotFound if it is not). Wrapped in an object because a
 * QueryBuilder is thenable: returned bare from an async function, it would run.
 */
async function visibleStudies(ctx: ServiceContext, filter: StudyFilter) {
  const { organizationId } = parseInput(listInput, { organizationId: filter.organizationId });
  if (organizationId) await visibleOrganization(ctx, organizationId);
  const scope = studyScope(ctx.viewer, 's.id', 's.organization_id');
  const qb = ctx.em.createQueryBuilder(Study, 's').where(scope.sql, scope.params);
  if (organizationId) qb.andWhere({ organization: organizationId });
  return { qb };
}

/** One page of visible studies by ascending id (keyset: `after` is the previous page's endCursor). */
export async function listStudies(ctx: ServiceContext, args: StudyFilter & PageArgs = {}): Promise<Page<Study>> {
  const size = pageSize(args.first);
  const afterId = decodeCursor(args.after);
  const { qb } = await visibleStudies(ctx, args);
  if (afterId !== null) qb.andWhere({ id: { $gt: afterId } });
  return toPage(
    await qb
      .orderBy({ id: 'asc' })
      .limit(size + 1)
      .getResult(),
    size,
  );
}

/** How many studies listStudies would page through with the same filter. */
export async function countStudies(ctx: ServiceContext, filter: StudyFilter = {}): Promise<number> {
  return (await visibleStudies(ctx, filter)).qb.getCount();
}

/** The studies the patient is enrolled in that the viewer may see (a practitioner: their organizations' only). */
export async function listPatientStudies(ctx: ServiceContext, patientId: number): Promise<Study[]> {
  return (await patientWithStudies(ctx, patientId)).studies;
}

/** The visible patient (else NotFound) with the studies listPatientStudies returns. */
export async function patientWithStudies(ctx: ServiceContext, patientId: number) {
  const { patient } = await visiblePatient(ctx, patientId);
  const scope = studyScope(ctx.viewer, 's.id', 's.organization_id');
  const studies = await ctx.em
    .createQueryBuilder(Study, 's')
    .where('exists (select 1 from study_patients psp where psp.study_id = s.id and psp.patient_id = ?)', [patient.id])
    .andWhere(scope.sql, scope.params)
    .orderBy({ id: 'asc' })
    .getResult();
  return { patient, studies };
}

export async function createStudy(ctx: ServiceContext, input: CreateStudyInput): Promise<Study> {
  const { organizationId, dataSourceIds, scopeIds, ...fields } = parseInput(createInput, input);
  const organization = await visibleOrganization(ctx, organizationId);
  if (!canEditOrganizationContent(ctx.viewer, organization.id)) {
    throw new ForbiddenError('Only a member or manager of the organization may create its studies');
  }
  const sources = [...new Set(dataSourceIds ?? [])];
  const scopes = [...new Set(scopeIds ?? [])];
  await assertCatalogEntriesExist(ctx.em, { dataSourceIds: sources, codeableConceptIds: scopes });
  return inTransaction(ctx.em, async (em) => {
    const study = em.create(Study, { ...fields, organization });
    for (const dataSource of sources) em.create(StudyDataSource, { study, dataSource });
    for (const codeableConcept of scopes) em.create(StudyScopeRequest, { study, codeableConcept });
    await em.flush();
    return study;
  });
}

export async function updateStudy(ctx: ServiceContext, studyId: number, input: UpdateStudyInput): Promise<Study> {
  const parsed = parseInput(updateInput, input);
  const changes = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined));
  const study = await editableStudy(ctx, studyId);
  if (Object.keys(changes).length === 0) throw new InvalidError('Nothing to update');
  return inTransaction(ctx.em, async (em) => {
    em.assign(study, changes);
    await em.flush();
    return study;
  });
}

/** Deletes the study with its enrollments and the consents given to it (patients and observations stay). */
export async function deleteStudy(ctx: ServiceContext, studyId: number): Promise<void> {
  const study = await editableStudy(ctx, studyId);
  await inTransaction(ctx.em, (em) => em.nativeDelete(Study, { id: study.id }));
  ctx.em.getUnitOfWork().unsetIdentity(study);
}

/** Batch read for loaders: the visible studies among `ids`. */
export async function studiesByIds(ctx: ServiceContext, studyIds: readonly number[]): Promise<Map<number, Study>> {
  const scope = studyScope(ctx.viewer, 's.id', 's.organization_id');
  const rows = await ctx.em
    .createQueryBuilder(Study, 's')
    .where({ id: { $in: [...studyIds] } })
    .andWhere(scope.sql, scope.params)
    .getResult();
  return new Map(rows.map((s) => [s.id, s]));
}

export {
  addStudyDataSource,
  addStudyScopeRequest,
  removeStudyDataSource,
  removeStudyScopeRequest,
  studyDataSources,
  studyScopeRequests,
} from './study-setup.js';
export { enrollPatients, unenrollPatient, unenrollPatients } from './study-enrollment.js';
