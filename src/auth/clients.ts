import type { EntityManager } from '@mikro-orm/postgresql';
import type { ClientMetadata } from 'oidc-provider';
import { Client } from '../db/entities/index.js';

export const PORTAL_CLIENT_ID = 'portal';
export const PATIENT_APP_CLIENT_ID = 'patient-app';
export const NOTEBOOK_CLIENT_ID = 'notebook';

/** The first-party clients skip the consent screen; everyone else's client asks. */
export const FIRST_PARTY_CLIENT_IDS: ReadonlySet<string> = new Set([
  PORTAL_CLIENT_ID,
  PATIENT_APP_CLIENT_ID,
  NOTEBOOK_CLIENT_ID,
]);

/**
 * Whether an OAuth client serves patients alone (the patient app, or the app of a Client record): it issues
 * tokens only to patient logins, whatever the code or form.
 */
export async function servesPatientsOnly(em: EntityManager, clientId: string): Promise<boolean> {
  if (clientId === PATIENT_APP_CLIENT_ID) return true;
  if (FIRST_PARTY_CLIENT_IDS.has(clientId)) return false;
  return (await em.count(Client, { oauthClientId: clientId })) > 0;
}

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** The seeded clients of the public contract: all public, PKCE (S256) only. */
export function firstPartyClients(publicUrl: string): ClientMetadata[] {
  const callback = `${publicUrl}/auth/callback`;
  return [
    {
      client_id: PORTAL_CLIENT_ID,
      client_name: 'Health Exchange Gateway portal',
      token_endpoint_auth_method: 'none',
      application_type: 'web',
      redirect_uris: [callback],
      post_logout_redirect_uris: [`${publicUrl}/`],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    },
    {
      client_id: PATIENT_APP_CLIENT_ID,
      client_name: 'Patient app (invitation codes)',
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      redirect_uris: [callback],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    },
    {
      client_id: NOTEBOOK_CLIENT_ID,
      client_name: 'Jupyter notebooks',
      token_endpoint_auth_method: 'none',
      // native: loopback redirects match on any port (RFC 8252 section 7.3)
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/callback', 'http://[::1]/callback'],
      grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT],
      response_types: ['code'],
    },
  ];
}
