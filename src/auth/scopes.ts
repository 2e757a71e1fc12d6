/** OpenID scopes the provider knows, and the SMART-style resource scopes of the gateway's APIs. */
export const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'email', 'fhirUser'] as const;

export const RESOURCE_SCOPES = [
  'patient/*.rs',
  'patient/*.cruds',
  'user/*.rs',
  'user/*.cruds',
  'patient/Patient.rs',
  'patient/Observation.rs',
  'patient/Observation.c',
  'patient/Observation.crs',
  'user/Patient.rs',
  'user/Observation.rs',
] as const;

export const SUPPORTED_SCOPES = [...OIDC_SCOPES, ...RESOURCE_SCOPES];

export const CLAIMS = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name'],
  fhirUser: ['fhirUser'],
} as const;
