import type { Route } from '../route.js';
import { clientRoutes } from './clients.js';
import { consentRoutes } from './consents.js';
import { dataSourceRoutes } from './data-sources.js';
import { observationRoutes } from './observations.js';
import { organizationRoutes } from './organizations.js';
import { patientRoutes } from './patients.js';
import { practitionerRoutes } from './practitioners.js';
import { schemaRoutes } from './schema.js';
import { studyRoutes } from './studies.js';
import { userRoutes } from './users.js';

/** Every route of `/api/v1`, in the order the OpenAPI document lists them. */
export const ROUTES: readonly Route[] = [
  ...userRoutes,
  ...organizationRoutes,
  ...practitionerRoutes,
  ...studyRoutes,
  ...dataSourceRoutes,
  ...clientRoutes,
  ...patientRoutes,
  ...consentRoutes,
  ...observationRoutes,
  ...schemaRoutes,
];
