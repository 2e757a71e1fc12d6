import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../src/db/entities/index.js';
import { ConflictError, InvalidError } from '../src/errors.js';
import { createPractitioner } from '../src/services/practitioners.js';
import {
  authenticate,
  createSuperuser,
  createUserAccount,
  findUserByEmail,
  practitionersByUserIds,
} from '../src/services/users.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

const PASSWORD = 'Secret-pass-1';
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('empty');
  const em = db.orm.em.fork();
  await createSuperuser(em, { email: 'Sam@Example.com', password: PASSWORD, firstName: 'Sam', lastName: 'Super' });
  await createPractitioner(em, { email: 'mary@example.com', password: PASSWORD, firstName: 'Mary', lastName: 'M' });
});
afterAll(() => db?.drop());

describe('user accounts (system operations)', () => {
  it('lower-cases emails, refuses duplicates case-insensitively and makes a super user a practitioner', async () => {
    const em = db.orm.em.fork();
    const sam = await findUserByEmail(em, '  SAM@example.COM ');
    expect(sam).toMatchObject({ email: 'sam@example.com', isSuperuser: true, kind: 'practitioner' });
    expect((await practitionersByUserIds(em, [sam!.id])).get(sam!.id)).toBeDefined();
    await expect(
      createSuperuser(em, { email: 'SAM@example.com', password: PASSWORD, firstName: 'A', lastName: 'B' }),
    ).rejects.toThrow(new ConflictError('A user with this email already exists'));
    await expect(
      createPractitioner(em, { email: 'MARY@example.com', password: PASSWORD, firstName: 'A', lastName: 'B' }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('rejects bad input with the field named and writes nothing', async () => {
    const em = db.orm.em.fork();
    const users = await em.count(User);
    const base = { email: 'new@example.com', password: PASSWORD, firstName: 'N', lastName: 'W' };
    const cases: [Record<string, unknown>, string][] = [
      [{ password: 'short1' }, 'password'],
      [{ password: 'nodigitshere' }, 'password'],
      [{ email: 'not-an-email' }, 'email'],
      [{ firstName: '   ' }, 'firstName'],
      [{ lastName: 'x'.repeat(151) }, 'lastName'],
    ];
    for (const [change, path] of cases) {
      const error = await createPractitioner(em, { ...base, ...change } as never).catch((e) => e);
      expect(error, path).toBeInstanceOf(InvalidError);
      expect(error.path).toBe(path);
    }
    await expect(
      createUserAccount(em, { ...base, kind: 'patient', isSuperuser: true, password: null }),
    ).rejects.toThrow(/only a practitioner can be a super user/);
    expect(await em.count(User)).toBe(users);
  });

  it('creates a patient login without a password, which the login form never accepts', async () => {
    const em = db.orm.em.fork();
    const { user, practitioner } = await createUserAccount(em, {
      email: 'Nopass@Example.com',
      firstName: 'No',
      lastName: 'Pass',
      kind: 'patient',
    });
    expect(user).toMatchObject({ email: 'nopass@example.com', passwordHash: null, kind: 'patient' });
    expect(practitioner).toBeNull();
    expect(await authenticate(em, 'nopass@example.com', '')).toBeNull();
  });

  it('authenticates by case-insensitive email and the right password only', async () => {
    const em = db.orm.em.fork();
    expect((await authenticate(em, 'MARY@example.com', PASSWORD))?.email).toBe('mary@example.com');
    expect(await authenticate(em, 'mary@example.com', `${PASSWORD}x`)).toBeNull();
    expect(await authenticate(em, 'nobody@example.com', PASSWORD)).toBeNull();
  });
});
