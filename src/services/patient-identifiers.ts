import type { EntityManager } from '@mikro-orm/postgresql';
import { Patient, PatientIdentifier } from '../db/entities/index.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import { canEditPatient, patientScope } from '../policy/index.js';
import type { ServiceContext } from './context.js';
import { visiblePatient } from './facts.js';
import { groupBy } from './group.js';
import { type IdentifierInput, parseIdentifier } from './patient-input.js';
import { inTransaction } from './persist.js';

/** Business identifiers of patients (system, value), unique across all patients. */

export const IDENTIFIER_IN_USE = 'This identifier is already assigned to a patient';

interface Identifier {
  system: string;
  value: string;
}

/** ConflictError when one of the identifiers already belongs to a patient (says nothing about which). */
export async function assertIdentifiersFree(em: EntityManager, identifiers: readonly Identifier[]): Promise<void> {
  if (identifiers.length === 0) return;
  const taken = await em.count(PatientIdentifier, {
    $or: identifiers.map(({ system, value }) => ({ system, value })),
  });
  if (taken > 0) throw new ConflictError(IDENTIFIER_IN_USE);
}

async function editablePatient(ctx: ServiceContext, patientId: number) {
  const facts = await visiblePatient(ctx, patientId);
  if (!canEditPatient(ctx.viewer, facts)) {
    throw new ForbiddenError('Only a member of one of the patient’s organizations may change their identifiers');
  }
  return facts.patient;
}

export async function addPatientIdentifier(
  ctx: ServiceContext,
  patientId: number,
  input: IdentifierInput,
): Promise<PatientIdentifier> {
  const data = parseIdentifier(input);
  const patient = await editablePatient(ctx, patientId);
  await assertIdentifiersFree(ctx.em, [data]);
  return inTransaction(
    ctx.em,
    async (em) => {
      const created = em.create(PatientIdentifier, { patient, system: data.system, value: data.value });
      await em.flush();
      return created;
    },
    IDENTIFIER_IN_USE,
  );
}

export async function removePatientIdentifier(
  ctx: ServiceContext,
  patientId: number,
  input: IdentifierInput,
): Promise<void> {
  const data = parseIdentifier(input);
  const patient = await editablePatient(ctx, patientId);
  const row = await ctx.em.findOne(PatientIdentifier, { patient: patient.id, system: data.system, value: data.value });
  if (!row) throw new NotFoundError(`Identifier ${data.system}|${data.value} of patient`, patient.id);
  await inTransaction(ctx.em, async (em) => {
    await em.nativeDelete(PatientIdentifier, { id: row.id });
  });
}

/** The visible patients with this identifier (at most one, identifiers being unique). */
export async function findPatientsByIdentifier(ctx: ServiceContext, system: string, value: string): Promise<Patient[]> {
  const data = parseIdentifier({ system, value });
  const scope = patientScope(ctx.viewer, 'p.id');
  return ctx.em
    .createQueryBuilder(Patient, 'p')
    .where(
      'exists (select 1 from patient_identifiers fpi where fpi.patient_id = p.id and fpi.system = ? and fpi.value = ?)',
      [data.system, data.value],
    )
    .andWhere(scope.sql, scope.params)
    .orderBy({ id: 'asc' })
    .getResult();
}

/** Batch read for loaders; callers have already decided the viewer may see these patients. */
export async function identifiersByPatientIds(
  em: EntityManager,
  patientIds: readonly number[],
): Promise<Map<number, PatientIdentifier[]>> {
  const rows = await em.find(PatientIdentifier, { patient: { $in: [...patientIds] } }, { orderBy: { id: 'asc' } });
  return groupBy(rows, (row) => row.patient.id);
}
