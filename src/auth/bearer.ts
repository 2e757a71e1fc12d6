import type { IncomingMessage } from 'node:http';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createLocalJWKSet, errors, type JWK, type JWTPayload, jwtVerify } from 'jose';
import { UnauthenticatedError } from '../errors.js';
import { noteTokenHolder } from '../observability/request-context.js';
import { mayUsePatientClient } from '../policy/logins.js';
import { parseScopes } from '../policy/token-scopes.js';
import { ANONYMOUS, loadViewer, type Viewer } from '../policy/viewer.js';
import { FIRST_PARTY_CLIENT_IDS, PATIENT_APP_CLIENT_ID } from './clients.js';
import { TOKEN_GENERATION_CLAIM } from './token-generation.js';

export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  scope?: string;
  client_id?: string;
  /** the account's token generation when it was issued (absent: 0) */
  [TOKEN_GENERATION_CLAIM]?: number;
}

export type TokenVerifier = (token: string) => Promise<AccessTokenClaims>;

/**
 * Verifies the gateway's access tokens locally (RS256 signature against the JWKS, issuer, audience,
 * expiry): no call to the provider or the database, so any gateway process can check any token.
 */
export function createTokenVerifier(opts: { keys: JWK[]; issuer: string; audience: string }): TokenVerifier {
  const jwks = createLocalJWKSet({ keys: opts.keys });
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: opts.issuer,
        audience: opts.audience,
        algorithms: ['RS256'],
        typ: 'at+jwt',
        requiredClaims: ['sub', 'exp'],
      });
      return payload as AccessTokenClaims;
    } catch (error) {
      throw new UnauthenticatedError(describe(error));
    }
  };
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The access token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'The access token is not meant for this server (wrong audience)';
    if (error.claim === 'iss') return 'The access token was issued by another server (wrong issuer)';
    return `The access token is invalid (${error.claim} claim)`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return 'The access token signature is not valid';
  }
  return 'The access token is malformed';
}

/** Reads `Authorization: Bearer <jwt>`; no header means anonymous, anything else that is wrong means 401. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined || header === '') return null;
  const token = /^Bearer +([A-Za-z0-9\-_.~+/]+=*)$/i.exec(header.trim())?.[1];
  if (!token) throw new UnauthenticatedError('The Authorization header must be "Bearer <access token>"');
  return token;
}

/**
 * The request's viewer: anonymous without a token, else the token's user with the token's granted scopes and,
 * for a third-party client, that client (a removed or disabled user, a removed client: 401). A client that serves patients (the
 * patient app, the app of a Client record) counts only for a patient login. The token's user and client are
 * noted on `request` for its log line.
 */
export async function viewerFromAuthorization(
  header: string | undefined,
  verify: TokenVerifier,
  em: EntityManager,
  request?: IncomingMessage,
): Promise<Viewer> {
  const token = bearerToken(header);
  if (token === null) return ANONYMOUS;
  const claims = await verify(token);
  if (request) noteTokenHolder(request, claims);
  const userId = Number(claims.sub);
  const clientId = claims.client_id;
  const thirdParty = typeof clientId === 'string' && !FIRST_PARTY_CLIENT_IDS.has(clientId) ? clientId : undefined;
  const viewer = Number.isSafeInteger(userId)
    ? await loadViewer(em, userId, parseScopes(claims.scope), thirdParty)
    : ANONYMOUS;
  if (viewer.userId === null) throw new UnauthenticatedError('The access token’s user no longer exists');
  // the viewer's own statement read the flag: a disabled account's tokens stop at once, on every face
  if (viewer.disabled) throw new UnauthenticatedError('The access token’s account is disabled');
  if ((claims[TOKEN_GENERATION_CLAIM] ?? 0) !== (viewer.tokenGeneration ?? 0)) {
    throw new UnauthenticatedError('The access token was revoked (its account was disabled since)');
  }
  if (viewer.tokenClient && !viewer.tokenClient.registered) {
    throw new UnauthenticatedError('The access token’s client is no longer registered');
  }
  const patientClient = clientId === PATIENT_APP_CLIENT_ID || Boolean(viewer.tokenClient?.app);
  if (patientClient && !mayUsePatientClient(viewer)) {
    throw new UnauthenticatedError('The access token was issued to a patient app for a login that is not a patient');
  }
  return { ...viewer, tokenClientId: typeof clientId === 'string' ? clientId : null };
}
