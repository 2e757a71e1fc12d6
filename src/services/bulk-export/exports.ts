import { randomUUID } from 'node:crypto';
import { NotFoundError, UnauthenticatedError } from '../../errors.js';
import { type ExportType, exportTypes, ownsExport } from '../../policy/bulk-export.js';
import { isAuthenticated } from '../../policy/rules.js';
import type { ServiceContext } from '../context.js';
import { visibleStudy } from '../facts.js';
import { type BulkExportFile, type BulkExportRow, FILE_COLUMNS, toExportRow, toFileRow } from './rows.js';

export interface BulkExportRequest {
  /** a study's export (Group/[id]/$export); null: every patient the viewer may see (Patient/$export) */
  studyId: number | null;
  /** `_type`; null: every type the token allows */
  types: readonly string[] | null;
  /** `_since`: observations last updated at or after it */
  since: Date | null;
  /** `_typeFilter=Observation?code=…`: these codes only (none: every code) */
  codes: readonly { system: string; code: string }[];
  /** the kickoff request's URL, as the manifest repeats it */
  requestUrl: string;
}

/**
 * Records an export to run as the viewer: the study must be one they may see now, and the token's scopes (as
 * granted, with its client) are kept so that the job runs with exactly this token's rights.
 */
export async function startExport(ctx: ServiceContext, request: BulkExportRequest): Promise<BulkExportRow> {
  const { viewer } = ctx;
  if (!isAuthenticated(viewer)) throw new UnauthenticatedError('Sign in to export');
  const types = exportTypes(viewer, request.studyId === null ? 'patient' : 'group', request.types);
  if (request.studyId !== null) await visibleStudy(ctx, request.studyId);
  const [row] = await ctx.em.getConnection().execute<Record<string, unknown>[]>(
    `insert into bulk_exports (id, user_id, scope, oauth_client_id, token_client_id, study_id, types, since, codes, request_url)
     values (?, ?, ?, ?, ?, ?, ?::text[], ?, ?::jsonb, ?) returning *`,
    [
      randomUUID(),
      viewer.userId,
      viewer.scopes.map((rule) => rule.text).join(' '),
      viewer.tokenClient?.oauthClientId ?? null,
      viewer.tokenClientId ?? null,
      request.studyId,
      `{${types.join(',')}}`,
      request.since,
      JSON.stringify(request.codes),
      request.requestUrl,
    ],
  );
  return toExportRow(row!);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The viewer's own export, not expired; NotFound for anyone else's, whether or not it exists. */
export async function getExport(ctx: ServiceContext, id: string): Promise<BulkExportRow> {
  const [row] = UUID.test(id)
    ? await ctx.em
        .getConnection()
        .execute<Record<string, unknown>[]>(
          `select * from bulk_exports where id = ? and (expires_at is null or expires_at > now())`,
          [id],
        )
    : [];
  const found = row && toExportRow(row);
  if (!found || !ownsExport(ctx.viewer, found.userId)) throw new NotFoundError('Bulk export', id);
  return found;
}

/** Cancels (deletes) the viewer's export with its files; a job still running stops at its next checkpoint. */
export async function cancelExport(ctx: ServiceContext, id: string): Promise<BulkExportRow> {
  const found = await getExport(ctx, id);
  await ctx.em.getConnection().execute('delete from bulk_exports where id = ?', [id]);
  return found;
}

/** The files of an export, in its types' order, then by part. */
export async function exportFiles(ctx: ServiceContext, exportRow: BulkExportRow): Promise<BulkExportFile[]> {
  const rows = await ctx.em
    .getConnection()
    .execute<Record<string, unknown>[]>(
      `select ${FILE_COLUMNS} from bulk_export_files f where f.export_id = ? and f.count > 0 order by array_position(?::text[], f.type), f.part`,
      [exportRow.id, `{${exportRow.types.join(',')}}`],
    );
  return rows.map(toFileRow);
}

/** One file of the viewer's own complete export; NotFound otherwise (another user's, expired, cancelled). */
export async function getExportFile(ctx: ServiceContext, fileId: number): Promise<BulkExportFile> {
  const [row] = await ctx.em.getConnection().execute<Record<string, unknown>[]>(
    `select ${FILE_COLUMNS}, e.user_id from bulk_export_files f join bulk_exports e on e.id = f.export_id
      where f.id = ? and e.status = 'complete' and e.expires_at > now()`,
    [fileId],
  );
  if (!row || !ownsExport(ctx.viewer, Number(row.user_id))) throw new NotFoundError('Bulk export file', fileId);
  return toFileRow(row);
}

/** A chunk of NDJSON lines of such a file (null past its last chunk). */
export async function exportFileChunk(ctx: ServiceContext, fileId: number, seq: number): Promise<string | null> {
  await getExportFile(ctx, fileId);
  const [row] = await ctx.em
    .getConnection()
    .execute<{ ndjson: string }[]>('select ndjson from bulk_export_chunks where file_id = ? and seq = ?', [
      fileId,
      seq,
    ]);
  return row?.ndjson ?? null;
}

export type { BulkExportFile, BulkExportRow, ExportType };
