import { DEVICE_CODE_GRANT } from './clients.js';
import { authEndpoints } from './provider.js';
import { SUPPORTED_SCOPES } from './scopes.js';

/**
 * SMART App Launch discovery (`/fhir/r5/.well-known/smart-configuration`) for the gateway's provider;
 * `registration`: dynamic client registration is on (OAUTH_REGISTRATION).
 */
export function smartConfiguration(publicUrl: string, { registration }: { registration: boolean }) {
  const { issuer } = authEndpoints(publicUrl);
  return {
    issuer,
    jwks_uri: `${issuer}/jwks`,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    userinfo_endpoint: `${issuer}/me`,
    revocation_endpoint: `${issuer}/token/revocation`,
    introspection_endpoint: `${issuer}/token/introspection`,
    ...(registration ? { registration_endpoint: `${issuer}/reg` } : {}),
    device_authorization_endpoint: `${issuer}/device/auth`,
    end_session_endpoint: `${issuer}/session/end`,
    grant_types_supported: ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
    scopes_supported: SUPPORTED_SCOPES,
    capabilities: [
      'launch-standalone',
      'client-public',
      'client-confidential-symmetric',
      'sso-openid-connect',
      'context-standalone-patient',
      'permission-offline',
      'permission-patient',
      'permission-user',
      'permission-v1',
      'permission-v2',
    ],
  };
}
