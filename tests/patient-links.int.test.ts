import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PatientIdentifier,
  PatientOrganization,
  StudyPatient,
  StudyPatientScopeConsent,
} from '../src/db/entities/index.js';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError } from '../src/errors.js';
import {
  addPatientIdentifier,
  addPatientToOrganization,
  findPatientsByIdentifier,
  getPatient,
  identifiersByPatientIds,
  organizationIdsByPatientIds,
  removePatientFromOrganization,
  removePatientIdentifier,
} from '../src/services/patients.js';
import type { TestDatabase } from './support/database.js';
import {
  as as contextAs,
  enrollWithData,
  type PatientMaker,
  type PatientWorld,
  setUpPatientWorld,
  type Who,
} from './support/patient-fixtures.js';

let db: TestDatabase;
let world: PatientWorld;
const as = (who: Who) => contextAs(db, who);
let newPatient: PatientMaker;
const organizationsOf = async (patientId: number) =>
  (await organizationIdsByPatientIds(await as('sam'), [patientId])).get(patientId) ?? [];

beforeAll(async () => {
  ({ db, world, newPatient } = await setUpPatientWorld('linked'));
});
afterAll(() => db?.drop());

describe('adding a patient to another organization', () => {
  it('takes member rights in the target and in one of the patient’s organizations', async () => {
    const patient = await newPatient(world.org.top);
    await expect(addPatientToOrganization(await as('vera'), patient.id, world.org.other)).rejects.toThrow(
      new ForbiddenError('Only a member of one of the patient’s organizations may add them to another'),
    );
    await expect(addPatientToOrganization(await as('vic'), patient.id, world.org.top)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    // the target must be visible; so must the patient
    await expect(addPatientToOrganization(await as('mona'), patient.id, world.org.other)).rejects.toThrow(
      new NotFoundError('Organization', world.org.other),
    );
    await expect(addPatientToOrganization(await as('mary'), patient.id, world.org.child)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    for (const who of ['oscar', 'carl', 'pat', 'anonymous'] as const) {
      await expect(addPatientToOrganization(await as(who), patient.id, world.org.other), who).rejects.toThrow(
        new NotFoundError('Patient', patient.id),
      );
    }
    expect(await organizationsOf(patient.id)).toEqual([world.org.top]);

    await addPatientToOrganization(await as('multi'), patient.id, world.org.other);
    expect(await organizationsOf(patient.id)).toEqual([world.org.top, world.org.other]);
    expect((await getPatient(await as('oscar'), patient.id)).id).toBe(patient.id);
    await addPatientToOrganization(await as('sam'), patient.id, world.org.child);
    await expect(addPatientToOrganization(await as('multi'), patient.id, world.org.other)).rejects.toBeInstanceOf(
      ConflictError,
    );
  });
});

describe('removing a patient from an organization', () => {
  it('unlinks and unenrolls from that organization’s studies only; forbids viewers; hides from outsiders', async () => {
    const patient = await newPatient(world.org.top);
    await addPatientToOrganization(await as('sam'), patient.id, world.org.other);
    await enrollWithData(db, world, patient.id, world.study.top);
    await enrollWithData(db, world, patient.id, world.study.other);
    await expect(removePatientFromOrganization(await as('vic'), patient.id, world.org.top)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(removePatientFromOrganization(await as('vera'), patient.id, world.org.top)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    for (const who of ['carl', 'pat', 'anonymous'] as const) {
      await expect(removePatientFromOrganization(await as(who), patient.id, world.org.top)).rejects.toBeInstanceOf(
        NotFoundError,
      );
    }
    await expect(removePatientFromOrganization(await as('oscar'), patient.id, world.org.top)).rejects.toThrow(
      new NotFoundError('Organization', world.org.top),
    );
    await expect(removePatientFromOrganization(await as('sam'), patient.id, world.org.child)).rejects.toThrow(
      new NotFoundError(`Patient ${patient.id} in organization`, world.org.child),
    );

    await removePatientFromOrganization(await as('mona'), patient.id, world.org.top);
    const em = db.orm.em.fork();
    expect(await organizationsOf(patient.id)).toEqual([world.org.other]);
    const enrollments = await em.find(StudyPatient, { patient: patient.id });
    expect(enrollments.map((e) => e.study.id)).toEqual([world.study.other]);
    expect(await em.count(StudyPatientScopeConsent, { studyPatient: { patient: patient.id } })).toBe(1);
    await expect(getPatient(await as('mona'), patient.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses to remove the last organization, changing nothing', async () => {
    const patient = await newPatient(world.org.top);
    await enrollWithData(db, world, patient.id, world.study.top);
    for (const who of ['mona', 'sam'] as const) {
      await expect(removePatientFromOrganization(await as(who), patient.id, world.org.top)).rejects.toThrow(
        /only organization: delete the patient/,
      );
    }
    const em = db.orm.em.fork();
    expect(await em.count(PatientOrganization, { patient: patient.id })).toBe(1);
    expect(await em.count(StudyPatient, { patient: patient.id })).toBe(1);
  });

  it('never unlinks every organization when two removals race', async () => {
    const patient = await newPatient(world.org.top);
    await addPatientToOrganization(await as('sam'), patient.id, world.org.other);
    const results = await Promise.allSettled([
      removePatientFromOrganization(await as('mona'), patient.id, world.org.top),
      removePatientFromOrganization(await as('oscar'), patient.id, world.org.other),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await organizationsOf(patient.id)).toHaveLength(1);
  });
});

describe('patient identifiers', () => {
  it('lets members and the patient add and remove identifiers; unique across all patients', async () => {
    const patient = await newPatient(world.org.top);
    const added = await addPatientIdentifier(await as('mona'), patient.id, { system: ' urn:mrn ', value: 'M-1' });
    expect(added).toMatchObject({ system: 'urn:mrn', value: 'M-1' });
    await addPatientIdentifier(await as('pat'), world.patId, { system: 'urn:app', value: 'pat-1' });
    await expect(
      addPatientIdentifier(await as('sam'), world.patId, { system: 'urn:mrn', value: 'M-1' }),
    ).rejects.toThrow(new ConflictError('This identifier is already assigned to a patient'));
    const loaded = await identifiersByPatientIds(db.orm.em.fork(), [patient.id, world.patId]);
    expect(loaded.get(patient.id)?.map((i) => i.value)).toEqual(['M-1']);
    expect(loaded.get(world.patId)?.map((i) => i.value)).toEqual(['pat-1']);
    await removePatientIdentifier(await as('mary'), patient.id, { system: 'urn:mrn', value: 'M-1' });
    await removePatientIdentifier(await as('pat'), world.patId, { system: 'urn:app', value: 'pat-1' });
    expect(await db.orm.em.fork().count(PatientIdentifier, { patient: [patient.id, world.patId] })).toBe(0);
  });

  it('forbids viewers, hides the patient from outsiders, and validates input', async () => {
    const patient = await newPatient(world.org.top);
    await addPatientIdentifier(await as('sam'), patient.id, { system: 'urn:mrn', value: 'V-1' });
    const identifier = { system: 'urn:mrn', value: 'V-2' };
    await expect(addPatientIdentifier(await as('vic'), patient.id, identifier)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      removePatientIdentifier(await as('vic'), patient.id, { system: 'urn:mrn', value: 'V-1' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    for (const who of ['oscar', 'carl', 'pat', 'anonymous'] as const) {
      await expect(addPatientIdentifier(await as(who), patient.id, identifier)).rejects.toBeInstanceOf(NotFoundError);
    }
    const bad = await addPatientIdentifier(await as('mona'), patient.id, { system: '', value: 'x' }).catch((e) => e);
    expect(bad).toBeInstanceOf(InvalidError);
    expect(bad.path).toBe('system');
    await expect(removePatientIdentifier(await as('mona'), patient.id, identifier)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await db.orm.em.fork().count(PatientIdentifier, { patient: patient.id })).toBe(1);
  });

  it('finds patients by identifier within the viewer’s scope only', async () => {
    const patient = await newPatient(world.org.top);
    await addPatientIdentifier(await as('sam'), patient.id, { system: 'urn:mrn', value: 'F-1' });
    for (const who of ['sam', 'mary', 'mona', 'vic'] as const) {
      expect(
        (await findPatientsByIdentifier(await as(who), 'urn:mrn', 'F-1')).map((p) => p.id),
        who,
      ).toEqual([patient.id]);
    }
    for (const who of ['oscar', 'carl', 'pat', 'anonymous'] as const) {
      expect(await findPatientsByIdentifier(await as(who), 'urn:mrn', 'F-1'), who).toEqual([]);
    }
    expect(await findPatientsByIdentifier(await as('sam'), 'urn:mrn', 'nope')).toEqual([]);
    await expect(findPatientsByIdentifier(await as('sam'), 'urn:mrn', '')).rejects.toBeInstanceOf(InvalidError);
  });
});
