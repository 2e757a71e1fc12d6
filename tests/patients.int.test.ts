import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Observation, Patient, PatientIdentifier, PatientOrganization, User } from '../src/db/entities/index.js';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError } from '../src/errors.js';
import {
  addPatientToOrganization,
  createPatient,
  deletePatient,
  getPatient,
  updatePatient,
} from '../src/services/patients.js';
import {
  as as contextAs,
  enrollWithData,
  type PatientMaker,
  type PatientWorld,
  setUpPatientWorld,
  type Who,
} from './support/patient-fixtures.js';
import type { TestDatabase } from './support/database.js';

let db: TestDatabase;
let world: PatientWorld;
const as = (who: Who) => contextAs(db, who);
const rowCounts = async () => {
  const em = db.orm.em.fork();
  return [await em.count(Patient), await em.count(PatientOrganization), await em.count(PatientIdentifier)];
};
let newPatient: PatientMaker;

beforeAll(async () => {
  ({ db, world, newPatient } = await setUpPatientWorld('patient'));
});
afterAll(() => db?.drop());

describe('createPatient', () => {
  it('lets members, managers and super users create patients, with identifiers', async () => {
    const patient = await createPatient(await as('mona'), {
      organizationId: world.org.top,
      nameFamily: ' Doe ',
      nameGiven: 'Jane',
      birthDate: '1980-02-29',
      email: 'Jane.Doe@Example.com',
      phone: '+1 (555) 010-0000',
      identifiers: [{ system: 'urn:mrn', value: 'J-1' }],
    });
    expect(patient).toMatchObject({ nameFamily: 'Doe', email: 'jane.doe@example.com', birthDate: '1980-02-29' });
    const em = db.orm.em.fork();
    expect(await em.count(PatientOrganization, { patient: patient.id, organization: world.org.top })).toBe(1);
    expect(await em.count(PatientIdentifier, { patient: patient.id, system: 'urn:mrn', value: 'J-1' })).toBe(1);
    await createPatient(await as('mary'), {
      organizationId: world.org.top,
      nameFamily: 'Roe',
      nameGiven: 'Rick',
      email: 'rick@example.com',
    });
    await createPatient(await as('sam'), {
      organizationId: world.org.child,
      nameFamily: 'Kid',
      nameGiven: 'Kim',
      email: 'kim@example.com',
    });
  });

  it('forbids viewers; hides the organization from outsiders, patients, anonymous and parent members', async () => {
    const before = await rowCounts();
    const input = { nameFamily: 'X', nameGiven: 'Y', email: 'denied@example.com' };
    await expect(createPatient(await as('vic'), { ...input, organizationId: world.org.top })).rejects.toThrow(
      new ForbiddenError('Only a member or manager of the organization may create its patients'),
    );
    for (const who of ['oscar', 'carl', 'pat', 'anonymous'] as const) {
      await expect(createPatient(await as(who), { ...input, organizationId: world.org.top })).rejects.toBeInstanceOf(
        NotFoundError,
      );
    }
    for (const who of ['mary', 'mona'] as const) {
      await expect(createPatient(await as(who), { ...input, organizationId: world.org.child })).rejects.toBeInstanceOf(
        NotFoundError,
      );
    }
    expect(await rowCounts()).toEqual(before);
  });

  it('rejects invalid fields naming them, and writes nothing', async () => {
    const before = await rowCounts();
    const base = { organizationId: world.org.top, nameFamily: 'F', nameGiven: 'G', email: 'valid@example.com' };
    const future = new Date(Date.now() + 3 * 86400_000).toISOString().slice(0, 10);
    const cases: [Record<string, unknown>, string][] = [
      [{ birthDate: '2023-02-29' }, 'birthDate'],
      [{ birthDate: '1980-13-01' }, 'birthDate'],
      [{ birthDate: future }, 'birthDate'],
      [{ birthDate: '1899-12-31' }, 'birthDate'],
      [{ birthDate: '01/02/1980' }, 'birthDate'],
      [{ email: 'not an email' }, 'email'],
      [{ email: `${'a'.repeat(250)}@example.com` }, 'email'],
      [{ phone: 'call me' }, 'phone'],
      [{ phone: '1'.repeat(41) }, 'phone'],
      [{ nameFamily: '  ' }, 'nameFamily'],
      [{ nameGiven: 'g'.repeat(151) }, 'nameGiven'],
      [{ organizationId: -1 }, 'organizationId'],
      [{ identifiers: [{ system: 'urn:mrn', value: '' }] }, 'identifiers.0.value'],
      [
        {
          identifiers: [
            { system: 'urn:mrn', value: 'A' },
            { system: 'urn:mrn', value: 'A' },
          ],
        },
        'identifiers',
      ],
    ];
    for (const [change, path] of cases) {
      const error = await createPatient(await as('mona'), { ...base, ...change } as never).catch((e) => e);
      expect(error, JSON.stringify(change)).toBeInstanceOf(InvalidError);
      expect(error.path, JSON.stringify(change)).toBe(path);
    }
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses a taken email (any case, any organization) or identifier without naming where it is used', async () => {
    const before = await rowCounts();
    const error = await createPatient(await as('oscar'), {
      organizationId: world.org.other,
      nameFamily: 'Doe',
      nameGiven: 'Jane',
      email: 'JANE.DOE@example.com',
    }).catch((e) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toBe('A patient with this email already exists');
    await expect(
      createPatient(await as('oscar'), {
        organizationId: world.org.other,
        nameFamily: 'New',
        nameGiven: 'One',
        email: 'new.one@example.com',
        identifiers: [
          { system: 'urn:other', value: 'fine' },
          { system: 'urn:mrn', value: 'J-1' },
        ],
      }),
    ).rejects.toThrow(new ConflictError('This identifier is already assigned to a patient'));
    expect(await rowCounts()).toEqual(before);
  });
});

describe('getPatient', () => {
  it('shows a patient to every role of its organizations, to super users and to the patient themself', async () => {
    const patient = await newPatient(world.org.top);
    for (const who of ['sam', 'mary', 'mona', 'vic', 'multi', 'vera'] as const) {
      expect((await getPatient(await as(who), patient.id)).id, who).toBe(patient.id);
    }
    expect((await getPatient(await as('pat'), world.patId)).email).toBe('pat@example.com');
  });

  it('is NotFound for outsiders, sub-organization members, other patients, anonymous and unknown ids', async () => {
    const patient = await newPatient(world.org.top);
    for (const who of ['oscar', 'carl', 'pat', 'anonymous'] as const) {
      await expect(getPatient(await as(who), patient.id), who).rejects.toThrow(
        new NotFoundError('Patient', patient.id),
      );
    }
    await expect(getPatient(await as('sam'), 999_999)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getPatient(await as('sam'), 99_999_999_999)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('updatePatient', () => {
  it('lets members and the patient edit; null clears optional fields', async () => {
    const patient = await newPatient(world.org.top, { phone: '555-0100', birthDate: '1990-01-01' });
    const updated = await updatePatient(await as('mona'), patient.id, { nameGiven: 'Renamed', phone: null });
    expect(updated).toMatchObject({ nameGiven: 'Renamed', phone: null, birthDate: '1990-01-01' });
    await updatePatient(await as('pat'), world.patId, { phone: '+44 20 7946 0000' });
    const em = db.orm.em.fork();
    expect((await em.findOneOrFail(Patient, patient.id)).phone).toBeNull();
    expect((await em.findOneOrFail(Patient, world.patId)).phone).toBe('+44 20 7946 0000');
  });

  it('forbids viewers and hides the patient from outsiders and other patients', async () => {
    const patient = await newPatient(world.org.top);
    await expect(updatePatient(await as('vic'), patient.id, { nameGiven: 'No' })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    for (const who of ['oscar', 'carl', 'pat', 'anonymous'] as const) {
      await expect(updatePatient(await as(who), patient.id, { nameGiven: 'No' })).rejects.toBeInstanceOf(NotFoundError);
    }
    expect((await db.orm.em.fork().findOneOrFail(Patient, patient.id)).nameGiven).toBe('Given');
  });

  it('rejects bad input and taken emails, leaving the record unchanged', async () => {
    const patient = await newPatient(world.org.top);
    const mona = await as('mona');
    await expect(updatePatient(mona, patient.id, {})).rejects.toThrow(new InvalidError('Nothing to update'));
    await expect(updatePatient(mona, patient.id, { birthDate: '2023-02-30' })).rejects.toBeInstanceOf(InvalidError);
    await expect(updatePatient(mona, patient.id, { email: 'PAT@example.com' })).rejects.toThrow(
      new ConflictError('A patient with this email already exists'),
    );
    // its own email in another case is no conflict
    await updatePatient(await as('mona'), patient.id, { email: patient.email.toUpperCase(), nameFamily: 'Same' });
    const stored = await db.orm.em.fork().findOneOrFail(Patient, patient.id);
    expect(stored).toMatchObject({ email: patient.email, nameFamily: 'Same' });
  });
});

describe('deletePatient', () => {
  it('deletes the record, its observations and its patient login, for members of all its organizations', async () => {
    const patient = await newPatient(world.org.top);
    await enrollWithData(db, world, patient.id, world.study.top);
    const em = db.orm.em.fork();
    const login = em.create(User, { email: 'login@example.com', kind: 'patient' });
    await em.flush();
    await em.nativeUpdate(Patient, { id: patient.id }, { user: login.id });
    await deletePatient(await as('mona'), patient.id);
    const check = db.orm.em.fork();
    expect(await check.count(Patient, { id: patient.id })).toBe(0);
    expect(await check.count(Observation, { subjectPatient: patient.id })).toBe(0);
    expect(await check.count(User, { id: login.id })).toBe(0);
  });

  it('takes rights in every organization of the patient, and is never the patient’s own act', async () => {
    const patient = await newPatient(world.org.top);
    await addPatientToOrganization(await as('sam'), patient.id, world.org.other);
    for (const who of ['mona', 'mary', 'vic', 'vera'] as const) {
      await expect(deletePatient(await as(who), patient.id), who).rejects.toBeInstanceOf(ForbiddenError);
    }
    for (const who of ['carl', 'pat', 'anonymous'] as const) {
      await expect(deletePatient(await as(who), patient.id), who).rejects.toBeInstanceOf(NotFoundError);
    }
    await expect(deletePatient(await as('pat'), world.patId)).rejects.toBeInstanceOf(ForbiddenError);
    expect(await db.orm.em.fork().count(Patient, { id: patient.id })).toBe(1);
    await deletePatient(await as('multi'), patient.id);
    expect(await db.orm.em.fork().count(Patient, { id: patient.id })).toBe(0);
    await deletePatient(await as('sam'), (await newPatient(world.org.child)).id);
  });
});
