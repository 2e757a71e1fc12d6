import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Organization,
  Patient,
  PatientOrganization,
  PractitionerOrganization,
  type Role,
  User,
} from '../src/db/entities/index.js';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError } from '../src/errors.js';
import { ANONYMOUS } from '../src/policy/viewer.js';
import type { ServiceContext } from '../src/services/context.js';
import {
  addPractitionerToOrganization,
  changePractitionerRole,
  createPractitioner,
  listOrganizationPractitioners,
  removePractitionerFromOrganization,
} from '../src/services/practitioners.js';
import { createSuperuser } from '../src/services/users.js';
import { contextFor } from './support/context.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

const PASSWORD = 'Secret-pass-1';
let db: TestDatabase;
const org = { top: 0, child: 0, other: 0 };
const ids: Record<string, number> = {}; // practitioner id by email

async function addPractitioner(email: string, roles: [keyof typeof org, Role][] = []) {
  const em = db.orm.em.fork();
  const practitioner = await createPractitioner(em, { email, password: PASSWORD, firstName: 'F', lastName: 'L' });
  for (const [key, role] of roles) em.create(PractitionerOrganization, { practitioner, organization: org[key], role });
  await em.flush();
  ids[email] = practitioner.id;
}

const as = (email: string) => contextFor(db.orm, email);
const anonymous = (): ServiceContext => ({ em: db.orm.em.fork(), viewer: ANONYMOUS });
const emailsOf = async (organizationId: number) =>
  (await listOrganizationPractitioners(await as('sam@example.com'), organizationId)).map(
    (e) => `${e.user.email}:${e.role}`,
  );
const roleIn = async (organizationId: number, email: string) =>
  (await db.orm.em.fork().findOne(PractitionerOrganization, { organization: organizationId, practitioner: ids[email] }))
    ?.role;

beforeAll(async () => {
  db = await createTestDatabase('empty');
  const em = db.orm.em.fork();
  const top = em.create(Organization, { name: 'Top', type: 'edu' });
  const child = em.create(Organization, { name: 'Child', type: 'dept', partOf: top });
  const other = em.create(Organization, { name: 'Other', type: 'prov' });
  await em.flush();
  Object.assign(org, { top: top.id, child: child.id, other: other.id });
  await createSuperuser(em, { email: 'Sam@Example.com', password: PASSWORD, firstName: 'Sam', lastName: 'Super' });
  await addPractitioner('mary@example.com', [['top', 'manager']]);
  await addPractitioner('mona@example.com', [['top', 'member']]);
  await addPractitioner('vic@example.com', [['top', 'viewer']]);
  await addPractitioner('oscar@example.com', [['other', 'manager']]);
  await addPractitioner('carl@example.com', [['child', 'manager']]);
  await addPractitioner('free@example.com');
  const patientUser = em.create(User, { email: 'pat@example.com', kind: 'patient' });
  const patient = em.create(Patient, {
    user: patientUser,
    nameFamily: 'P',
    nameGiven: 'Pat',
    email: 'pat@example.com',
  });
  em.create(PatientOrganization, { patient, organization: top });
  await em.flush();
});
afterAll(() => db?.drop());

describe('listing an organization’s practitioners', () => {
  it('is allowed to every role of the organization and to super users', async () => {
    for (const email of ['sam@example.com', 'mary@example.com', 'mona@example.com', 'vic@example.com']) {
      const list = await listOrganizationPractitioners(await as(email), org.top);
      expect(
        list.map((e) => `${e.user.email}:${e.role}`),
        email,
      ).toEqual(['mary@example.com:manager', 'mona@example.com:member', 'vic@example.com:viewer']);
      expect(list[0]?.practitioner.id).toBe(ids['mary@example.com']);
    }
  });

  it('is NotFound for outsiders, patients, anonymous and managers of the parent organization', async () => {
    for (const ctx of [await as('oscar@example.com'), await as('pat@example.com'), anonymous()]) {
      await expect(listOrganizationPractitioners(ctx, org.top)).rejects.toBeInstanceOf(NotFoundError);
    }
    await expect(listOrganizationPractitioners(await as('mary@example.com'), org.child)).rejects.toThrow(
      new NotFoundError('Organization', org.child),
    );
    await expect(listOrganizationPractitioners(await as('sam@example.com'), 999_999)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe('adding practitioners', () => {
  it('lets a manager add a practitioner by case-insensitive email', async () => {
    const entry = await addPractitionerToOrganization(await as('mary@example.com'), org.top, {
      email: 'FREE@example.com',
      role: 'member',
    });
    expect(entry).toMatchObject({ role: 'member', user: { email: 'free@example.com' } });
    expect(await roleIn(org.top, 'free@example.com')).toBe('member');
  });

  it('lets a super user add anyone anywhere', async () => {
    await addPractitionerToOrganization(await as('sam@example.com'), org.child, {
      email: 'free@example.com',
      role: 'viewer',
    });
    expect(await roleIn(org.child, 'free@example.com')).toBe('viewer');
  });

  it('forbids members and viewers, hides the organization from outsiders, patients, anonymous and parent managers', async () => {
    const input = { email: 'oscar@example.com', role: 'manager' as const };
    for (const email of ['mona@example.com', 'vic@example.com']) {
      await expect(addPractitionerToOrganization(await as(email), org.top, input)).rejects.toThrow(
        new ForbiddenError('Only a manager of the organization may change its practitioners'),
      );
    }
    for (const ctx of [await as('oscar@example.com'), await as('pat@example.com'), anonymous()]) {
      await expect(addPractitionerToOrganization(ctx, org.top, input)).rejects.toBeInstanceOf(NotFoundError);
    }
    await expect(addPractitionerToOrganization(await as('mary@example.com'), org.child, input)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await roleIn(org.top, 'oscar@example.com')).toBeUndefined();
    expect(await roleIn(org.child, 'oscar@example.com')).toBeUndefined();
  });

  it('reports unknown emails, patient emails, existing members and bad input', async () => {
    const mary = await as('mary@example.com');
    await expect(
      addPractitionerToOrganization(mary, org.top, { email: 'ghost@example.com', role: 'member' }),
    ).rejects.toThrow(new NotFoundError('Practitioner with email ghost@example.com'));
    const patientEmail = await addPractitionerToOrganization(mary, org.top, {
      email: 'pat@example.com',
      role: 'member',
    }).catch((e) => e);
    expect(patientEmail).toBeInstanceOf(InvalidError);
    expect(patientEmail).toMatchObject({ path: 'email', message: expect.stringMatching(/belongs to a patient/) });
    await expect(
      addPractitionerToOrganization(mary, org.top, { email: 'Mona@example.com', role: 'viewer' }),
    ).rejects.toThrow(new ConflictError('mona@example.com is already a practitioner of this organization'));
    expect(await roleIn(org.top, 'mona@example.com')).toBe('member');
    const badRole = await addPractitionerToOrganization(mary, org.top, {
      email: 'oscar@example.com',
      role: 'owner' as Role,
    }).catch((e) => e);
    expect(badRole).toMatchObject({ path: 'role' });
    expect(badRole).toBeInstanceOf(InvalidError);
    await expect(
      addPractitionerToOrganization(mary, org.top, { email: 'nope', role: 'member' }),
    ).rejects.toBeInstanceOf(InvalidError);
  });
});

describe('adding practitioners by user id (JupyterHealth’s jheUserId)', () => {
  const userIdOf = async (email: string) => (await db.orm.em.fork().findOneOrFail(User, { email })).id;

  it('adds by user id with the same checks as by email', async () => {
    const oscar = await userIdOf('oscar@example.com');
    const entry = await addPractitionerToOrganization(await as('carl@example.com'), org.child, {
      userId: oscar,
      role: 'viewer',
    });
    expect(entry).toMatchObject({ id: expect.any(Number), role: 'viewer', user: { email: 'oscar@example.com' } });
    expect(await roleIn(org.child, 'oscar@example.com')).toBe('viewer');
    await expect(
      addPractitionerToOrganization(await as('carl@example.com'), org.child, { userId: oscar, role: 'member' }),
    ).rejects.toThrow(new ConflictError(`User ${oscar} is already a practitioner of this organization`));
    for (const email of ['mona@example.com', 'vic@example.com']) {
      await expect(
        addPractitionerToOrganization(await as(email), org.top, { userId: oscar, role: 'viewer' }),
      ).rejects.toBeInstanceOf(ForbiddenError);
    }
    for (const ctx of [await as('oscar@example.com'), await as('pat@example.com'), anonymous()]) {
      await expect(
        addPractitionerToOrganization(ctx, org.top, { userId: oscar, role: 'viewer' }),
      ).rejects.toBeInstanceOf(NotFoundError);
    }
    expect(await roleIn(org.top, 'oscar@example.com')).toBeUndefined();
    // as it was, for the tests below
    await removePractitionerFromOrganization(await as('carl@example.com'), org.child, ids['oscar@example.com']!);
  });

  it('does not find unknown users or patients’ logins by id, and takes exactly one of email and user id', async () => {
    const mary = await as('mary@example.com');
    await expect(addPractitionerToOrganization(mary, org.top, { userId: 999_999, role: 'member' })).rejects.toThrow(
      new NotFoundError('Practitioner with user id', 999_999),
    );
    await expect(
      addPractitionerToOrganization(mary, org.top, { userId: await userIdOf('pat@example.com'), role: 'member' }),
    ).rejects.toThrow(new NotFoundError('Practitioner with user id', await userIdOf('pat@example.com')));
    for (const input of [
      { role: 'member' as const },
      { email: 'oscar@example.com', userId: await userIdOf('oscar@example.com'), role: 'member' as const },
    ]) {
      const error = await addPractitionerToOrganization(mary, org.top, input).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidError);
      expect(error).toMatchObject({ path: 'email', message: expect.stringMatching(/exactly one/) });
    }
    const badId = await addPractitionerToOrganization(mary, org.top, { userId: -1, role: 'member' }).catch((e) => e);
    expect(badId).toMatchObject({ path: 'userId' });
    expect(await roleIn(org.top, 'oscar@example.com')).toBeUndefined();
  });
});

describe('changing roles and removing practitioners', () => {
  it('lets a manager change roles; forbids members and viewers; hides from outsiders', async () => {
    const changed = await changePractitionerRole(
      await as('mary@example.com'),
      org.top,
      ids['vic@example.com']!,
      'member',
    );
    expect(changed).toMatchObject({ role: 'member', user: { email: 'vic@example.com' } });
    await changePractitionerRole(await as('mary@example.com'), org.top, ids['vic@example.com']!, 'viewer');
    await expect(
      changePractitionerRole(await as('mona@example.com'), org.top, ids['vic@example.com']!, 'manager'),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      changePractitionerRole(await as('vic@example.com'), org.top, ids['vic@example.com']!, 'manager'),
    ).rejects.toBeInstanceOf(ForbiddenError);
    for (const ctx of [await as('oscar@example.com'), await as('pat@example.com'), anonymous()]) {
      await expect(changePractitionerRole(ctx, org.top, ids['vic@example.com']!, 'manager')).rejects.toBeInstanceOf(
        NotFoundError,
      );
    }
    await expect(
      changePractitionerRole(await as('mary@example.com'), org.child, ids['carl@example.com']!, 'member'),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await roleIn(org.top, 'vic@example.com')).toBe('viewer');
    expect(await roleIn(org.child, 'carl@example.com')).toBe('manager');
  });

  it('reports a practitioner who is not in the organization and a bad role', async () => {
    const mary = await as('mary@example.com');
    await expect(changePractitionerRole(mary, org.top, ids['oscar@example.com']!, 'member')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(removePractitionerFromOrganization(mary, org.top, 999_999)).rejects.toBeInstanceOf(NotFoundError);
    await expect(changePractitionerRole(mary, org.top, ids['vic@example.com']!, 'boss' as Role)).rejects.toBeInstanceOf(
      InvalidError,
    );
  });

  it('never demotes or removes the last manager, not even for a super user', async () => {
    for (const email of ['mary@example.com', 'sam@example.com']) {
      const ctx = await as(email);
      await expect(changePractitionerRole(ctx, org.top, ids['mary@example.com']!, 'member')).rejects.toThrow(
        /must keep at least one manager/,
      );
      await expect(removePractitionerFromOrganization(ctx, org.top, ids['mary@example.com']!)).rejects.toBeInstanceOf(
        ConflictError,
      );
    }
    expect(await roleIn(org.top, 'mary@example.com')).toBe('manager');
    // keeping the role is no demotion
    await changePractitionerRole(await as('mary@example.com'), org.top, ids['mary@example.com']!, 'manager');
  });

  it('lets one of two managers step down, but not both at once', async () => {
    const mary = await as('mary@example.com');
    await changePractitionerRole(mary, org.top, ids['mona@example.com']!, 'manager');
    const results = await Promise.allSettled([
      changePractitionerRole(await as('mary@example.com'), org.top, ids['mona@example.com']!, 'member'),
      changePractitionerRole(await as('mona@example.com'), org.top, ids['mary@example.com']!, 'member'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const [failure] = results.filter((r) => r.status === 'rejected');
    expect(failure?.reason).toBeInstanceOf(ConflictError);
    const roles = [await roleIn(org.top, 'mary@example.com'), await roleIn(org.top, 'mona@example.com')];
    expect(roles.sort()).toEqual(['manager', 'member']);
    // restore: mary manager, mona member
    const sam = await as('sam@example.com');
    await changePractitionerRole(sam, org.top, ids['mary@example.com']!, 'manager');
    await changePractitionerRole(sam, org.top, ids['mona@example.com']!, 'member');
  });

  it('lets a manager remove a practitioner, and a super user too; forbids members and viewers', async () => {
    await expect(
      removePractitionerFromOrganization(await as('mona@example.com'), org.top, ids['free@example.com']!),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      removePractitionerFromOrganization(await as('vic@example.com'), org.top, ids['free@example.com']!),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      removePractitionerFromOrganization(await as('oscar@example.com'), org.top, ids['free@example.com']!),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await roleIn(org.top, 'free@example.com')).toBe('member');
    await removePractitionerFromOrganization(await as('mary@example.com'), org.top, ids['free@example.com']!);
    await removePractitionerFromOrganization(await as('sam@example.com'), org.child, ids['free@example.com']!);
    expect(await emailsOf(org.top)).toEqual([
      'mary@example.com:manager',
      'mona@example.com:member',
      'vic@example.com:viewer',
    ]);
    expect(await emailsOf(org.child)).toEqual(['carl@example.com:manager']);
  });
});
