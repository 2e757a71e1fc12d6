import { z } from 'zod';
import { PractitionerOrganization, ROLES } from '../db/entities/index.js';
import { NotFoundError } from '../errors.js';
import { canViewPractitionerRole, practitionerRoleScope } from '../policy/index.js';
import type { ServiceContext } from './context.js';
import { visibleOrganization } from './facts.js';
import { id, parseInput } from './input.js';
import { decodeCursor, type Page, type PageArgs, pageSize, toPage } from './paging.js';
import { type OrganizationPractitioner, toEntry } from './practitioners.js';

/** A practitioner's roles, one per organization they belong to (FHIR PractitionerRole), read and listed. */

const filterInput = z.object({
  practitionerId: id.nullish(),
  /** NotFound if the viewer cannot see it */
  organizationId: id.nullish(),
  role: z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }).nullish(),
});
export type PractitionerRoleFilter = z.input<typeof filterInput>;

/** One membership by its id, when the viewer may see its organization; NotFound otherwise. */
export async function getPractitionerRole(
  ctx: ServiceContext,
  membershipId: number,
): Promise<OrganizationPractitioner> {
  const membership = await ctx.em.findOne(PractitionerOrganization, membershipId, { populate: ['practitioner.user'] });
  if (!membership || !canViewPractitionerRole(ctx.viewer, { organizationId: membership.organization.id })) {
    throw new NotFoundError('Practitioner role', membershipId);
  }
  return toEntry(membership);
}

async function visibleRoles(ctx: ServiceContext, filter: PractitionerRoleFilter) {
  const parsed = parseInput(filterInput, filter);
  if (parsed.organizationId) await visibleOrganization(ctx, parsed.organizationId);
  const scope = practitionerRoleScope(ctx.viewer, 'm.organization_id');
  const qb = ctx.em.createQueryBuilder(PractitionerOrganization, 'm').where(scope.sql, scope.params);
  if (parsed.practitionerId) qb.andWhere({ practitioner: parsed.practitionerId });
  if (parsed.organizationId) qb.andWhere({ organization: parsed.organizationId });
  if (parsed.role) qb.andWhere({ role: parsed.role });
  return { qb };
}

/** One page of the visible memberships by ascending id (keyset). */
export async function listPractitionerRoles(
  ctx: ServiceContext,
  args: PractitionerRoleFilter & PageArgs = {},
): Promise<Page<OrganizationPractitioner>> {
  const size = pageSize(args.first);
  const afterId = decodeCursor(args.after);
  const { qb } = await visibleRoles(ctx, args);
  if (afterId !== null) qb.andWhere({ id: { $gt: afterId } });
  const rows = await qb
    .leftJoinAndSelect('m.practitioner', 'p')
    .leftJoinAndSelect('p.user', 'u')
    .orderBy({ id: 'asc' })
    .limit(size + 1)
    .getResult();
  return toPage(rows.map(toEntry), size);
}

/** How many memberships listPractitionerRoles would page through with the same filter. */
export async function countPractitionerRoles(
  ctx: ServiceContext,
  filter: PractitionerRoleFilter = {},
): Promise<number> {
  return (await visibleRoles(ctx, filter)).qb.getCount();
}
