import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { hashPassword, passwordPolicy, verifyPassword } from '../auth/password.js';
import { Practitioner, User, type UserKind } from '../db/entities/index.js';
import { ConflictError } from '../errors.js';
import { email, parseInput, personName } from './input.js';
import { inTransaction } from './persist.js';

const accountInput = z.object({
  email,
  password: passwordPolicy,
  firstName: personName,
  lastName: personName,
});
export type AccountInput = z.input<typeof accountInput>;

const DUPLICATE = 'A user with this email already exists';

export const findUserByEmail = (em: EntityManager, address: string) =>
  em.findOne(User, { email: address.trim().toLowerCase() });

/**
 * Creates a practitioner login (user + practitioner profile). A system operation: sign-up, the CLI and
 * the seed call it; no viewer is involved.
 */
export async function createPractitionerAccount(
  em: EntityManager,
  input: AccountInput,
  opts: { isSuperuser?: boolean } = {},
): Promise<User> {
  const data = parseInput(accountInput, input);
  if (await findUserByEmail(em, data.email)) throw new ConflictError(DUPLICATE);
  const passwordHash = await hashPassword(data.password);
  return inTransaction(
    em,
    async (tx) => {
      const user = tx.create(User, {
        email: data.email,
        passwordHash,
        firstName: data.firstName,
        lastName: data.lastName,
        isSuperuser: opts.isSuperuser ?? false,
        kind: 'practitioner' satisfies UserKind,
      });
      tx.create(Practitioner, { user });
      await tx.flush();
      return user;
    },
    DUPLICATE,
  );
}

export const createSuperuser = (em: EntityManager, input: AccountInput) =>
  createPractitionerAccount(em, input, { isSuperuser: true });

// A valid hash of a random password: unknown emails cost as much time as wrong passwords.
const dummyHash = hashPassword(`dummy-${Math.random()}`);

/** The user with this email and password, or null. */
export async function authenticate(em: EntityManager, address: string, password: string): Promise<User | null> {
  const user = await findUserByEmail(em, address);
  if (!user?.passwordHash) {
    await verifyPassword(password, await dummyHash);
    return null;
  }
  return (await verifyPassword(password, user.passwordHash)) ? user : null;
}

/** Batch reads for loaders; callers have already decided the viewer may see these users. */
export async function usersByIds(em: EntityManager, ids: readonly number[]): Promise<Map<number, User>> {
  const rows = await em.find(User, { id: { $in: [...ids] } });
  return new Map(rows.map((u) => [u.id, u]));
}

export async function practitionersByIds(
  em: EntityManager,
  ids: readonly number[],
): Promise<Map<number, Practitioner>> {
  const rows = await em.find(Practitioner, { id: { $in: [...ids] } });
  return new Map(rows.map((p) => [p.id, p]));
}

export async function practitionersByUserIds(
  em: EntityManager,
  userIds: readonly number[],
): Promise<Map<number, Practitioner>> {
  const rows = await em.find(Practitioner, { user: { $in: [...userIds] } });
  return new Map(rows.map((p) => [p.user.id, p]));
}
