import { z } from 'zod';
import { Practitioner } from '../db/entities/index.js';
import { practitionerScope } from '../policy/index.js';
import type { ServiceContext } from './context.js';
import { whereNameMatches } from './name-search.js';
import { visibleOrganization } from './facts.js';
import { email, id, parseInput, personName } from './input.js';
import { decodeCursor, type Page, type PageArgs, pageSize, toPage } from './paging.js';

const filterInput = z.object({
  ids: z.array(id).max(1000, 'must name at most 1000 practitioners').nullish(),
  /** a part of the first or last name, any case */
  name: personName.nullish(),
  /** the start of the last name, any case */
  family: personName.nullish(),
  /** the start of the first name, any case */
  given: personName.nullish(),
  /** the login email, exactly but for case */
  email: email.nullish(),
  /** only practitioners holding a role in this organization (NotFound if the viewer cannot see it) */
  organizationId: id.nullish(),
});
export type PractitionerFilter = z.input<typeof filterInput>;

/**
 * The practitioners the viewer may see (practitionerScope: themself and their organizations' people; super users
 * all), filtered. Wrapped: a QueryBuilder is thenable, so an async function returning it would run it.
 */
async function visiblePractitioners(ctx: ServiceContext, filter: PractitionerFilter) {
  const parsed = parseInput(filterInput, filter);
  if (parsed.organizationId) await visibleOrganization(ctx, parsed.organizationId);
  const scope = practitionerScope(ctx.viewer, 'pr.id');
  const qb = ctx.em.createQueryBuilder(Practitioner, 'pr').join('pr.user', 'u').where(scope.sql, scope.params);
  if (parsed.ids) qb.andWhere({ id: { $in: parsed.ids } });
  whereNameMatches(qb, { family: 'u.last_name', given: 'u.first_name' }, parsed);
  if (parsed.email) qb.andWhere('lower(u.email) = ?', [parsed.email]);
  if (parsed.organizationId) {
    qb.andWhere(
      'exists (select 1 from practitioner_organizations fpo where fpo.practitioner_id = pr.id and fpo.organization_id = ?)',
      [parsed.organizationId],
    );
  }
  return { qb };
}

/** One page of visible practitioners by ascending id (keyset: `after` is the previous page's endCursor). */
export async function listPractitioners(
  ctx: ServiceContext,
  args: PractitionerFilter & PageArgs = {},
): Promise<Page<Practitioner>> {
  const size = pageSize(args.first);
  const afterId = decodeCursor(args.after);
  const { qb } = await visiblePractitioners(ctx, args);
  if (afterId !== null) qb.andWhere({ id: { $gt: afterId } });
  const rows = await qb
    .orderBy({ id: 'asc' })
    .limit(size + 1)
    .getResult();
  return toPage(rows, size);
}

/** How many practitioners listPractitioners would page through with the same filter. */
export async function countPractitioners(ctx: ServiceContext, filter: PractitionerFilter = {}): Promise<number> {
  return (await visiblePractitioners(ctx, filter)).qb.getCount();
}
