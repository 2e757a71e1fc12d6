import {
  CodeableConcept,
  DataSource,
  Observation,
  Organization,
  Patient,
  PatientOrganization,
  Practitioner,
  PractitionerOrganization,
  type Role,
  Study,
  StudyPatient,
  StudyPatientScopeConsent,
  StudyScopeRequest,
  User,
} from '../../src/db/entities/index.js';
import { ANONYMOUS } from '../../src/policy/viewer.js';
import type { ServiceContext } from '../../src/services/context.js';
import { createPatient } from '../../src/services/patients.js';
import { contextFor } from './context.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/**
 * A small world for the patient tests, built on an empty database:
 * organizations Top, Child (part of Top) and Other, one study in Top and one in Other, and practitioners
 * sam (super user), mary (Top manager), mona (Top member), vic (Top viewer), carl (Child member),
 * oscar (Other member), multi (member of Top and Other), vera (Top viewer, Other member), plus the patient
 * user pat whose own record is in Top.
 */
export async function buildPatientWorld(db: TestDatabase) {
  const em = db.orm.em.fork();
  const top = em.create(Organization, { name: 'Top', type: 'prov' });
  const child = em.create(Organization, { name: 'Child', type: 'dept', partOf: top });
  const other = em.create(Organization, { name: 'Other', type: 'prov' });
  const roles: Record<string, [Organization, Role][]> = {
    sam: [],
    mary: [[top, 'manager']],
    mona: [[top, 'member']],
    vic: [[top, 'viewer']],
    carl: [[child, 'member']],
    oscar: [[other, 'member']],
    multi: [
      [top, 'member'],
      [other, 'member'],
    ],
    vera: [
      [top, 'viewer'],
      [other, 'member'],
    ],
  };
  for (const [name, memberships] of Object.entries(roles)) {
    const user = em.create(User, { email: `${name}@example.com`, kind: 'practitioner', isSuperuser: name === 'sam' });
    const practitioner = em.create(Practitioner, { user });
    for (const [organization, role] of memberships) {
      em.create(PractitionerOrganization, { practitioner, organization, role });
    }
  }
  const patUser = em.create(User, { email: 'pat@example.com', kind: 'patient' });
  const pat = em.create(Patient, { user: patUser, nameFamily: 'Self', nameGiven: 'Pat', email: 'pat@example.com' });
  em.create(PatientOrganization, { patient: pat, organization: top });
  const code = em.create(CodeableConcept, {
    codingSystem: 'https://w3id.org/openmhealth',
    codingCode: 'omh:heart-rate:2.0',
    text: 'Heart rate',
  });
  const source = em.create(DataSource, { name: 'Watch', type: 'personal_device' });
  const topStudy = em.create(Study, { organization: top, name: 'Top study' });
  const otherStudy = em.create(Study, { organization: other, name: 'Other study' });
  em.create(StudyScopeRequest, { study: topStudy, codeableConcept: code });
  em.create(StudyScopeRequest, { study: otherStudy, codeableConcept: code });
  await em.flush();
  return {
    org: { top: top.id, child: child.id, other: other.id },
    study: { top: topStudy.id, other: otherStudy.id },
    patId: pat.id,
    codeId: code.id,
    sourceId: source.id,
  };
}
export type PatientWorld = Awaited<ReturnType<typeof buildPatientWorld>>;

export type Who = 'sam' | 'mary' | 'mona' | 'vic' | 'carl' | 'oscar' | 'multi' | 'vera' | 'pat' | 'anonymous';

/** A fresh request context for one of the world's users. */
export function as(db: TestDatabase, who: Who): Promise<ServiceContext> {
  if (who === 'anonymous') return Promise.resolve({ em: db.orm.em.fork(), viewer: ANONYMOUS });
  return contextFor(db.orm, `${who}@example.com`);
}

/** Enrolls the patient in the study with a consent and gives them one observation of the world's code. */
export async function enrollWithData(db: TestDatabase, world: PatientWorld, patientId: number, studyId: number) {
  const em = db.orm.em.fork();
  const studyPatient = em.create(StudyPatient, { study: studyId, patient: patientId });
  em.create(StudyPatientScopeConsent, {
    studyPatient,
    codeableConcept: world.codeId,
    consented: true,
    consentedTime: new Date(),
  });
  em.create(Observation, {
    subjectPatient: patientId,
    codeableConcept: world.codeId,
    dataSource: world.sourceId,
    omh: { body: { heart_rate: { value: 60, unit: 'beats/min' } } },
    effectiveTime: new Date(),
  });
  await em.flush();
}

/** A maker of patients (created by the super user) with distinct names and emails starting with `prefix`. */
export function patientMaker(db: TestDatabase, prefix: string) {
  let serial = 0;
  return async (organizationId: number, fields: Record<string, unknown> = {}) => {
    serial += 1;
    return createPatient(await as(db, 'sam'), {
      organizationId,
      nameFamily: `Family${serial}`,
      nameGiven: 'Given',
      email: `${prefix}${serial}@example.com`,
      ...fields,
    });
  };
}

export type PatientMaker = ReturnType<typeof patientMaker>;

/** A test file's own empty database with the patient world in it, and a patient maker for `prefix`. */
export async function setUpPatientWorld(prefix: string) {
  const db = await createTestDatabase('empty');
  const world = await buildPatientWorld(db);
  return { db, world, newPatient: patientMaker(db, prefix) };
}
