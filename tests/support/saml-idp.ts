import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import { generate } from 'selfsigned';
import { SignedXml } from 'xml-crypto';

/** Who the test IdP says signs in, and how it shapes its next answers (to test each refusal). */
export interface IdpAnswer {
  email: string;
  firstName?: string;
  lastName?: string;
  /** the Conditions' audience (default: the AuthnRequest's issuer, the SP's entity id) */
  audience?: string;
  /** shifts every instant of the assertion, e.g. −1 h for an expired one */
  shiftMs?: number;
  /** the InResponseTo (default: the AuthnRequest's ID; null: none, an unsolicited response) */
  inResponseTo?: string | null;
  /** the recipient of the bearer confirmation (default: the AuthnRequest's ACS URL) */
  recipient?: string;
  /** the issuer (default: the IdP's entity id) */
  issuer?: string;
  /** rewrites the response after the assertion was signed (a tampering in transit) */
  afterSigning?: (xml: string) => string;
  /** signs with this key instead of the IdP's (a forged answer) */
  signingKey?: string;
  /** signs with RSA-SHA1 and SHA-1 digests (an old IdP's defaults) */
  sha1?: boolean;
}

export interface TestIdp {
  origin: string;
  metadataUrl: string;
  entityId: string;
  /** what the next sign-ins at the IdP answer */
  answer: IdpAnswer;
  /** the base64 SAMLResponse of the latest answer */
  lastResponse: string | undefined;
  /** the ID of the latest AuthnRequest received */
  lastRequestId: string | undefined;
  /** a signed response built for an AuthnRequest of `requestId` to `acsUrl` (a replay or an unsolicited answer) */
  respond(request: { id: string | null; acsUrl: string; spEntityId: string }, answer?: IdpAnswer): string;
  close(): Promise<void>;
}

const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const escapeXml = (s: string) =>
  s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
const iso = (ms: number) => new Date(ms).toISOString();

/** A key pair and a self-signed certificate made now, for one test file. */
export async function testKeys(): Promise<{ privateKey: string; cert: string; certBody: string }> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const { cert } = await generate([{ name: 'commonName', value: 'test-idp' }], {
    keyPair: { privateKey, publicKey },
    algorithm: 'sha256',
  });
  const certBody = cert.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
  return { privateKey, cert, certBody };
}

/**
 * A SAML 2.0 identity provider on a free port of 127.0.0.1: its metadata at /metadata, its HTTP-Redirect SSO
 * endpoint at /sso, which answers an AuthnRequest with the page a real IdP sends after its login: a form that
 * posts the signed Response (assertion signed with xml-crypto) to the SP's ACS.
 */
export async function startTestIdp(): Promise<TestIdp> {
  const keys = await testKeys();
  let origin = '';
  const entityId = () => `${origin}/idp`;

  const respond: TestIdp['respond'] = (request, answer = idp.answer) => {
    const now = Date.now() + (answer.shiftMs ?? 0);
    const responseId = `_r${randomUUID()}`;
    const assertionId = `_a${randomUUID()}`;
    const inResponseTo = answer.inResponseTo === undefined ? request.id : answer.inResponseTo;
    const irt = inResponseTo ? ` InResponseTo="${escapeXml(inResponseTo)}"` : '';
    const issuer = escapeXml(answer.issuer ?? entityId());
    const attribute = (name: string, value: string | undefined) =>
      value === undefined
        ? ''
        : `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri"><saml:AttributeValue>${escapeXml(value)}</saml:AttributeValue></saml:Attribute>`;
    const assertion =
      `<saml:Assertion xmlns:saml="${SAML_NS}" ID="${assertionId}" Version="2.0" IssueInstant="${iso(now)}">` +
      `<saml:Issuer>${issuer}</saml:Issuer>` +
      `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${escapeXml(answer.email)}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${irt} NotOnOrAfter="${iso(now + 5 * 60_000)}" Recipient="${escapeXml(answer.recipient ?? request.acsUrl)}"/></saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${iso(now - 60_000)}" NotOnOrAfter="${iso(now + 5 * 60_000)}"><saml:AudienceRestriction><saml:Audience>${escapeXml(answer.audience ?? request.spEntityId)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${assertionId}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
      `<saml:AttributeStatement>${attribute('urn:oid:2.5.4.42', answer.firstName)}${attribute('urn:oid:2.5.4.4', answer.lastName)}${attribute('urn:oid:0.9.2342.19200300.100.1.3', answer.email)}</saml:AttributeStatement>` +
      `</saml:Assertion>`;
    const response =
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="${SAML_NS}" ID="${responseId}" Version="2.0" IssueInstant="${iso(now)}" Destination="${escapeXml(request.acsUrl)}"${irt}>` +
      `<saml:Issuer>${issuer}</saml:Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
      assertion +
      `</samlp:Response>`;
    const signer = new SignedXml({
      privateKey: answer.signingKey ?? keys.privateKey,
      publicCert: keys.cert,
      signatureAlgorithm: answer.sha1
        ? 'http://www.w3.org/2000/09/xmldsig#rsa-sha1'
        : 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    });
    signer.addReference({
      xpath: `//*[local-name(.)='Assertion']`,
      digestAlgorithm: answer.sha1
        ? 'http://www.w3.org/2000/09/xmldsig#sha1'
        : 'http://www.w3.org/2001/04/xmlenc#sha256',
      transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    });
    signer.computeSignature(response, {
      location: { reference: `//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']`, action: 'after' },
    });
    const signed = (answer.afterSigning ?? ((xml: string) => xml))(signer.getSignedXml());
    idp.lastResponse = Buffer.from(signed).toString('base64');
    return idp.lastResponse;
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/metadata') {
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(
        `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId()}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${keys.certBody}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${origin}/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`,
      );
      return;
    }
    if (url.pathname === '/sso') {
      const raw = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64')).toString('utf8');
      const request = new DOMParser().parseFromString(raw, 'text/xml').documentElement!;
      const id = request.getAttribute('ID')!;
      const acsUrl = request.getAttribute('AssertionConsumerServiceURL')!;
      const spEntityId = request.getElementsByTagNameNS(SAML_NS, 'Issuer')[0]!.textContent!;
      idp.lastRequestId = id;
      const samlResponse = respond({ id, acsUrl, spEntityId });
      const relayState = url.searchParams.get('RelayState');
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          `<!doctype html><html><body><form method="post" action="${escapeXml(acsUrl)}">` +
            `<input type="hidden" name="SAMLResponse" value="${samlResponse}">` +
            (relayState ? `<input type="hidden" name="RelayState" value="${escapeXml(relayState)}">` : '') +
            `<button type="submit">Continue to the service</button></form></body></html>`,
        );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const idp: TestIdp = {
    origin,
    metadataUrl: `${origin}/metadata`,
    entityId: entityId(),
    answer: { email: 'ada@uni.example.edu' },
    lastResponse: undefined,
    lastRequestId: undefined,
    respond,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return idp;
}
