import type { GraphQLResolveInfo } from 'graphql';
import { requireToken } from '../src/policy/token.js';
import type { ResourceType } from '../src/policy/token-scopes.js';
import type { GraphQLContext } from './context.js';
import { selectedFields, selectsOnlyId } from './selection.js';

/**
 * A relation that is a FHIR reference: its id alone is part of the row that holds it (a role's organization, a
 * consent's patient) and needs no other scope; anything more is a read of that resource, which the token must
 * allow.
 */
export function referenceOr<T>(
  ctx: GraphQLContext,
  info: GraphQLResolveInfo,
  id: number,
  resource: ResourceType,
  load: () => Promise<T>,
): { id: number } | Promise<T> {
  if (selectsOnlyId(selectedFields(info))) return { id };
  requireToken(ctx.viewer, resource, 'r');
  return load();
}
