import { DEMO_DEFAULTS } from '../../src/config.js';
import type { TestApp } from './app.js';

/**
 * What a patient app does with an invitation code: trade it at the token endpoint with the static verifier, as
 * its OAuth client (`patient-app` unless told; with `secret`, a confidential one authenticating by HTTP Basic).
 * `tokenEndpoint`: the one a patient app found through discovery.
 */
export const redeemInvitation = (
  app: TestApp,
  code: string,
  verifier: string = DEMO_DEFAULTS.patientCodeVerifier,
  redirectUri = `${app.baseUrl}/auth/callback`,
  to: { tokenEndpoint?: string; clientId?: string; secret?: string } = {},
) => {
  const clientId = to.clientId ?? 'patient-app';
  return fetch(to.tokenEndpoint ?? `${app.baseUrl}/o/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(to.secret ? { authorization: `Basic ${Buffer.from(`${clientId}:${to.secret}`).toString('base64')}` } : {}),
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      ...(to.secret ? {} : { client_id: clientId }),
      code,
      code_verifier: verifier,
      redirect_uri: redirectUri,
    }),
  });
};
