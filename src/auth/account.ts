import type { Account, FindAccount, KoaContextWithOIDC } from 'oidc-provider';
import { User } from '../db/entities/index.js';
import type { Orm } from '../db/orm.js';
import { mayUsePatientClient } from '../policy/logins.js';
import { loadViewer } from '../policy/viewer.js';
import { servesPatientsOnly } from './clients.js';

/**
 * The OpenID account of a user: `sub` is the user id; fhirUser points at their FHIR identity. A client that
 * serves patients finds no account for any other login, so its codes and refresh tokens yield nothing for
 * them (the provider answers invalid_grant).
 */
export function accountFinder(orm: Orm, fhirBase: string): FindAccount {
  return async (ctx: KoaContextWithOIDC | undefined, sub): Promise<Account | undefined> => {
    const userId = Number(sub);
    if (!Number.isSafeInteger(userId)) return undefined;
    const em = orm.em.fork();
    const [user, login] = await Promise.all([em.findOne(User, userId), loadViewer(em, userId)]);
    // a disabled account has none: its codes and refresh tokens yield nothing (invalid_grant)
    if (!user || user.disabledAt) return undefined;
    const clientId = ctx?.oidc?.client?.clientId;
    if (clientId && !mayUsePatientClient(login) && (await servesPatientsOnly(em, clientId))) return undefined;
    const fhirUser =
      login.patientId !== null
        ? `${fhirBase}/Patient/${login.patientId}`
        : login.practitionerId !== null
          ? `${fhirBase}/Practitioner/${login.practitionerId}`
          : undefined;
    return {
      accountId: String(user.id),
      claims: () => ({
        sub: String(user.id),
        email: user.email,
        email_verified: Boolean(user.emailVerifiedAt),
        name: [user.firstName, user.lastName].filter(Boolean).join(' ') || user.email,
        given_name: user.firstName || undefined,
        family_name: user.lastName || undefined,
        fhirUser,
      }),
    };
  };
}
