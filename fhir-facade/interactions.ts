import type { Request, RequestHandler, Router } from 'express';
import { fhirInteractions } from '../src/observability/metrics.js';
import { ORGANIZATION_ROLE_PATH } from './code-systems.js';

type Interaction = string | ((req: Request) => string);

/** The facade's FHIR interactions (https://hl7.org/fhir/R5/http.html), by method and route. */
const INTERACTIONS: [method: 'get' | 'post', path: string, interaction: Interaction, resource: string][] = [
  ['get', '/metadata', 'capabilities', 'CapabilityStatement'],
  ['get', '/Patient', 'search-type', 'Patient'],
  ['get', '/Patient/:id', 'read', 'Patient'],
  ['get', '/Practitioner', 'search-type', 'Practitioner'],
  ['get', '/Practitioner/:id', 'read', 'Practitioner'],
  ['get', '/PractitionerRole', 'search-type', 'PractitionerRole'],
  ['get', '/PractitionerRole/:id', 'read', 'PractitionerRole'],
  ['get', '/Consent', 'search-type', 'Consent'],
  ['get', '/Consent/:id', 'read', 'Consent'],
  ['get', '/ResearchStudy', 'search-type', 'ResearchStudy'],
  ['get', '/ResearchStudy/:id', 'read', 'ResearchStudy'],
  ['get', ORGANIZATION_ROLE_PATH, 'read', 'CodeSystem'],
  ['get', '/Organization', 'search-type', 'Organization'],
  ['get', '/Organization/:id', 'read', 'Organization'],
  ['get', '/Device', 'search-type', 'Device'],
  ['get', '/Device/:id', 'read', 'Device'],
  ['get', '/Group', 'search-type', 'Group'],
  ['get', '/Group/:id', 'read', 'Group'],
  ['get', '/Observation', 'search-type', 'Observation'],
  ['get', '/Observation/:id', 'read', 'Observation'],
  ['post', '/Observation', 'create', 'Observation'],
  [
    'post',
    '/',
    (req) => ((req.body as { type?: unknown } | undefined)?.type === 'transaction' ? 'transaction' : 'batch'),
    'Bundle',
  ],
];

const counter =
  (interaction: Interaction, resource: string): RequestHandler =>
  (req, res, next) => {
    res.once('finish', () => {
      const name = typeof interaction === 'string' ? interaction : interaction(req);
      fhirInteractions.inc({ interaction: name, resource, status: String(res.statusCode) });
    });
    next();
  };

/**
 * Counts each interaction once answered, with its status. Mounted before the bearer check, so that refused
 * requests count too (and are logged with their route rather than the mount path).
 */
export function countInteractions(router: Router): void {
  for (const [method, path, interaction, resource] of INTERACTIONS)
    router[method](path, counter(interaction, resource));
}
