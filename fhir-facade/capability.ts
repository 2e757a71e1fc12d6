import { smartConfiguration } from '../src/auth/smart.js';
import { searchIncludes } from './includes.js';
import { searchRevIncludes } from './revincludes.js';
import { SEARCH_PARAMS } from './search-params.js';

const SEARCH_PARAM_TYPES: Record<string, string> = {
  token: 'token',
  reference: 'reference',
  date: 'date',
  number: 'number',
  string: 'string',
  special: 'special',
};

/** The Bulk Data Access IG's export operations the facade serves (fhir-facade/export/). */
const BULK_EXPORT: Record<string, { name: string; definition: string }> = {
  Patient: { name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export' },
  Group: { name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export' },
};

/** The CapabilityStatement, generated from the search parameter table and the routes the router serves. */
export function capabilityStatement(
  publicUrl: string,
  { software, registration }: { software: { name: string; version: string }; registration: boolean },
) {
  const smart = smartConfiguration(publicUrl, { registration });
  const resource = (type: keyof typeof SEARCH_PARAMS | 'CodeSystem', interactions: string[]) => ({
    type,
    interaction: interactions.map((code) => ({ code })),
    ...(type in BULK_EXPORT ? { operation: [BULK_EXPORT[type]] } : {}),
    searchParam: (type === 'CodeSystem' ? [] : SEARCH_PARAMS[type])
      .filter((p) => !p.name.startsWith('_') || p.name.startsWith('_has') || ['_id', '_lastUpdated'].includes(p.name))
      .map((p) => ({ name: p.name, type: SEARCH_PARAM_TYPES[p.type], documentation: p.documentation })),
    ...(searchIncludes(type).length ? { searchInclude: searchIncludes(type) } : {}),
    ...(searchRevIncludes(type).length ? { searchRevInclude: searchRevIncludes(type) } : {}),
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-11-22',
    kind: 'instance',
    fhirVersion: '5.0.0',
    instantiates: ['http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data'],
    format: ['application/fhir+json', 'json'],
    software,
    implementation: { description: 'Health Exchange Gateway FHIR R5 facade', url: `${publicUrl}/fhir/r5` },
    rest: [
      {
        mode: 'server',
        security: {
          // CORS headers go to the portal's origin and those in CORS_ORIGINS (src/http/cors.ts), none to others
          cors: true,
          service: [
            {
              coding: [
                {
                  system: 'http://hl7.org/fhir/restful-security-service',
                  code: 'SMART-on-FHIR',
                  display: 'SMART-on-FHIR',
                },
              ],
              text: 'OAuth 2.0 / SMART App Launch: bearer access tokens from the gateway’s provider',
            },
          ],
          description: [
            `SMART App Launch (standalone; public clients with PKCE S256, confidential clients with a secret) on the`,
            `gateway's OAuth 2.0 / OpenID Connect provider (${smart.issuer}); its endpoints are in`,
            `${publicUrl}/fhir/r5/.well-known/smart-configuration. Every request except this statement and that`,
            `document needs an access token (Authorization: Bearer), limited by the gateway's authorization policy`,
            `to what its user may see. CORS answers only the gateway's own origin and the origins the deployment`,
            `lists (CORS_ORIGINS), without credentials: the API takes bearer tokens, not cookies.`,
            `A 401 names the protected resource metadata (${publicUrl}/.well-known/oauth-protected-resource) in`,
            `WWW-Authenticate. Resource servers with a client secret may introspect tokens at`,
            `${smart.introspection_endpoint}.`,
            ...(smart.registration_endpoint
              ? [
                  `Public, read-only clients may register themselves at ${smart.registration_endpoint}`,
                  `(RFC 7591: PKCE, scopes that only read and search, a consent screen).`,
                ]
              : []),
          ].join(' '),
          extension: [
            {
              url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
              // no `manage`: a self-registered client cannot read or change its registration
              extension: [
                { url: 'authorize', valueUri: smart.authorization_endpoint },
                { url: 'token', valueUri: smart.token_endpoint },
                { url: 'revoke', valueUri: smart.revocation_endpoint },
                { url: 'introspect', valueUri: smart.introspection_endpoint },
                ...(smart.registration_endpoint ? [{ url: 'register', valueUri: smart.registration_endpoint }] : []),
              ],
            },
          ],
        },
        resource: [
          resource('Patient', ['read', 'search-type']),
          resource('Observation', ['read', 'search-type', 'create']),
          resource('Practitioner', ['read', 'search-type']),
          resource('PractitionerRole', ['read', 'search-type']),
          resource('Consent', ['read', 'search-type']),
          resource('ResearchStudy', ['read', 'search-type']),
          resource('Organization', ['read', 'search-type']),
          resource('Device', ['read', 'search-type']),
          resource('Group', ['read', 'search-type']),
          resource('AuditEvent', ['search-type']),
          // the gateway's own organization-role CodeSystem (PractitionerRole.code), public
          resource('CodeSystem', ['read']),
        ],
        interaction: [{ code: 'batch' }, { code: 'transaction' }],
      },
    ],
  };
}
