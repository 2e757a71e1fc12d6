import { Patient, Study } from '../db/entities/index.js';
import { patientScope, studyScope } from '../policy/scope.js';
import type { ServiceContext } from './context.js';
import { countsByParent, firstPagesByParent } from './pages-by-parent.js';

/**
 * First pages and counts of the lists nested under other rows (an organization's studies and patients, a
 * study's patients), for many parents at once and scoped by the policy, for the GraphQL loaders.
 */
const STUDIES_OF_ORGANIZATION = { from: 'studies c', parent: 'c.organization_id' };
const PATIENTS_OF_STUDY = {
  from: 'patients c join study_patients link on link.patient_id = c.id',
  parent: 'link.study_id',
};
const PATIENTS_OF_ORGANIZATION = {
  from: 'patients c join patient_organizations link on link.patient_id = c.id',
  parent: 'link.organization_id',
};

const visibleStudies = (ctx: ServiceContext) => studyScope(ctx.viewer, 'c.id', 'c.organization_id');
const visiblePatients = (ctx: ServiceContext) => patientScope(ctx.viewer, 'c.id');

export const studyPagesByOrganization = (ctx: ServiceContext, parentIds: readonly number[], first: number) =>
  firstPagesByParent(ctx.em, {
    entity: Study,
    ...STUDIES_OF_ORGANIZATION,
    parentIds,
    first,
    scope: visibleStudies(ctx),
  });

export const studyCountsByOrganization = (ctx: ServiceContext, parentIds: readonly number[]) =>
  countsByParent(ctx.em, { ...STUDIES_OF_ORGANIZATION, parentIds, scope: visibleStudies(ctx) });

export const patientPagesByStudy = (ctx: ServiceContext, parentIds: readonly number[], first: number) =>
  firstPagesByParent(ctx.em, { entity: Patient, ...PATIENTS_OF_STUDY, parentIds, first, scope: visiblePatients(ctx) });

export const patientCountsByStudy = (ctx: ServiceContext, parentIds: readonly number[]) =>
  countsByParent(ctx.em, { ...PATIENTS_OF_STUDY, parentIds, scope: visiblePatients(ctx) });

export const patientPagesByOrganization = (ctx: ServiceContext, parentIds: readonly number[], first: number) =>
  firstPagesByParent(ctx.em, {
    entity: Patient,
    ...PATIENTS_OF_ORGANIZATION,
    parentIds,
    first,
    scope: visiblePatients(ctx),
  });

export const patientCountsByOrganization = (ctx: ServiceContext, parentIds: readonly number[]) =>
  countsByParent(ctx.em, { ...PATIENTS_OF_ORGANIZATION, parentIds, scope: visiblePatients(ctx) });

/** The visible studies each patient is enrolled in (one query for all patients). */
export async function studiesByPatient(
  ctx: ServiceContext,
  patientIds: readonly number[],
): Promise<Map<number, Study[]>> {
  const pages = await firstPagesByParent(ctx.em, {
    entity: Study,
    from: 'studies c join study_patients link on link.study_id = c.id',
    parent: 'link.patient_id',
    parentIds: patientIds,
    first: MAX_STUDIES_PER_PATIENT,
    scope: visibleStudies(ctx),
  });
  return new Map([...pages].map(([id, page]) => [id, page.nodes]));
}

const MAX_STUDIES_PER_PATIENT = 1000;
