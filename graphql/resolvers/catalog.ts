import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { DataSource as DataSourceEntity } from '../../src/db/entities/index.js';
import * as concepts from '../../src/services/codeable-concepts.js';
import * as sources from '../../src/services/data-sources.js';
import type { GraphQLContext } from '../context.js';
import { toId, toIds } from '../ids.js';
import {
  CodeableConcept,
  CreateCodeableConceptInput,
  CreateDataSourceInput,
  DataSource,
  UpdateCodeableConceptInput,
  UpdateDataSourceInput,
} from '../types/catalog.js';

@Resolver(() => DataSource)
export class DataSourceResolver {
  @Query(() => [DataSource])
  dataSources(@Ctx() ctx: GraphQLContext) {
    return sources.listDataSources(ctx.services);
  }

  @Query(() => DataSource, { description: 'one data source of the catalog' })
  dataSource(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return sources.getDataSource(ctx.services, toId(id));
  }

  @FieldResolver(() => [CodeableConcept])
  supportedScopes(@Root() source: DataSourceEntity, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.dataSourceScopes.load(source.id);
  }

  @Mutation(() => DataSource)
  createDataSource(@Arg('input') input: CreateDataSourceInput, @Ctx() ctx: GraphQLContext) {
    return sources.createDataSource(ctx.services, {
      name: input.name,
      type: input.type,
      supportedScopeIds: toIds(input.supportedScopeIds ?? [], 'supportedScopeIds'),
    });
  }

  @Mutation(() => DataSource)
  updateDataSource(
    @Arg('id', () => ID) id: string,
    @Arg('input') input: UpdateDataSourceInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return sources.updateDataSource(ctx.services, toId(id), input);
  }

  @Mutation(() => DataSource)
  addDataSourceScope(
    @Arg('dataSourceId', () => ID) dataSourceId: string,
    @Arg('codeableConceptId', () => ID) codeableConceptId: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return sources.addDataSourceScope(
      ctx.services,
      toId(dataSourceId, 'dataSourceId'),
      toId(codeableConceptId, 'codeableConceptId'),
    );
  }

  @Mutation(() => DataSource)
  removeDataSourceScope(
    @Arg('dataSourceId', () => ID) dataSourceId: string,
    @Arg('codeableConceptId', () => ID) codeableConceptId: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return sources.removeDataSourceScope(
      ctx.services,
      toId(dataSourceId, 'dataSourceId'),
      toId(codeableConceptId, 'codeableConceptId'),
    );
  }

  @Mutation(() => ID)
  async deleteDataSource(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    await sources.deleteDataSource(ctx.services, toId(id));
    return id;
  }
}

@Resolver(() => CodeableConcept)
export class CodeableConceptResolver {
  @Query(() => [CodeableConcept])
  codeableConcepts(@Ctx() ctx: GraphQLContext) {
    return concepts.listCodeableConcepts(ctx.services);
  }

  @Mutation(() => CodeableConcept)
  createCodeableConcept(@Arg('input') input: CreateCodeableConceptInput, @Ctx() ctx: GraphQLContext) {
    return concepts.createCodeableConcept(ctx.services, input);
  }

  @Mutation(() => CodeableConcept)
  updateCodeableConcept(
    @Arg('id', () => ID) id: string,
    @Arg('input') input: UpdateCodeableConceptInput,
    @Ctx() ctx: GraphQLContext,
  ) {
    return concepts.updateCodeableConcept(ctx.services, toId(id), input);
  }
}
