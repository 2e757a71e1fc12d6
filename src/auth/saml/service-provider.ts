import { type CacheProvider, SAML, type SamlConfig, ValidateInResponseTo } from '@node-saml/node-saml';
import type { IdpMetadata } from './idp-metadata.js';

const SAML_PATH = '/o/saml';
const EMAIL_NAME_ID = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
/** the clock difference tolerated between the IdP and the gateway */
const CLOCK_SKEW_MS = 30_000;
/** an AuthnRequest unanswered by then is forgotten; an assertion issued longer ago is refused */
export const REQUEST_TTL_MS = 10 * 60_000;

/** The gateway as a SAML service provider: its entity id (where its metadata is), its assertion consumer service. */
export interface ServiceProvider {
  entityId: string;
  acsUrl: string;
}

export const serviceProvider = (publicUrl: string): ServiceProvider => ({
  entityId: `${publicUrl}${SAML_PATH}/metadata`,
  acsUrl: `${publicUrl}${SAML_PATH}/acs`,
});

/**
 * node-saml set up for one IdP: signed assertions required (a signature over the whole response alone is not
 * enough: the assertion is what is read), the audience is our entity id, every response must answer a request
 * we issued (`cache` decides which), a small clock skew, assertions no older than REQUEST_TTL_MS.
 */
export function samlFor(
  sp: ServiceProvider,
  idp: IdpMetadata,
  cache: CacheProvider,
  { emailInNameId }: { emailInNameId: boolean },
): SAML {
  const options: SamlConfig = {
    entryPoint: idp.ssoUrl,
    issuer: sp.entityId,
    audience: sp.entityId,
    callbackUrl: sp.acsUrl,
    idpCert: idp.signingCerts,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: REQUEST_TTL_MS,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    maxAssertionAgeMs: REQUEST_TTL_MS,
    identifierFormat: emailInNameId ? EMAIL_NAME_ID : null,
    // an IdP asked for a password context may refuse users who sign in with a passkey or MFA
    disableRequestedAuthnContext: true,
    signatureAlgorithm: 'sha256',
    cacheProvider: cache,
  };
  return new SAML(options);
}
