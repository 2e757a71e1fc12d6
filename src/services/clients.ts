import { LoadStrategy } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import {
  applicationTypeFor,
  oauthClientId,
  removeStoredClient,
  storeClient,
  storedClient,
  updateStoredClient,
} from '../auth/client-registry.js';
import { Client, ClientDataSource, type DataSource, StudyClient } from '../db/entities/index.js';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError } from '../errors.js';
import { canRegisterClients, canViewClients } from '../policy/rules.js';
import type { ServiceContext } from './context.js';
import { groupBy } from './group.js';
import { id, parseInput } from './input.js';
import { inTransaction } from './persist.js';
import { assertCatalogEntriesExist, editableStudy } from './study-access.js';
import { patientWithStudies } from './studies.js';

/**
 * Clients: the apps patients use (CommonHealth, CareX, …). Each is an OAuth client of its own whose tokens serve
 * patients only and upload only from its data sources; studies hold them; invitations are minted for one.
 */

const NOT_SCHEMES = new Set(['javascript', 'data', 'vbscript', 'file', 'blob']);

/** An app's link or redirect: http(s), or the app's own scheme (never one a browser would run or read). */
const appUrl = z
  .string()
  .trim()
  .max(2048, 'must be at most 2048 characters')
  .refine((value) => {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
    return scheme !== undefined && !NOT_SCHEMES.has(scheme) && URL.canParse(value);
  }, 'must be an absolute URL (http, https or the app’s own scheme)');

const invitationUrl = appUrl.refine((value) => value.includes('CODE'), 'must contain CODE, where the code goes');
const redirectUris = z
  .array(appUrl.refine((value) => !value.includes('#'), 'must not contain a fragment (#)'))
  .min(1, 'give at least one redirect URI')
  .max(20, 'at most 20 redirect URIs')
  .transform((uris) => [...new Set(uris)])
  .refine(
    (uris) => applicationTypeFor(uris) !== null,
    'an app with its own scheme may use http only on a loopback address (localhost, 127.0.0.1), and https not there',
  );
const clientName = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
const dataSourceIds = z
  .array(id)
  .max(100)
  .transform((ids) => [...new Set(ids)]);

const createInput = z.object({
  name: clientName,
  oauthClientId,
  redirectUris,
  confidential: z.boolean().default(false),
  invitationUrl: invitationUrl.nullable().default(null),
  dataSourceIds: dataSourceIds.default([]),
});
const updateInput = z.object({
  name: clientName.optional(),
  redirectUris: redirectUris.optional(),
  invitationUrl: invitationUrl.nullable().optional(),
  dataSourceIds: dataSourceIds.optional(),
});

function assertCanManageClients(ctx: ServiceContext): void {
  if (!canRegisterClients(ctx.viewer)) throw new ForbiddenError('Only a super user may manage clients');
}

function assertCanViewClients(ctx: ServiceContext): void {
  if (!canViewClients(ctx.viewer)) throw new ForbiddenError('Only practitioners may see the clients');
}

export async function listClients(ctx: ServiceContext): Promise<Client[]> {
  assertCanViewClients(ctx);
  return ctx.em.find(Client, {}, { orderBy: { id: 'asc' } });
}

export async function getClient(ctx: ServiceContext, clientId: number): Promise<Client> {
  assertCanViewClients(ctx);
  const client = await ctx.em.findOne(Client, clientId);
  if (!client) throw new NotFoundError('Client', clientId);
  return client;
}

export interface CreatedClient {
  client: Client;
  /** for confidential clients; shown only once */
  clientSecret: string | null;
}

/** Registers the app's OAuth client and its record in one transaction (both or neither). */
export async function createClient(ctx: ServiceContext, input: z.input<typeof createInput>): Promise<CreatedClient> {
  const data = parseInput(createInput, input);
  assertCanManageClients(ctx);
  await assertCatalogEntriesExist(ctx.em, { dataSourceIds: data.dataSourceIds });
  const taken = `A client with id "${data.oauthClientId}" already exists`;
  return inTransaction(
    ctx.em,
    async (em) => {
      const registered = await storeClient(em, {
        clientId: data.oauthClientId,
        name: data.name,
        redirectUris: data.redirectUris,
        confidential: data.confidential,
        applicationType: applicationTypeFor(data.redirectUris) ?? 'native',
      });
      const client = em.create(Client, {
        name: data.name,
        oauthClientId: data.oauthClientId,
        invitationUrl: data.invitationUrl,
      });
      for (const dataSource of data.dataSourceIds) em.create(ClientDataSource, { client, dataSource });
      await em.flush();
      return { client, clientSecret: registered.clientSecret ?? null };
    },
    taken,
  );
}

export async function updateClient(
  ctx: ServiceContext,
  clientId: number,
  input: z.input<typeof updateInput>,
): Promise<Client> {
  const data = parseInput(updateInput, input);
  assertCanManageClients(ctx);
  if (Object.values(data).every((value) => value === undefined)) throw new InvalidError('Nothing to update');
  const client = await getClient(ctx, clientId);
  if (data.dataSourceIds) await assertCatalogEntriesExist(ctx.em, { dataSourceIds: data.dataSourceIds });
  return inTransaction(ctx.em, async (em) => {
    if (data.name !== undefined || data.redirectUris !== undefined) {
      await updateStoredClient(em, client.oauthClientId, { name: data.name, redirectUris: data.redirectUris });
    }
    if (data.name !== undefined) client.name = data.name;
    if (data.invitationUrl !== undefined) client.invitationUrl = data.invitationUrl;
    if (data.dataSourceIds) {
      await em.nativeDelete(ClientDataSource, { client: client.id });
      for (const dataSource of data.dataSourceIds) em.create(ClientDataSource, { client, dataSource });
    }
    await em.flush();
    return client;
  });
}

/** Removes the app: its record, its OAuth client and everything issued to it (its tokens stop working). */
export async function deleteClient(ctx: ServiceContext, clientId: number): Promise<void> {
  assertCanManageClients(ctx);
  const client = await getClient(ctx, clientId);
  await inTransaction(ctx.em, async (em) => {
    await removeStoredClient(em, client.oauthClientId);
    await em.nativeDelete(Client, client.id);
  });
}

/** The redirect URIs and kind of the app's OAuth client. */
export async function clientRegistration(ctx: ServiceContext, client: Client) {
  return (await storedClient(ctx.em, client.oauthClientId)) ?? { redirectUris: [], confidential: false };
}

export async function addStudyClient(ctx: ServiceContext, studyId: number, clientId: number) {
  const study = await editableStudy(ctx, studyId);
  const client = await ctx.em.findOne(Client, clientId);
  if (!client) throw new NotFoundError('Client', clientId);
  const conflict = `Study ${study.id} already holds client ${client.id}`;
  if ((await ctx.em.count(StudyClient, { study: study.id, client: client.id })) > 0) throw new ConflictError(conflict);
  await inTransaction(
    ctx.em,
    async (em) => {
      em.create(StudyClient, { study, client });
      await em.flush();
    },
    conflict,
  );
  return { study, client };
}

export async function removeStudyClient(ctx: ServiceContext, studyId: number, clientId: number) {
  const study = await editableStudy(ctx, studyId);
  const removed = await inTransaction(ctx.em, (em) =>
    em.nativeDelete(StudyClient, { study: study.id, client: clientId }),
  );
  if (removed === 0) throw new NotFoundError(`Client ${clientId} of study`, study.id);
  return study;
}

/** The clients of the patient's studies that the viewer may see (JupyterHealth's consolidated clients). */
export async function patientClients(ctx: ServiceContext, patientId: number): Promise<Client[]> {
  const { studies } = await patientWithStudies(ctx, patientId);
  return clientsOfStudies(
    ctx.em,
    studies.map((study) => study.id),
  );
}

/** The clients any of these studies hold, each once, by id. */
export async function clientsOfStudies(em: EntityManager, studyIds: readonly number[]): Promise<Client[]> {
  const byStudy = await studyClients(em, studyIds);
  const byId = new Map([...byStudy.values()].flat().map((client) => [client.id, client]));
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** Batch read for loaders, for studies the caller has already checked are visible: clients by study id. */
export async function studyClients(em: EntityManager, studyIds: readonly number[]): Promise<Map<number, Client[]>> {
  const rows = await em.find(
    StudyClient,
    { study: { $in: [...studyIds] } },
    { populate: ['client'], strategy: LoadStrategy.JOINED, orderBy: { client: { id: 'asc' } } },
  );
  const grouped = groupBy(rows, (row) => row.study.id);
  return new Map([...grouped].map(([key, group]) => [key, group.map((row) => row.client)]));
}

/** Batch read for loaders: the data sources of clients by client id. */
export async function clientDataSources(
  em: EntityManager,
  clientIds: readonly number[],
): Promise<Map<number, DataSource[]>> {
  const rows = await em.find(
    ClientDataSource,
    { client: { $in: [...clientIds] } },
    { populate: ['dataSource'], strategy: LoadStrategy.JOINED, orderBy: { dataSource: { id: 'asc' } } },
  );
  const grouped = groupBy(rows, (row) => row.client.id);
  return new Map([...grouped].map(([key, group]) => [key, group.map((row) => row.dataSource)]));
}
