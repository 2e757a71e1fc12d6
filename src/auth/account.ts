import type { Account, FindAccount } from 'oidc-provider';
import { Patient, Practitioner, User } from '../db/entities/index.js';
import type { Orm } from '../db/orm.js';

/** The OpenID account of a user: `sub` is the user id; fhirUser points at their FHIR identity. */
export function accountFinder(orm: Orm, fhirBase: string): FindAccount {
  return async (_ctx, sub): Promise<Account | undefined> => {
    const userId = Number(sub);
    if (!Number.isSafeInteger(userId)) return undefined;
    const em = orm.em.fork();
    const user = await em.findOne(User, userId);
    if (!user) return undefined;
    const [patient, practitioner] = await Promise.all([
      em.findOne(Patient, { user: userId }),
      em.findOne(Practitioner, { user: userId }),
    ]);
    const fhirUser = patient
      ? `${fhirBase}/Patient/${patient.id}`
      : practitioner
        ? `${fhirBase}/Practitioner/${practitioner.id}`
        : undefined;
    return {
      accountId: String(user.id),
      claims: () => ({
        sub: String(user.id),
        email: user.email,
        email_verified: true,
        name: [user.firstName, user.lastName].filter(Boolean).join(' ') || user.email,
        given_name: user.firstName || undefined,
        family_name: user.lastName || undefined,
        fhirUser,
      }),
    };
  };
}
