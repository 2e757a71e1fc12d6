import type { Route } from '../route.js';
import { organizationRoutes } from './organizations.js';
import { schemaRoutes } from './schema.js';
import { userRoutes } from './users.js';

/** Every route of `/api/v1`, in the order the OpenAPI document lists them. */
export const ROUTES: readonly Route[] = [...userRoutes, ...organizationRoutes, ...schemaRoutes];
