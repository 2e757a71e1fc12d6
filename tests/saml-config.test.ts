import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { loadIdpMetadata, parseIdpMetadata } from '../src/auth/saml/idp-metadata.js';
import { testKeys } from './support/saml-idp.js';

let cert: string;
beforeAll(async () => {
  ({ certBody: cert } = await testKeys());
});

const metadata = ({
  sso = 'https://idp.example.edu/sso',
  keys = `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
  binding = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
} = {}) => `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.edu/idp">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${keys}
    <md:SingleSignOnService Binding="${binding}" Location="${sso}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

const file = (content: string) => {
  const target = path.join(mkdtempSync(path.join(os.tmpdir(), 'hxg-saml-')), 'idp.xml');
  writeFileSync(target, content);
  return target;
};

describe('SAML settings', () => {
  const saml = (env: Record<string, string>) => loadConfig({ SAML_IDP_METADATA: '/etc/idp.xml', ...env }).saml;

  it('is off without SAML_IDP_METADATA, parsed with it', () => {
    expect(loadConfig({}).saml).toBeUndefined();
    expect(
      saml({
        SAML_ALLOWED_DOMAINS: 'Uni.Example.edu, med.example.edu',
        SAML_DISPLAY_NAME: 'Example University',
        SAML_DEFAULT_ORGANIZATIONS: '20003,20004',
        SAML_DEFAULT_ROLE: 'member',
      }),
    ).toMatchObject({
      allowedDomains: ['uni.example.edu', 'med.example.edu'],
      displayName: 'Example University',
      defaultOrganizationIds: [20003, 20004],
      defaultRole: 'member',
      emailAttribute: undefined,
    });
  });

  it('refuses what would let anyone in or cannot be meant', () => {
    expect(() => saml({})).toThrow(/SAML_ALLOWED_DOMAINS/);
    expect(() => saml({ SAML_ALLOWED_DOMAINS: '*' })).toThrow(/not one/);
    expect(() => saml({ SAML_ALLOWED_DOMAINS: '@example.edu' })).toThrow(/not one/);
    expect(() => saml({ SAML_ALLOWED_DOMAINS: 'example.edu', SAML_DEFAULT_ORGANIZATIONS: 'BIDS' })).toThrow(
      /organization ids/,
    );
    expect(() => saml({ SAML_ALLOWED_DOMAINS: 'example.edu', SAML_DEFAULT_ROLE: 'owner' })).toThrow(
      /SAML_DEFAULT_ROLE/,
    );
  });
});

describe('IdP metadata, read at start-up', () => {
  it('gives the entity id, the redirect SSO endpoint and the signing certificates', async () => {
    expect(await loadIdpMetadata(file(metadata()), { production: true })).toEqual({
      entityId: 'https://idp.example.edu/idp',
      ssoUrl: 'https://idp.example.edu/sso',
      signingCerts: [cert],
    });
  });

  it('stops the start when it cannot be used', async () => {
    await expect(loadIdpMetadata('/nonexistent/idp.xml', { production: false })).rejects.toThrow(/cannot read/);
    expect(() => parseIdpMetadata('<md:EntityDescriptor')).toThrow(/not well-formed/);
    expect(() => parseIdpMetadata(metadata({ keys: '' }))).toThrow(/no signing certificate/);
    expect(() =>
      parseIdpMetadata(
        metadata({
          keys: metadata()
            .match(/<md:KeyDescriptor[\s\S]*KeyDescriptor>/)![0]
            .replace(cert, 'bm90IGEgY2VydA=='),
        }),
      ),
    ).toThrow(/not a valid X\.509/);
    expect(() => parseIdpMetadata(metadata({ binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST' }))).toThrow(
      /HTTP-Redirect/,
    );
    // an encryption-only key cannot check signatures
    expect(() => parseIdpMetadata(metadata().replace('use="signing"', 'use="encryption"'))).toThrow(
      /no signing certificate/,
    );
  });

  it('production mode: https only, for the metadata URL and the SSO endpoint', async () => {
    await expect(loadIdpMetadata('http://idp.example.edu/metadata', { production: true })).rejects.toThrow(
      /https only/,
    );
    const plain = file(metadata({ sso: 'http://idp.example.edu/sso' }));
    await expect(loadIdpMetadata(plain, { production: true })).rejects.toThrow(/https SingleSignOnService/);
    await expect(loadIdpMetadata(plain, { production: false })).resolves.toMatchObject({
      ssoUrl: 'http://idp.example.edu/sso',
    });
  });
});
