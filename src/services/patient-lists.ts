import { z } from 'zod';
import { Patient } from '../db/entities/index.js';
import { patientScope } from '../policy/index.js';
import type { ServiceContext } from './context.js';
import { whereNameMatches } from './name-search.js';
import { visibleOrganization, visibleStudy } from './facts.js';
import { email, id, identifier, isoDate, parseInput, personName } from './input.js';
import { decodeCursor, type Page, type PageArgs, pageSize, toPage } from './paging.js';

const filterInput = z.object({
  organizationId: id.nullish(),
  studyId: id.nullish(),
  identifier: identifier.nullish(),
  /** an identifier's value in any system */
  identifierValue: z.string().trim().min(1, 'must not be empty').max(255).nullish(),
  ids: z.array(id).max(1000, 'must name at most 1000 patients').nullish(),
  /** a part of the given or the family name, any case */
  name: personName.nullish(),
  /** the start of the family name, any case */
  family: personName.nullish(),
  /** the start of the given name, any case */
  given: personName.nullish(),
  /** the email, exactly but for case */
  email: email.nullish(),
  birthDate: isoDate.nullish(),
});
export type PatientFilter = z.input<typeof filterInput>;

/**
 * The visible patients, optionally only those of one organization, enrolled in one study, with an identifier (or
 * an identifier's value in any system), among some ids, or matching a name, email or birth date; naming an
 * organization or study the viewer cannot see is NotFound, as everywhere. Returned wrapped: a QueryBuilder
 * is thenable, so an async function returning it would run it.
 */
async function visiblePatients(ctx: ServiceContext, filter: PatientFilter) {
  const parsed = parseInput(filterInput, filter);
  const { organizationId, studyId, identifier: byIdentifier, identifierValue, ids } = parsed;
  if (organizationId) await visibleOrganization(ctx, organizationId);
  if (studyId) await visibleStudy(ctx, studyId);
  const scope = patientScope(ctx.viewer, 'p.id');
  const qb = ctx.em.createQueryBuilder(Patient, 'p').where(scope.sql, scope.params);
  if (organizationId) {
    qb.andWhere(
      'exists (select 1 from patient_organizations fpo where fpo.patient_id = p.id and fpo.organization_id = ?)',
      [organizationId],
    );
  }
  if (studyId) {
    qb.andWhere('exists (select 1 from study_patients fsp where fsp.patient_id = p.id and fsp.study_id = ?)', [
      studyId,
    ]);
  }
  if (byIdentifier) {
    qb.andWhere(
      'exists (select 1 from patient_identifiers fpi where fpi.patient_id = p.id and fpi.system = ? and fpi.value = ?)',
      [byIdentifier.system, byIdentifier.value],
    );
  }
  if (identifierValue) {
    qb.andWhere('exists (select 1 from patient_identifiers fpv where fpv.patient_id = p.id and fpv.value = ?)', [
      identifierValue,
    ]);
  }
  if (ids) qb.andWhere({ id: { $in: ids } });
  whereNameMatches(qb, { family: 'p.name_family', given: 'p.name_given' }, parsed);
  // the unique index patients_email_lower_unique answers it
  if (parsed.email) qb.andWhere('lower(p.email) = ?', [parsed.email]);
  if (parsed.birthDate) qb.andWhere('p.birth_date = ?::date', [parsed.birthDate]);
  return { qb };
}

/** One page of visible patients by ascending id (keyset: `after` is the previous page's endCursor). */
export async function listPatients(ctx: ServiceContext, args: PatientFilter & PageArgs = {}): Promise<Page<Patient>> {
  const size = pageSize(args.first);
  const afterId = decodeCursor(args.after);
  const { qb } = await visiblePatients(ctx, args);
  if (afterId !== null) qb.andWhere({ id: { $gt: afterId } });
  const rows = await qb
    .orderBy({ id: 'asc' })
    .limit(size + 1)
    .getResult();
  return toPage(rows, size);
}

/** How many patients listPatients would page through with the same filter. */
export async function countPatients(ctx: ServiceContext, filter: PatientFilter = {}): Promise<number> {
  return (await visiblePatients(ctx, filter)).qb.getCount();
}

/** Batch read for loaders: the visible patients among `ids`. */
export async function patientsByIds(ctx: ServiceContext, ids: readonly number[]): Promise<Map<number, Patient>> {
  const scope = patientScope(ctx.viewer, 'p.id');
  const rows = await ctx.em
    .createQueryBuilder(Patient, 'p')
    .where({ id: { $in: [...ids] } })
    .andWhere(scope.sql, scope.params)
    .getResult();
  return new Map(rows.map((p) => [p.id, p]));
}

/** Batch read for loaders: the visible patient record of each user. */
export async function patientsByUserIds(
  ctx: ServiceContext,
  userIds: readonly number[],
): Promise<Map<number, Patient>> {
  const scope = patientScope(ctx.viewer, 'p.id');
  const rows = await ctx.em
    .createQueryBuilder(Patient, 'p')
    .where({ user: { $in: [...userIds] } })
    .andWhere(scope.sql, scope.params)
    .getResult();
  return new Map(rows.map((p) => [p.user!.id, p]));
}
