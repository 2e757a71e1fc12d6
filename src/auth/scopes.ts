import { isResourceScope, LAUNCH_PATIENT } from '../policy/token-scopes.js';
import { NOTEBOOK_CLIENT_ID, PATIENT_APP_CLIENT_ID, PORTAL_CLIENT_ID } from './clients.js';

/** OpenID scopes the provider knows; the resource scopes of the gateway's APIs are SMART v2 scopes. */
export const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'email', 'fhirUser'] as const;

/** Examples of resource scopes for discovery: any well-formed SMART v2 scope is granted (src/policy/token-scopes.ts). */
export const ADVERTISED_RESOURCE_SCOPES = [
  LAUNCH_PATIENT,
  'patient/*.cruds',
  'patient/*.rs',
  'patient/Patient.rs',
  'patient/Observation.rs',
  'patient/Observation.c',
  'patient/Consent.rs',
  'user/*.cruds',
  'user/*.rs',
  'user/Patient.rs',
  'user/Observation.rs',
  'user/Group.rs',
  'user/Organization.rs',
  'user/Device.rs',
] as const;

export const SUPPORTED_SCOPES = [...OIDC_SCOPES, ...ADVERTISED_RESOURCE_SCOPES];

/**
 * What a first-party client gets when it asks for no resource scope at all (`scope=openid`, say): the portal
 * acts with all of its user's rights, the patient app with the patient's, a notebook reads.
 */
export const FIRST_PARTY_DEFAULT_SCOPES: Readonly<Record<string, string>> = {
  [PORTAL_CLIENT_ID]: 'user/*.cruds',
  [PATIENT_APP_CLIENT_ID]: `${LAUNCH_PATIENT} patient/*.cruds`,
  [NOTEBOOK_CLIENT_ID]: 'user/*.rs',
};

/** The resource scopes among a space-separated scope string. */
export const resourceScopesOf = (scope: string | undefined) => (scope ?? '').split(' ').filter(isResourceScope);

export const CLAIMS = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name'],
  fhirUser: ['fhirUser'],
} as const;
