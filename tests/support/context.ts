import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../../src/db/entities/index.js';
import type { Orm } from '../../src/db/orm.js';
import { loadViewer } from '../../src/policy/viewer.js';
import type { ServiceContext } from '../../src/services/context.js';

/** A service context acting as the user with this email, on a fresh entity manager (like one request). */
export async function contextFor(orm: Orm, email: string): Promise<ServiceContext> {
  const em = orm.em.fork() as EntityManager;
  const user = await em.findOneOrFail(User, { email: email.toLowerCase() });
  return { em, viewer: await loadViewer(em, user.id) };
}
