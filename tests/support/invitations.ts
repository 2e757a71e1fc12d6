import { DEMO_DEFAULTS } from '../../src/config.js';
import type { TestApp } from './app.js';

/**
 * What the patient app does with an invitation code: trade it at the token endpoint with the static verifier.
 * `to` names another token endpoint or client (a patient app finds the endpoint through discovery).
 */
export const redeemInvitation = (
  app: TestApp,
  code: string,
  verifier: string = DEMO_DEFAULTS.patientCodeVerifier,
  redirectUri = `${app.baseUrl}/auth/callback`,
  to: { tokenEndpoint?: string; clientId?: string } = {},
) =>
  fetch(to.tokenEndpoint ?? `${app.baseUrl}/o/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: to.clientId ?? 'patient-app',
      code,
      code_verifier: verifier,
      redirect_uri: redirectUri,
    }),
  });
