import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Organization, Practitioner, PractitionerOrganization, ROLES, type Role, User } from '../db/entities/index.js';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError } from '../errors.js';
import { canEditOrganization, canViewOrganization, canViewPractitioner } from '../policy/index.js';
import type { ServiceContext } from './context.js';
import { visibleOrganization } from './facts.js';
import { groupBy } from './group.js';
import { email, id, parseInput } from './input.js';
import { inTransaction } from './persist.js';
import { type AccountInput, createUserAccount, findUserByEmail } from './users.js';

const role = z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` });
/** Who to add: a login email or a user id (JupyterHealth's jheUserId), exactly one of them. */
const addInput = z
  .object({ email: email.optional(), userId: id.optional(), role })
  .refine((v) => (v.email === undefined) !== (v.userId === undefined), {
    path: ['email'],
    message: 'give either an email or a userId (exactly one)',
  });

export interface OrganizationPractitioner {
  /** the membership's own id (JupyterHealth's PractitionerOrganization id) */
  id: number;
  practitioner: Practitioner;
  user: User;
  /** the organization the role is in */
  organizationId: number;
  role: Role;
}

const LAST_MANAGER = 'An organization must keep at least one manager: make someone else a manager first';

/** A practitioner login with its profile (system operation, for the seed and the CLI). */
export async function createPractitioner(em: EntityManager, input: AccountInput): Promise<Practitioner> {
  const { practitioner } = await createUserAccount(em, { ...input, kind: 'practitioner' });
  return practitioner!;
}

export const toEntry = (m: PractitionerOrganization): OrganizationPractitioner => ({
  id: m.id,
  practitioner: m.practitioner,
  user: m.practitioner.user,
  organizationId: m.organization.id,
  role: m.role,
});

/** One practitioner the viewer may see (themself, or someone of one of their organizations); NotFound otherwise. */
export async function getPractitioner(ctx: ServiceContext, practitionerId: number): Promise<Practitioner> {
  const practitioner = await ctx.em.findOne(Practitioner, practitionerId, { populate: ['user'] });
  const memberships = practitioner ? await ctx.em.find(PractitionerOrganization, { practitioner: practitionerId }) : [];
  const facts = { id: practitionerId, organizationIds: memberships.map((m) => m.organization.id) };
  if (!practitioner || !canViewPractitioner(ctx.viewer, facts)) throw new NotFoundError('Practitioner', practitionerId);
  return practitioner;
}

/** The organization's practitioners with their roles there (any role in the organization may list them). */
export async function listOrganizationPractitioners(
  ctx: ServiceContext,
  organizationId: number,
): Promise<OrganizationPractitioner[]> {
  const organization = await visibleOrganization(ctx, organizationId);
  const memberships = await ctx.em.find(
    PractitionerOrganization,
    { organization: organization.id },
    { populate: ['practitioner.user'], orderBy: { practitioner: { id: 'asc' } } },
  );
  return memberships.map(toEntry);
}

async function editableOrganization(ctx: ServiceContext, organizationId: number): Promise<Organization> {
  const organization = await visibleOrganization(ctx, organizationId);
  if (!canEditOrganization(ctx.viewer, organization.id)) {
    throw new ForbiddenError('Only a manager of the organization may change its practitioners');
  }
  return organization;
}

/**
 * The practitioner to add, by email or by user id. An email of a patient is named as such (the manager typed it);
 * a user id that is not a practitioner's is not found either way, telling nothing about other logins.
 */
async function practitionerToAdd(ctx: ServiceContext, who: { email?: string; userId?: number }) {
  if (who.userId !== undefined) {
    const practitioner = await ctx.em.findOne(Practitioner, { user: who.userId }, { populate: ['user'] });
    if (!practitioner) throw new NotFoundError('Practitioner with user id', who.userId);
    return { practitioner, name: `User ${who.userId}` };
  }
  const address = who.email!;
  const user = await findUserByEmail(ctx.em, address);
  if (user?.kind === 'patient') {
    throw new InvalidError(`email: ${address} belongs to a patient, not a practitioner`, 'email');
  }
  const practitioner = user && (await ctx.em.findOne(Practitioner, { user: user.id }, { populate: ['user'] }));
  if (!practitioner) throw new NotFoundError(`Practitioner with email ${address}`);
  return { practitioner, name: address };
}

export async function addPractitionerToOrganization(
  ctx: ServiceContext,
  organizationId: number,
  input: z.input<typeof addInput>,
): Promise<OrganizationPractitioner> {
  const data = parseInput(addInput, input);
  const organization = await editableOrganization(ctx, organizationId);
  const { practitioner, name } = await practitionerToAdd(ctx, data);
  const conflict = `${name} is already a practitioner of this organization`;
  if (await ctx.em.count(PractitionerOrganization, { practitioner: practitioner.id, organization: organization.id })) {
    throw new ConflictError(conflict);
  }
  const membership = await inTransaction(
    ctx.em,
    async (em) => {
      const created = em.create(PractitionerOrganization, { practitioner, organization, role: data.role });
      await em.flush();
      return created;
    },
    conflict,
  );
  return toEntry(membership);
}

/**
 * Loads a membership inside the transaction, with the organization row locked so that concurrent changes
 * cannot together remove its last manager, and tells whether it is that last manager.
 */
async function lockedMembership(em: EntityManager, organizationId: number, practitionerId: number) {
  await em.findOneOrFail(Organization, organizationId, { lockMode: LockMode.PESSIMISTIC_WRITE });
  const membership = await em.findOne(
    PractitionerOrganization,
    { organization: organizationId, practitioner: practitionerId },
    { populate: ['practitioner.user'], refresh: true },
  );
  if (!membership) throw new NotFoundError(`Practitioner ${practitionerId} in organization ${organizationId}`);
  const isLastManager =
    membership.role === 'manager' &&
    (await em.count(PractitionerOrganization, { organization: organizationId, role: 'manager' })) === 1;
  return { membership, isLastManager };
}

export async function changePractitionerRole(
  ctx: ServiceContext,
  organizationId: number,
  practitionerId: number,
  newRole: Role,
): Promise<OrganizationPractitioner> {
  const parsedRole = parseInput(z.object({ role }), { role: newRole }).role;
  const organization = await editableOrganization(ctx, organizationId);
  return inTransaction(ctx.em, async (em) => {
    const { membership, isLastManager } = await lockedMembership(em, organization.id, practitionerId);
    if (isLastManager && parsedRole !== 'manager') throw new ConflictError(LAST_MANAGER);
    membership.role = parsedRole;
    await em.flush();
    return toEntry(membership);
  });
}

export async function removePractitionerFromOrganization(
  ctx: ServiceContext,
  organizationId: number,
  practitionerId: number,
): Promise<void> {
  const organization = await editableOrganization(ctx, organizationId);
  await inTransaction(ctx.em, async (em) => {
    const { membership, isLastManager } = await lockedMembership(em, organization.id, practitionerId);
    if (isLastManager) throw new ConflictError(LAST_MANAGER);
    em.remove(membership);
    await em.flush();
  });
}

/** Batch read for loaders: each visible organization's practitioners with their roles there. */
export async function practitionersByOrganizationIds(
  ctx: ServiceContext,
  organizationIds: readonly number[],
): Promise<Map<number, OrganizationPractitioner[]>> {
  const visible = organizationIds.filter((id) => canViewOrganization(ctx.viewer, id));
  const memberships = await ctx.em.find(
    PractitionerOrganization,
    { organization: { $in: visible } },
    { populate: ['practitioner.user'], orderBy: { practitioner: { id: 'asc' } } },
  );
  const grouped = groupBy(memberships, (m) => m.organization.id);
  return new Map([...grouped].map(([id, rows]) => [id, rows.map(toEntry)]));
}
