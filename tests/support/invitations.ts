import { DEMO_DEFAULTS } from '../../src/config.js';
import type { TestApp } from './app.js';

/**
 * What a patient app does with an invitation code: trade it at the token endpoint with the static verifier,
 * as its OAuth client (`patient-app` unless told; `secret` for a confidential one).
 */
export const redeemInvitation = (
  app: TestApp,
  code: string,
  verifier: string = DEMO_DEFAULTS.patientCodeVerifier,
  redirectUri = `${app.baseUrl}/auth/callback`,
  client: { id: string; secret?: string } = { id: 'patient-app' },
) =>
  fetch(`${app.baseUrl}/o/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(client.secret
        ? { authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}` }
        : {}),
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      ...(client.secret ? {} : { client_id: client.id }),
      code,
      code_verifier: verifier,
      redirect_uri: redirectUri,
    }),
  });
