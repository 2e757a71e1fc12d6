import { LoadStrategy } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import {
  type CodeableConcept,
  DATA_SOURCE_TYPES,
  DataSource,
  DataSourceSupportedScope,
  Observation,
} from '../db/entities/index.js';
import { ConflictError, InvalidError, NotFoundError } from '../errors.js';
import { assertCanEditCatalog, assertCanViewCatalog, missingCodeableConceptIds } from './codeable-concepts.js';
import type { ServiceContext } from './context.js';
import { groupBy } from './group.js';
import { id, name, parseInput } from './input.js';
import { inTransaction } from './persist.js';

/** The global catalog of data sources (FHIR Devices) and the scopes each can deliver. */

const dataSourceType = z.enum(DATA_SOURCE_TYPES, { error: `must be one of ${DATA_SOURCE_TYPES.join(', ')}` });
const createInput = z.object({
  name,
  type: dataSourceType,
  supportedScopeIds: z.array(id).max(1000).optional(),
});
const updateInput = z.object({ name: name.optional(), type: dataSourceType.optional() });

const nameTaken = (value: string) => `A data source named "${value}" already exists`;

async function assertNameFree(em: EntityManager, value: string, exceptId?: number): Promise<void> {
  const clash = await em.findOne(DataSource, { name: value, ...(exceptId ? { id: { $ne: exceptId } } : {}) });
  if (clash) throw new ConflictError(nameTaken(value));
}

export async function listDataSources(ctx: ServiceContext): Promise<DataSource[]> {
  assertCanViewCatalog(ctx);
  return ctx.em.find(DataSource, {}, { orderBy: { id: 'asc' } });
}

export async function getDataSource(ctx: ServiceContext, dataSourceId: number): Promise<DataSource> {
  assertCanViewCatalog(ctx);
  const dataSource = await ctx.em.findOne(DataSource, dataSourceId);
  if (!dataSource) throw new NotFoundError('Data source', dataSourceId);
  return dataSource;
}

export async function createDataSource(ctx: ServiceContext, input: z.input<typeof createInput>): Promise<DataSource> {
  const data = parseInput(createInput, input);
  assertCanEditCatalog(ctx);
  const scopeIds = [...new Set(data.supportedScopeIds ?? [])];
  const [missing] = await missingCodeableConceptIds(ctx.em, scopeIds);
  if (missing !== undefined) throw new NotFoundError('Codeable concept', missing);
  await assertNameFree(ctx.em, data.name);
  return inTransaction(
    ctx.em,
    async (em) => {
      const dataSource = em.create(DataSource, { name: data.name, type: data.type });
      for (const codeableConcept of scopeIds) em.create(DataSourceSupportedScope, { dataSource, codeableConcept });
      await em.flush();
      return dataSource;
    },
    nameTaken(data.name),
  );
}

export async function updateDataSource(
  ctx: ServiceContext,
  dataSourceId: number,
  input: z.input<typeof updateInput>,
): Promise<DataSource> {
  const data = parseInput(updateInput, input);
  assertCanEditCatalog(ctx);
  const dataSource = await getDataSource(ctx, dataSourceId);
  if (data.name === undefined && data.type === undefined) throw new InvalidError('Nothing to update');
  if (data.name !== undefined) await assertNameFree(ctx.em, data.name, dataSource.id);
  return inTransaction(
    ctx.em,
    async (em) => {
      em.assign(dataSource, data);
      await em.flush();
      return dataSource;
    },
    nameTaken(data.name ?? ''),
  );
}

export async function addDataSourceScope(
  ctx: ServiceContext,
  dataSourceId: number,
  codeableConceptId: number,
): Promise<DataSource> {
  assertCanEditCatalog(ctx);
  const dataSource = await getDataSource(ctx, dataSourceId);
  if ((await missingCodeableConceptIds(ctx.em, [codeableConceptId])).length > 0) {
    throw new NotFoundError('Codeable concept', codeableConceptId);
  }
  const conflict = `Data source ${dataSource.id} already supports codeable concept ${codeableConceptId}`;
  if ((await ctx.em.count(DataSourceSupportedScope, { dataSource, codeableConcept: codeableConceptId })) > 0) {
    throw new ConflictError(conflict);
  }
  await inTransaction(
    ctx.em,
    async (em) => {
      em.create(DataSourceSupportedScope, { dataSource, codeableConcept: codeableConceptId });
      await em.flush();
    },
    conflict,
  );
  return dataSource;
}

export async function removeDataSourceScope(
  ctx: ServiceContext,
  dataSourceId: number,
  codeableConceptId: number,
): Promise<DataSource> {
  assertCanEditCatalog(ctx);
  const dataSource = await getDataSource(ctx, dataSourceId);
  const removed = await inTransaction(ctx.em, (em) =>
    em.nativeDelete(DataSourceSupportedScope, { dataSource: dataSource.id, codeableConcept: codeableConceptId }),
  );
  if (removed === 0) throw new NotFoundError(`Codeable concept ${codeableConceptId} of data source`, dataSource.id);
  return dataSource;
}

/** Deletes the source and its place in studies; refused while observations still name it. */
export async function deleteDataSource(ctx: ServiceContext, dataSourceId: number): Promise<void> {
  assertCanEditCatalog(ctx);
  const dataSource = await getDataSource(ctx, dataSourceId);
  const inUse = `Data source ${dataSource.id} still has observations and cannot be deleted`;
  if ((await ctx.em.count(Observation, { dataSource: dataSource.id })) > 0) throw new ConflictError(inUse);
  // The foreign key (on delete restrict) still catches an observation uploaded meanwhile.
  await inTransaction(ctx.em, (em) => em.nativeDelete(DataSource, { id: dataSource.id }), inUse).catch((error) => {
    throw error instanceof ConflictError ? new ConflictError(inUse) : error;
  });
  ctx.em.getUnitOfWork().unsetIdentity(dataSource);
}

/** Batch read for loaders: the supported scopes of each data source, by concept id. One query. */
export async function dataSourceSupportedScopes(
  em: EntityManager,
  dataSourceIds: readonly number[],
): Promise<Map<number, CodeableConcept[]>> {
  const rows = await em.find(
    DataSourceSupportedScope,
    { dataSource: { $in: [...dataSourceIds] } },
    { populate: ['codeableConcept'], strategy: LoadStrategy.JOINED, orderBy: { codeableConcept: { id: 'asc' } } },
  );
  const grouped = groupBy(rows, (row) => row.dataSource.id);
  return new Map([...grouped].map(([key, group]) => [key, group.map((row) => row.codeableConcept)]));
}

/** Batch read for loaders (the catalog is public to anyone signed in). */
export async function dataSourcesByIds(em: EntityManager, ids: readonly number[]): Promise<Map<number, DataSource>> {
  const rows = await em.find(DataSource, { id: { $in: [...ids] } });
  return new Map(rows.map((d) => [d.id, d]));
}
