import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ConflictError } from '../errors.js';
import { parseInput } from '../services/input.js';
import { postgresAdapter } from './adapter.js';
import { FIRST_PARTY_CLIENT_IDS } from './clients.js';

const registration = z.object({
  clientId: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, 'must be 3-64 lower-case letters, digits, dots, dashes or underscores'),
  name: z.string().trim().min(1).max(100),
  redirectUris: z.array(z.url({ protocol: /^https?$/ })).min(1, 'give at least one redirect URI'),
  confidential: z.boolean().default(false),
});

export interface RegisteredClient {
  clientId: string;
  /** only for confidential clients; shown once */
  clientSecret?: string;
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
  const store = new (postgresAdapter(em))('Client');
  if (FIRST_PARTY_CLIENT_IDS.has(data.clientId) || (await store.find(data.clientId))) {
    throw new ConflictError(`A client with id "${data.clientId}" already exists`);
  }
  const clientSecret = data.confidential ? randomBytes(32).toString('base64url') : undefined;
  await store.upsert(data.clientId, {
    client_id: data.clientId,
    client_name: data.name,
    redirect_uris: data.redirectUris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    ...(clientSecret
      ? { client_secret: clientSecret, token_endpoint_auth_method: 'client_secret_basic' }
      : { token_endpoint_auth_method: 'none' }),
  });
  return { clientId: data.clientId, clientSecret };
}
