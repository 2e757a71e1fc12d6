import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ConflictError } from '../errors.js';
import { parseInput } from '../services/input.js';
import { postgresAdapter } from './adapter.js';
import { FIRST_PARTY_CLIENT_IDS } from './clients.js';

export const oauthClientId = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, 'must be 3-64 lower-case letters, digits, dots, dashes or underscores');

const registration = z.object({
  clientId: oauthClientId,
  name: z.string().trim().min(1).max(100),
  redirectUris: z.array(z.url({ protocol: /^https?$/ })).min(1, 'give at least one redirect URI'),
  confidential: z.boolean().default(false),
});

export interface RegisteredClient {
  clientId: string;
  /** only for confidential clients; shown once */
  clientSecret?: string;
}

export interface StoredClient {
  clientId: string;
  name: string;
  redirectUris: string[];
  confidential: boolean;
  /** web: http(s) redirects (dashboards); native: an app's custom scheme, claimed https or loopback redirects */
  applicationType: 'web' | 'native';
}

const LOOPBACKS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The OAuth application type the provider accepts these redirect URIs under: web for http(s) alone; native for
 * an app's own scheme, whose http redirects must then be loopback and https ones not (RFC 8252). null: neither.
 */
export function applicationTypeFor(redirectUris: readonly string[]): StoredClient['applicationType'] | null {
  const urls = redirectUris.map((uri) => new URL(uri));
  if (urls.every((url) => url.protocol === 'https:' || url.protocol === 'http:')) return 'web';
  const nativeOk = urls.every((url) =>
    url.protocol === 'http:'
      ? LOOPBACKS.has(url.hostname)
      : url.protocol === 'https:'
        ? !LOOPBACKS.has(url.hostname)
        : true,
  );
  return nativeOk ? 'native' : null;
}

const store = (em: EntityManager) => new (postgresAdapter(em))('Client');

/** Stores an OAuth client in the provider's storage; a confidential one gets a secret, returned once. */
export async function storeClient(em: EntityManager, client: StoredClient): Promise<RegisteredClient> {
  if (FIRST_PARTY_CLIENT_IDS.has(client.clientId) || (await store(em).find(client.clientId))) {
    throw new ConflictError(`A client with id "${client.clientId}" already exists`);
  }
  const clientSecret = client.confidential ? randomBytes(32).toString('base64url') : undefined;
  await store(em).upsert(client.clientId, {
    client_id: client.clientId,
    client_name: client.name,
    application_type: client.applicationType,
    redirect_uris: client.redirectUris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    ...(clientSecret
      ? { client_secret: clientSecret, token_endpoint_auth_method: 'client_secret_basic' }
      : { token_endpoint_auth_method: 'none' }),
  });
  return { clientId: client.clientId, clientSecret };
}

/** Renames a stored client or replaces its redirect URIs. */
export async function updateStoredClient(
  em: EntityManager,
  clientId: string,
  change: { name?: string; redirectUris?: string[] },
): Promise<void> {
  const current = await store(em).find(clientId);
  if (!current) throw new ConflictError(`The OAuth client "${clientId}" is not registered`);
  await store(em).upsert(clientId, {
    ...current,
    ...(change.name !== undefined ? { client_name: change.name } : {}),
    ...(change.redirectUris !== undefined
      ? { redirect_uris: change.redirectUris, application_type: applicationTypeFor(change.redirectUris) ?? 'native' }
      : {}),
  });
}

/** Removes a stored client with every grant, code and refresh token issued to it; its access tokens stop working. */
export async function removeStoredClient(em: EntityManager, clientId: string): Promise<void> {
  await em
    .getConnection()
    .execute(
      `delete from oidc_payloads where (model = 'Client' and id = ?) or payload->>'clientId' = ?`,
      [clientId, clientId],
      'run',
      em.getTransactionContext(),
    );
}

/** The redirect URIs and kind of a stored client (null: not registered). */
export async function storedClient(
  em: EntityManager,
  clientId: string,
): Promise<{ redirectUris: string[]; confidential: boolean } | null> {
  const payload = await store(em).find(clientId);
  if (!payload) return null;
  return {
    redirectUris: (payload.redirect_uris as string[] | undefined) ?? [],
    confidential: payload.token_endpoint_auth_method !== 'none',
  };
}

const resourceServer = z.object({ clientId: oauthClientId, name: z.string().trim().min(1).max(100) });

/**
 * Registers a resource server that introspects the gateway's access tokens (/o/token/introspection): a
 * confidential client with a secret (returned once) and no grant, response type or redirect: it gets no tokens.
 */
export async function registerIntrospectionClient(
  em: EntityManager,
  input: z.input<typeof resourceServer>,
): Promise<Required<RegisteredClient>> {
  const { clientId, name } = parseInput(resourceServer, input);
  if (FIRST_PARTY_CLIENT_IDS.has(clientId) || (await store(em).find(clientId))) {
    throw new ConflictError(`A client with id "${clientId}" already exists`);
  }
  const clientSecret = randomBytes(32).toString('base64url');
  await store(em).upsert(clientId, {
    client_id: clientId,
    client_name: name,
    client_secret: clientSecret,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [],
    response_types: [],
    redirect_uris: [],
  });
  return { clientId, clientSecret };
}

/**
 * Registers a third-party (dashboard) client in the provider's storage: public (PKCE) or confidential
 * (client secret). Third-party clients get the consent screen. Super users do this from the CLI.
 */
export async function registerClient(
  em: EntityManager,
  input: z.input<typeof registration>,
): Promise<RegisteredClient> {
  const data = parseInput(registration, input);
  return storeClient(em, { ...data, applicationType: 'web' });
}
