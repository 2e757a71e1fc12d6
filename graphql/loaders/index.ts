import DataLoader from 'dataloader';
import type { Organization, Practitioner, User } from '../../src/db/entities/index.js';
import type { ServiceContext } from '../../src/services/context.js';
import { childrenByParentIds, organizationsByIds } from '../../src/services/organizations.js';
import { practitionersByIds, usersByIds } from '../../src/services/users.js';

/** A loader whose batch function returns a map; missing keys load as `fallback`. */
function mapLoader<V>(batch: (ids: readonly number[]) => Promise<Map<number, V>>, fallback: V) {
  return new DataLoader<number, V>(async (ids) => {
    const found = await batch(ids);
    return ids.map((id) => found.get(id) ?? fallback);
  });
}

/** One set per request: every relation a field can fan out over is batched here (no N+1). */
export function createLoaders(ctx: ServiceContext) {
  return {
    organization: mapLoader<Organization | null>((ids) => organizationsByIds(ctx, ids), null),
    organizationChildren: mapLoader<Organization[]>((ids) => childrenByParentIds(ctx, ids), []),
    user: mapLoader<User | null>((ids) => usersByIds(ctx.em, ids), null),
    practitioner: mapLoader<Practitioner | null>((ids) => practitionersByIds(ctx.em, ids), null),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
