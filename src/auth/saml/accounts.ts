import type { EntityManager } from '@mikro-orm/postgresql';
import type { Profile } from '@node-saml/node-saml';
import type { SamlConfig } from '../../config.js';
import { Organization, PractitionerOrganization } from '../../db/entities/index.js';
import { ConflictError } from '../../errors.js';
import { mayUseSingleSignOn } from '../../policy/logins.js';
import { loadViewer } from '../../policy/viewer.js';
import { email as emailSchema } from '../../services/input.js';
import { createUserAccount, findUserByEmail } from '../../services/users.js';
import { SamlRefusal } from './assertion-checks.js';

/** What the assertion says about the person. */
export interface AssertedIdentity {
  email: string;
  firstName: string;
  lastName: string;
}

const text = (value: unknown): string | undefined => {
  const one = Array.isArray(value) ? value[0] : value;
  return typeof one === 'string' && one.trim() ? one.trim() : undefined;
};

/** The email (NameID, or the configured attribute) and names (the email's parts when the IdP sends none). */
export function assertedIdentity(profile: Profile, saml: SamlConfig): AssertedIdentity {
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  const raw = saml.emailAttribute ? text(attributes[saml.emailAttribute]) : text(profile.nameID);
  const parsed = emailSchema.safeParse(raw ?? '');
  if (!parsed.success) throw new SamlRefusal('Your identity provider sent no email address');
  const email = parsed.data.toLowerCase();
  const [local, domain] = email.split('@') as [string, string];
  if (!saml.allowedDomains.includes(domain)) {
    throw new SamlRefusal(`Accounts of ${domain} cannot sign in here`);
  }
  const name = (attribute: string, fallback: string) => text(attributes[attribute])?.slice(0, 150) ?? fallback;
  return { email, firstName: name(saml.firstNameAttribute, local), lastName: name(saml.lastNameAttribute, domain) };
}

const NOT_FOR_SSO =
  'This account cannot sign in with single sign-on: use your password, or ask an administrator to help';

/**
 * The practitioner login the assertion signs in: the existing one with that email (if single sign-on may reach
 * it, src/policy/logins.ts; an unconfirmed one loses its password), or a new one, just in time, email verified (the IdP vouches for it), with no
 * password, in the default organizations with the default role if the deployment names any.
 */
export async function ssoAccount(
  em: EntityManager,
  identity: AssertedIdentity,
  saml: SamlConfig,
): Promise<{ userId: number; created: boolean }> {
  const existing = await findUserByEmail(em, identity.email);
  if (existing) {
    if (!mayUseSingleSignOn(await loadViewer(em, existing.id))) throw new SamlRefusal(NOT_FOR_SSO);
    if (!existing.emailVerifiedAt) {
      // a sign-up never confirmed: its password was chosen by whoever typed this email, perhaps not its owner,
      // and must not open the account the IdP now vouches for (account pre-hijacking)
      existing.emailVerifiedAt = new Date();
      existing.passwordHash = null;
      await em.flush();
    }
    return { userId: existing.id, created: false };
  }
  try {
    const { user, practitioner } = await createUserAccount(em, { ...identity, kind: 'practitioner' });
    const organizations = saml.defaultOrganizationIds.length
      ? await em.find(Organization, { id: { $in: [...saml.defaultOrganizationIds] } })
      : [];
    for (const organization of organizations) {
      em.create(PractitionerOrganization, { practitioner: practitioner!, organization, role: saml.defaultRole });
    }
    await em.flush();
    return { userId: user.id, created: true };
  } catch (error) {
    // the email is a patient record's (kept for the patient's own login), or another sign-in took it just now
    if (error instanceof ConflictError) throw new SamlRefusal(NOT_FOR_SSO);
    throw error;
  }
}
