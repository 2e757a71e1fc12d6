import type { EntityManager } from '@mikro-orm/postgresql';
import type Provider from 'oidc-provider';
import type { Config } from '../src/config.js';
import type { Viewer } from '../src/policy/viewer.js';
import type { ServiceContext } from '../src/services/context.js';
import { createLoaders, type Loaders } from './loaders/index.js';

/** What every resolver and shield rule gets: the viewer, their scoped services, per-request loaders. */
export interface GraphQLContext {
  viewer: Viewer;
  services: ServiceContext;
  loaders: Loaders;
  auth: { provider: Provider; config: Config };
}

export function createContext(
  em: EntityManager,
  viewer: Viewer,
  auth: { provider: Provider; config: Config },
): GraphQLContext {
  const services: ServiceContext = { em, viewer };
  return { viewer, services, loaders: createLoaders(services), auth };
}
