import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import * as exports from '../../src/services/bulk-export/exports.js';
import type { BulkExportRow } from '../../src/services/bulk-export/exports.js';
import type { GraphQLContext } from '../context.js';
import { toId } from '../ids.js';
import { BulkExport, BulkExportFile, BulkExportInput, BulkExportTypeCount } from '../types/bulk-export.js';

@Resolver(() => BulkExport)
export class BulkExportResolver {
  @Mutation(() => BulkExport, { description: 'starts a bulk export, run in the background as the viewer' })
  startBulkExport(@Arg('input', () => BulkExportInput) input: BulkExportInput, @Ctx() ctx: GraphQLContext) {
    return exports.startExport(ctx.services, {
      studyId: input.studyId ? toId(input.studyId, 'input.studyId') : null,
      types: input.types ?? null,
      since: input.since ?? null,
      codes: input.codes ?? [],
      requestUrl: input.requestUrl,
    });
  }

  @Query(() => BulkExport, { description: 'one of the viewer’s own bulk exports' })
  bulkExport(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return exports.getExport(ctx.services, id);
  }

  @Mutation(() => BulkExport, { description: 'cancels one of the viewer’s bulk exports and deletes its files' })
  cancelBulkExport(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return exports.cancelExport(ctx.services, id);
  }

  @Query(() => BulkExportFile, { description: 'one file of the viewer’s own complete bulk export' })
  bulkExportFile(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return exports.getExportFile(ctx.services, toId(id));
  }

  @Query(() => String, { nullable: true, description: 'a chunk of such a file’s NDJSON lines (null past its last)' })
  bulkExportFileChunk(
    @Arg('fileId', () => ID) fileId: string,
    @Arg('seq', () => Int) seq: number,
    @Ctx() ctx: GraphQLContext,
  ) {
    return exports.exportFileChunk(ctx.services, toId(fileId, 'fileId'), seq);
  }

  @FieldResolver(() => [BulkExportTypeCount], { description: 'lines written so far, per type' })
  counts(@Root() row: BulkExportRow): BulkExportTypeCount[] {
    return row.types.map((type) => ({ type, count: row.counts[type] ?? 0 }));
  }

  @FieldResolver(() => [BulkExportFile], { description: 'its files with lines (complete exports)' })
  files(@Root() row: BulkExportRow, @Ctx() ctx: GraphQLContext) {
    return row.status === 'complete' ? exports.exportFiles(ctx.services, row) : [];
  }
}
