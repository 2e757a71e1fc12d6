import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { elementsNS as children, parseXmlRoot } from './xml.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

/** What the gateway takes from the identity provider's metadata. */
export interface IdpMetadata {
  entityId: string;
  /** the SingleSignOnService of the HTTP-Redirect binding: where AuthnRequests go */
  ssoUrl: string;
  /** the certificates (base64 DER) whose keys may sign assertions */
  signingCerts: string[];
}

const MAX_METADATA_BYTES = 1_000_000;

/** Reads SAML_IDP_METADATA (a file, or an http(s) URL fetched once) at start-up; any doubt stops the start. */
export async function loadIdpMetadata(source: string, { production }: { production: boolean }): Promise<IdpMetadata> {
  const xml = await readSource(source, production);
  const metadata = parseIdpMetadata(xml);
  if (production && new URL(metadata.ssoUrl).protocol !== 'https:') {
    throw new Error(`SAML_IDP_METADATA: production mode needs an https SingleSignOnService, got ${metadata.ssoUrl}`);
  }
  return metadata;
}

async function readSource(source: string, production: boolean): Promise<string> {
  if (/^https?:\/\//i.test(source)) {
    if (production && !/^https:\/\//i.test(source)) {
      throw new Error('SAML_IDP_METADATA: production mode reads the metadata over https only');
    }
    const response = await fetch(source, { signal: AbortSignal.timeout(10_000) }).catch((error: unknown) => {
      throw new Error(`SAML_IDP_METADATA: cannot fetch ${source}: ${(error as Error).message}`);
    });
    if (!response.ok) throw new Error(`SAML_IDP_METADATA: ${source} answered ${response.status}`);
    const text = await response.text();
    if (text.length > MAX_METADATA_BYTES) throw new Error(`SAML_IDP_METADATA: ${source} is too large`);
    return text;
  }
  try {
    return await readFile(source, 'utf8');
  } catch (error) {
    throw new Error(`SAML_IDP_METADATA: cannot read ${source}: ${(error as Error).message}`);
  }
}

/** The IdP's entity id, redirect SSO endpoint and signing certificates; metadata without them is refused. */
export function parseIdpMetadata(xml: string): IdpMetadata {
  const root = parseXmlRoot(xml);
  if (!root) throw new Error('SAML_IDP_METADATA is not well-formed XML');
  const entity =
    root.localName === 'EntityDescriptor' && root.namespaceURI === MD
      ? root
      : children(root, MD, 'EntityDescriptor')[0];
  const idp = entity && children(entity, MD, 'IDPSSODescriptor')[0];
  if (!entity || !idp) throw new Error('SAML_IDP_METADATA has no EntityDescriptor with an IDPSSODescriptor');
  const entityId = entity.getAttribute('entityID');
  if (!entityId) throw new Error('SAML_IDP_METADATA: the EntityDescriptor has no entityID');
  const sso = children(idp, MD, 'SingleSignOnService').find((s) => s.getAttribute('Binding') === REDIRECT_BINDING);
  const ssoUrl = sso?.getAttribute('Location');
  if (!ssoUrl || !/^https?:\/\//i.test(ssoUrl)) {
    throw new Error('SAML_IDP_METADATA: the IdP has no HTTP-Redirect SingleSignOnService with an http(s) Location');
  }
  const signingCerts = children(idp, MD, 'KeyDescriptor')
    .filter((key) => (key.getAttribute('use') || 'signing') === 'signing')
    .flatMap((key) => children(key, DS, 'X509Certificate'))
    .map((cert) => (cert.textContent ?? '').replace(/\s+/g, ''))
    .filter(Boolean);
  if (!signingCerts.length) {
    throw new Error('SAML_IDP_METADATA: the IdP lists no signing certificate, so its assertions could not be checked');
  }
  for (const cert of signingCerts) {
    try {
      new X509Certificate(Buffer.from(cert, 'base64'));
    } catch {
      throw new Error('SAML_IDP_METADATA: a signing certificate is not a valid X.509 certificate');
    }
  }
  return { entityId, ssoUrl, signingCerts };
}
