import { z } from 'zod';
import { ORGANIZATION_TYPES, Organization, PractitionerOrganization } from '../db/entities/index.js';
import { ForbiddenError, InvalidError, NotFoundError } from '../errors.js';
import {
  canCreateTopLevelOrganization,
  canDeleteOrganization,
  canEditOrganization,
  canViewOrganization,
  organizationScope,
  studyScope,
} from '../policy/index.js';
import type { ServiceContext } from './context.js';
import { visibleOrganization } from './facts.js';
import { id, name, parseInput } from './input.js';
import { groupBy } from './group.js';
import { decodeCursor, type Page, type PageArgs, pageSize, toPage } from './paging.js';
import { inTransaction } from './persist.js';

const organizationType = z.enum(ORGANIZATION_TYPES, {
  error: `must be one of ${ORGANIZATION_TYPES.join(', ')}`,
});
const createInput = z.object({ name, type: organizationType, partOfId: id.nullish() });
const updateInput = z.object({ name: name.optional(), type: organizationType.optional() });
const visibleListInput = z.object({ partOfId: id.nullish() });

export const getOrganization = (ctx: ServiceContext, organizationId: number) =>
  visibleOrganization(ctx, organizationId);

/** The viewer's organizations (where they hold a role); for a super user, every top-level organization. */
export async function listOrganizations(ctx: ServiceContext): Promise<Organization[]> {
  if (ctx.viewer.isSuperuser) return ctx.em.find(Organization, { partOf: null }, { orderBy: { id: 'asc' } });
  const scope = organizationScope(ctx.viewer, 'o.id');
  return ctx.em.createQueryBuilder(Organization, 'o').where(scope.sql, scope.params).orderBy({ id: 'asc' }).getResult();
}

export interface VisibleOrganizationsFilter {
  /** only the direct children of this organization */
  partOfId?: number | null;
}

/**
 * Every organization the viewer may see (where they hold a role; for a super user, all), or with `partOfId` the
 * visible direct children of that organization: none when the viewer may not see it, so that the filter tells
 * nobody whose parent an organization is (`partOf` shows a parent only to those who may see it). Wrapped in an
 * object because a QueryBuilder is thenable.
 */
function visibleOrganizationsQuery(ctx: ServiceContext, filter: VisibleOrganizationsFilter) {
  const data = parseInput(visibleListInput, filter);
  const scope = organizationScope(ctx.viewer, 'o.id');
  const qb = ctx.em.createQueryBuilder(Organization, 'o').where(scope.sql, scope.params);
  if (data.partOfId !== null && data.partOfId !== undefined) {
    if (canViewOrganization(ctx.viewer, data.partOfId)) qb.andWhere({ partOf: data.partOfId });
    else qb.andWhere('false');
  }
  return { qb };
}

/** One page of the visible organizations by ascending id (keyset: `after` is the previous page's endCursor). */
export async function listVisibleOrganizations(
  ctx: ServiceContext,
  args: VisibleOrganizationsFilter & PageArgs,
): Promise<Page<Organization>> {
  const size = pageSize(args.first);
  const afterId = decodeCursor(args.after);
  const { qb } = visibleOrganizationsQuery(ctx, { partOfId: args.partOfId });
  if (afterId !== null) qb.andWhere({ id: { $gt: afterId } });
  return toPage(
    await qb
      .orderBy({ id: 'asc' })
      .limit(size + 1)
      .getResult(),
    size,
  );
}

export async function countVisibleOrganizations(
  ctx: ServiceContext,
  filter: VisibleOrganizationsFilter,
): Promise<number> {
  return visibleOrganizationsQuery(ctx, filter).qb.getCount();
}

export async function createOrganization(ctx: ServiceContext, input: z.input<typeof createInput>) {
  const data = parseInput(createInput, input);
  let parent: Organization | null = null;
  if (data.partOfId) {
    parent = await visibleOrganization(ctx, data.partOfId);
    if (!canEditOrganization(ctx.viewer, parent.id)) {
      throw new ForbiddenError('Only a manager of the parent organization may create sub-organizations');
    }
  } else if (!canCreateTopLevelOrganization(ctx.viewer)) {
    throw new ForbiddenError('Only a super user may create a top-level organization');
  }
  return inTransaction(ctx.em, async (em) => {
    const organization = em.create(Organization, { name: data.name, type: data.type, partOf: parent });
    // A practitioner who creates a sub-organization manages it: roles are not inherited from the parent.
    if (!ctx.viewer.isSuperuser && ctx.viewer.practitionerId !== null) {
      em.create(PractitionerOrganization, {
        practitioner: ctx.viewer.practitionerId,
        organization,
        role: 'manager',
      });
    }
    await em.flush();
    return organization;
  });
}

export async function updateOrganization(
  ctx: ServiceContext,
  organizationId: number,
  input: z.input<typeof updateInput>,
) {
  const data = parseInput(updateInput, input);
  const organization = await visibleOrganization(ctx, organizationId);
  if (!canEditOrganization(ctx.viewer, organization.id)) {
    throw new ForbiddenError('Only a manager of the organization may edit it');
  }
  if (data.name === undefined && data.type === undefined) throw new InvalidError('Nothing to update');
  return inTransaction(ctx.em, async (em) => {
    em.assign(organization, data);
    await em.flush();
    return organization;
  });
}

/** Deletes the organization with its sub-organizations, studies and memberships (patients stay). */
export async function deleteOrganization(ctx: ServiceContext, organizationId: number): Promise<void> {
  const organization = await ctx.em.findOne(Organization, organizationId);
  const mayDelete = organization && canDeleteOrganization(ctx.viewer, { partOfId: organization.partOf?.id ?? null });
  if (!organization || (!mayDelete && !canViewOrganization(ctx.viewer, organization.id))) {
    throw new NotFoundError('Organization', organizationId);
  }
  if (!mayDelete) {
    throw new ForbiddenError('Only a manager of the parent organization or a super user may delete an organization');
  }
  await inTransaction(ctx.em, async (em) => {
    await em.nativeDelete(Organization, { id: organization.id });
  });
}

/** Batch read for loaders: the visible organizations among `ids`. */
export async function organizationsByIds(
  ctx: ServiceContext,
  ids: readonly number[],
): Promise<Map<number, Organization>> {
  const scope = organizationScope(ctx.viewer, 'o.id');
  const rows = await ctx.em
    .createQueryBuilder(Organization, 'o')
    .where({ id: { $in: [...ids] } })
    .andWhere(scope.sql, scope.params)
    .getResult();
  return new Map(rows.map((o) => [o.id, o]));
}

/** Batch read for loaders: the visible sub-organizations of each parent. */
export async function childrenByParentIds(
  ctx: ServiceContext,
  parentIds: readonly number[],
): Promise<Map<number, Organization[]>> {
  const scope = organizationScope(ctx.viewer, 'o.id');
  const rows = await ctx.em
    .createQueryBuilder(Organization, 'o')
    .where({ partOf: { $in: [...parentIds] } })
    .andWhere(scope.sql, scope.params)
    .orderBy({ id: 'asc' })
    .getResult();
  return groupBy(rows, (o) => o.partOf?.id ?? 0);
}

/**
 * Batch read for loaders: who runs each of the visible studies among `studyIds` (policy studyScope), as the
 * organization's id, name and type; a patient sees them for the studies they are enrolled in, since whoever is
 * asked for consent must know who asks.
 */
export async function organizersOfStudies(
  ctx: ServiceContext,
  studyIds: readonly number[],
): Promise<Map<number, Pick<Organization, 'id' | 'name' | 'type'>>> {
  if (studyIds.length === 0) return new Map();
  const scope = studyScope(ctx.viewer, 's.id', 's.organization_id');
  const rows = await ctx.em
    .getConnection()
    .execute<{ study_id: number; id: number; name: string; type: Organization['type'] }[]>(
      `select s.id as study_id, o.id, o.name, o.type from studies s join organizations o on o.id = s.organization_id
        where s.id in (${studyIds.map(() => '?').join(', ')}) and ${scope.sql}`,
      [...studyIds, ...scope.params],
    );
  return new Map(
    rows.map(({ study_id, ...organization }) => [Number(study_id), { ...organization, id: Number(organization.id) }]),
  );
}
