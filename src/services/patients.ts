import type { EntityManager } from '@mikro-orm/postgresql';
import { Patient, PatientIdentifier, PatientOrganization, User } from '../db/entities/index.js';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError } from '../errors.js';
import {
  canBindToPatientRecord,
  canDeletePatient,
  canEditOrganizationContent,
  canEditPatient,
  loadViewer,
} from '../policy/index.js';
import type { ServiceContext } from './context.js';
import { visibleOrganization, visiblePatient } from './facts.js';
import { parseInput } from './input.js';
import { assertIdentifiersFree } from './patient-identifiers.js';
import {
  type CreatePatientInput,
  createPatientInput,
  type UpdatePatientInput,
  updatePatientInput,
} from './patient-input.js';
import { linkedPatient, lockedOrganizationIds, unlink } from './patient-organizations.js';
import { inTransaction } from './persist.js';
import { findUserByEmail } from './users.js';

/** Patient records: read one, create, edit, delete; the other patient operations are re-exported at the end. */

// Deliberately says nothing about where that patient is: it may belong to organizations the viewer cannot see.
export const PATIENT_EMAIL_IN_USE = 'A patient with this email already exists';
const CREATE_CONFLICT = 'A patient with this email or identifier already exists';
// Says neither whose account it is nor what kind: the caller may not see it.
export const EMAIL_OF_ANOTHER_LOGIN =
  'This email belongs to another account (a practitioner or another patient): a patient record needs an email of its own';

export async function getPatient(ctx: ServiceContext, patientId: number): Promise<Patient> {
  return (await visiblePatient(ctx, patientId)).patient;
}

/**
 * A patient's email must be theirs alone: no other patient record has it, and no login has it but the patient's
 * own or an unbound patient login (which their first invitation binds). A practitioner's or super user's email
 * is refused, so that no invitation can ever sign in as them.
 */
async function assertEmailFree(em: EntityManager, email: string, patient?: Patient): Promise<void> {
  const qb = em.createQueryBuilder(Patient, 'p').where('lower(p.email) = ?', [email.toLowerCase()]);
  if (patient) qb.andWhere({ id: { $ne: patient.id } });
  if ((await qb.getCount()) > 0) throw new ConflictError(PATIENT_EMAIL_IN_USE);
  const user = await findUserByEmail(em, email);
  if (!user || user.id === patient?.user?.id) return;
  const bindable = patient?.user ? false : canBindToPatientRecord(await loadViewer(em, user.id), patient?.id ?? null);
  if (!bindable) throw new ConflictError(EMAIL_OF_ANOTHER_LOGIN);
}

/** A new patient of one organization (member or manager there), optionally with identifiers. */
export async function createPatient(ctx: ServiceContext, input: CreatePatientInput): Promise<Patient> {
  const { organizationId, identifiers, ...fields } = parseInput(createPatientInput, input);
  const organization = await visibleOrganization(ctx, organizationId);
  if (!canEditOrganizationContent(ctx.viewer, organization.id)) {
    throw new ForbiddenError('Only a member or manager of the organization may create its patients');
  }
  await assertEmailFree(ctx.em, fields.email);
  await assertIdentifiersFree(ctx.em, identifiers);
  return inTransaction(
    ctx.em,
    async (em) => {
      const patient = em.create(Patient, fields);
      em.create(PatientOrganization, { patient, organization });
      for (const { system, value } of identifiers) em.create(PatientIdentifier, { patient, system, value });
      await em.flush();
      return patient;
    },
    CREATE_CONFLICT,
  );
}

/**
 * Edits the record's own fields and, when `identifiers` is given, replaces its identifiers with those (adding
 * and removing single ones has its own operations; organizations too).
 */
export async function updatePatient(ctx: ServiceContext, patientId: number, input: UpdatePatientInput) {
  const { identifiers, ...parsed } = parseInput(updatePatientInput, input);
  const changes = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined));
  const facts = await visiblePatient(ctx, patientId);
  if (!canEditPatient(ctx.viewer, facts)) {
    throw new ForbiddenError('Only the patient or a member of one of their organizations may edit them');
  }
  if (Object.keys(changes).length === 0 && identifiers === undefined) throw new InvalidError('Nothing to update');
  if (parsed.email !== undefined) await assertEmailFree(ctx.em, parsed.email, facts.patient);
  return inTransaction(
    ctx.em,
    async (em) => {
      em.assign(facts.patient, changes);
      if (identifiers) await replaceIdentifiers(em, facts.patient, identifiers);
      // the patient's login (if invited) keeps the record's email
      const login =
        parsed.email !== undefined && facts.patient.user ? await em.findOne(User, facts.patient.user.id) : null;
      if (login) login.email = parsed.email!;
      await em.flush();
      return facts.patient;
    },
    identifiers ? CREATE_CONFLICT : PATIENT_EMAIL_IN_USE,
  );
}

/** The record's identifiers become `identifiers`: those it lacks are added (if no other patient has them), the rest removed. */
async function replaceIdentifiers(
  em: EntityManager,
  patient: Patient,
  identifiers: { system: string; value: string }[],
) {
  const key = (i: { system: string; value: string }) => `${i.system}|${i.value}`;
  const current = await em.find(PatientIdentifier, { patient: patient.id });
  const kept = new Set(current.map(key));
  const wanted = new Set(identifiers.map(key));
  const added = identifiers.filter((i) => !kept.has(key(i)));
  await assertIdentifiersFree(em, added);
  for (const row of current) if (!wanted.has(key(row))) em.remove(row);
  for (const { system, value } of added) em.create(PatientIdentifier, { patient, system, value });
}

/**
 * Deletes the record with everything hanging off it (observations, identifiers, enrollments, consents) and
 * the patient's own login, if any: it could no longer reach anything.
 */
export async function deletePatient(ctx: ServiceContext, patientId: number): Promise<void> {
  const facts = await visiblePatient(ctx, patientId);
  if (!canDeletePatient(ctx.viewer, facts)) {
    throw new ForbiddenError(
      'Deleting a patient takes member rights in all of their organizations; remove them from your organization instead',
    );
  }
  await inTransaction(ctx.em, (em) => deleteRecord(em, facts.patient));
  ctx.em.getUnitOfWork().unsetIdentity(facts.patient);
}

async function deleteRecord(em: EntityManager, patient: Patient): Promise<void> {
  await em.nativeDelete(Patient, { id: patient.id });
  if (patient.user) await em.nativeDelete(User, { id: patient.user.id, kind: 'patient' });
}

/**
 * JupyterHealth's patient delete: removes the patient from the organization (and its studies, with their
 * consents there) and, when it was the last organization the patient belonged to, deletes the record as
 * deletePatient does (which member rights there then allow: policy canDeletePatient). Answers whether the record
 * was deleted.
 */
export async function removePatientFromOrganizationOrDelete(
  ctx: ServiceContext,
  patientId: number,
  organizationId: number,
): Promise<{ deleted: boolean }> {
  const { patient, organization } = await linkedPatient(ctx, patientId, organizationId);
  const result = await inTransaction(ctx.em, async (em) => {
    const organizationIds = await lockedOrganizationIds(em, patient.id);
    if (!organizationIds.includes(organization.id)) {
      throw new NotFoundError(`Patient ${patient.id} in organization`, organization.id);
    }
    if (organizationIds.length > 1) {
      await unlink(em, patient.id, organization.id);
      return { deleted: false };
    }
    if (!canDeletePatient(ctx.viewer, { id: patient.id, organizationIds })) {
      throw new ForbiddenError('Deleting a patient takes member rights in all of their organizations');
    }
    await deleteRecord(em, patient);
    return { deleted: true };
  });
  if (result.deleted) ctx.em.getUnitOfWork().unsetIdentity(patient);
  return result;
}

export { countPatients, listPatients, patientsByIds, patientsByUserIds, type PatientFilter } from './patient-lists.js';
export { lookUpPatientsByEmail, type PatientMatch } from './patient-lookup.js';
export {
  addPatientIdentifier,
  findPatientsByIdentifier,
  identifiersByPatientIds,
  removePatientIdentifier,
} from './patient-identifiers.js';
export {
  addPatientToOrganization,
  organizationIdsByPatientIds,
  removePatientFromOrganization,
} from './patient-organizations.js';
