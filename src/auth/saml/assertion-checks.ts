import type { Profile } from '@node-saml/node-saml';
import type { IdpMetadata } from './idp-metadata.js';
import { REQUEST_TTL_MS, type ServiceProvider } from './service-provider.js';
import { elementsNS, parseXmlRoot } from './xml.js';

const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
/** SHA-1, broken for collisions, in a signature or digest method */
const SHA1_METHODS = new Set([`${DSIG}rsa-sha1`, `${DSIG}dsa-sha1`, `${DSIG}sha1`]);
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

/** A response the gateway refuses; `message` is safe to show the user. */
export class SamlRefusal extends Error {}

type Node = { $?: Record<string, string>; _?: string; [child: string]: unknown };
const first = (node: Node | undefined, name: string) => (node?.[name] as Node[] | undefined)?.[0];
const all = (node: Node | undefined, name: string) => (node?.[name] as Node[] | undefined) ?? [];

/**
 * What the response's envelope says (not signed when the IdP signs the assertion only: checked, never trusted),
 * and no SHA-1 anywhere in its signatures.
 */
export function checkEnvelope(xml: string, sp: ServiceProvider): void {
  const root = parseXmlRoot(xml);
  if (root?.localName !== 'Response' || root.namespaceURI !== PROTOCOL) throw new SamlRefusal('Not a SAML response');
  const destination = root.getAttribute('Destination');
  if (destination && destination !== sp.acsUrl) throw new SamlRefusal('The response was sent to another destination');
  const methods = [...elementsNS(root, DSIG, 'SignatureMethod'), ...elementsNS(root, DSIG, 'DigestMethod')];
  if (methods.some((method) => SHA1_METHODS.has(method.getAttribute('Algorithm') ?? ''))) {
    throw new SamlRefusal('The identity provider signs with SHA-1, which this gateway does not accept');
  }
  const status = elementsNS(root, PROTOCOL, 'StatusCode')[0]?.getAttribute('Value');
  if (status !== SUCCESS) throw new SamlRefusal('The identity provider did not sign you in');
}

/**
 * The checks node-saml leaves to its caller, on the assertion it verified: issued by our IdP, for a bearer
 * confirmed to our ACS, in answer to the very request consumed. Returns the assertion's id and until when it
 * could be presented (for the replay check).
 */
export function checkSignedAssertion(
  profile: Profile,
  { sp, idp, requestId }: { sp: ServiceProvider; idp: IdpMetadata; requestId: string },
): { assertionId: string; validUntil: Date } {
  if (profile.issuer !== idp.entityId) throw new SamlRefusal('The assertion was issued by another identity provider');
  const assertion = (profile.getAssertion?.() as { Assertion?: Node } | undefined)?.Assertion;
  const assertionId = assertion?.$?.ID;
  if (!assertionId) throw new SamlRefusal('The assertion has no ID');
  const confirmations = all(first(assertion, 'Subject'), 'SubjectConfirmation').filter((c) => c.$?.Method === BEARER);
  const data = confirmations.map((c) => first(c, 'SubjectConfirmationData')?.$ ?? {});
  const ours = data.find((d) => d.Recipient === sp.acsUrl && d.InResponseTo === requestId);
  if (!ours) throw new SamlRefusal('The assertion was not issued to this gateway in answer to this sign-in');
  const limits = [ours.NotOnOrAfter, first(assertion, 'Conditions')?.$?.NotOnOrAfter]
    .filter((t): t is string => Boolean(t))
    .map((t) => Date.parse(t))
    .filter((t) => Number.isFinite(t));
  const validUntil = new Date(Math.max(...limits, Date.now() + REQUEST_TTL_MS));
  return { assertionId, validUntil };
}
