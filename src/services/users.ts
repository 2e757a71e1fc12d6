import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { hashPassword, passwordPolicy, verifyPassword } from '../auth/password.js';
import { Patient, Practitioner, User, type UserKind } from '../db/entities/index.js';
import { ConflictError, InvalidError } from '../errors.js';
import { email, parseInput, personName } from './input.js';
import { inTransaction } from './persist.js';

/**
 * Logins. Everything here is a system operation (sign-up, the CLI, the seed, the login form): no viewer is
 * involved, so callers that act for someone must check the policy themselves.
 */

const userAccountInput = z.object({
  email,
  password: passwordPolicy.nullish(),
  firstName: personName,
  lastName: personName,
  kind: z.enum(['practitioner', 'patient'] satisfies UserKind[], { error: 'must be practitioner or patient' }),
  isSuperuser: z.boolean().default(false),
});
export type UserAccountInput = z.input<typeof userAccountInput>;

const practitionerAccountInput = z.object({
  email,
  password: passwordPolicy,
  firstName: personName,
  lastName: personName,
});
export type AccountInput = z.input<typeof practitionerAccountInput>;

export const DUPLICATE_USER = 'A user with this email already exists';

/** Case-insensitive, through the unique index on lower(email). */
export function findUserByEmail(em: EntityManager, address: string): Promise<User | null> {
  return em.createQueryBuilder(User, 'u').where('lower(u.email) = ?', [address.trim().toLowerCase()]).getSingleResult();
}

/** Whether a patient record holds this email (kept for that patient's own login). */
export const isPatientEmail = async (em: EntityManager, address: string) =>
  (await em.createQueryBuilder(Patient, 'p').where('lower(p.email) = ?', [address.toLowerCase()]).getCount()) > 0;

/**
 * Creates a user; a practitioner user gets their practitioner profile with it. Without a password the user
 * cannot use the login form (patients sign in through invitations).
 */
export async function createUserAccount(
  em: EntityManager,
  input: UserAccountInput,
  opts: { emailVerified?: boolean } = {},
): Promise<{ user: User; practitioner: Practitioner | null }> {
  const data = parseInput(userAccountInput, input);
  if (data.isSuperuser && data.kind !== 'practitioner') {
    throw new InvalidError('isSuperuser: only a practitioner can be a super user', 'isSuperuser');
  }
  if (await findUserByEmail(em, data.email)) throw new ConflictError(DUPLICATE_USER);
  // a patient record's email is kept for the patient's own login (their invitation binds it); the answer is
  // the duplicate's, so that sign-up does not tell who is a patient
  if (data.kind === 'practitioner' && (await isPatientEmail(em, data.email))) throw new ConflictError(DUPLICATE_USER);
  const passwordHash = data.password ? await hashPassword(data.password) : null;
  return inTransaction(
    em,
    async (tx) => {
      const user = tx.create(User, {
        email: data.email,
        passwordHash,
        firstName: data.firstName,
        lastName: data.lastName,
        isSuperuser: data.isSuperuser,
        kind: data.kind,
        // made by an administrator, the CLI or the seed: trusted; a sign-up proves its address first
        emailVerifiedAt: opts.emailVerified === false ? null : new Date(),
      });
      const practitioner = data.kind === 'practitioner' ? tx.create(Practitioner, { user }) : null;
      await tx.flush();
      return { user, practitioner };
    },
    DUPLICATE_USER,
  );
}

/** A practitioner login (user + practitioner profile) with a password that meets the policy. */
export async function createPractitionerAccount(
  em: EntityManager,
  input: AccountInput,
  opts: { isSuperuser?: boolean; emailVerified?: boolean } = {},
): Promise<User> {
  const data = parseInput(practitionerAccountInput, input);
  const { user } = await createUserAccount(
    em,
    { ...data, kind: 'practitioner', isSuperuser: opts.isSuperuser },
    { emailVerified: opts.emailVerified },
  );
  return user;
}

/** A practitioner who may do everything; an email already in use → ConflictError. */
export const createSuperuser = (em: EntityManager, input: AccountInput) =>
  createPractitionerAccount(em, input, { isSuperuser: true });

// A valid hash of a random password, made on first use: unknown emails cost as much time as wrong passwords.
let dummyHash: Promise<string> | undefined;

/** The user with this email and password, or null (unknown email, no password set, or a wrong one). */
export async function authenticate(em: EntityManager, address: string, password: string): Promise<User | null> {
  const user = await findUserByEmail(em, address);
  if (!user?.passwordHash) {
    dummyHash ??= hashPassword(`dummy-${Math.random()}`);
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
