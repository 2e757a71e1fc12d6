import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../policy/viewer.js';

/** What every service call gets: a request-scoped entity manager and the viewer it acts for. */
export interface ServiceContext {
  readonly em: EntityManager;
  readonly viewer: Viewer;
}
