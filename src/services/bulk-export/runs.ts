import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { ForbiddenError } from '../../errors.js';
import { parseScopes } from '../../policy/token-scopes.js';
import { loadViewer, type Viewer } from '../../policy/viewer.js';
import type { ExportType } from '../../policy/bulk-export.js';
import { type BulkExportRow, type ExportCheckpoint, toExportRow } from './rows.js';

/**
 * A job's runs. Each attempt claims the export by raising its `run` number; every write of that attempt is
 * conditional on the number still being its own, so an attempt that another has taken over (a job expired while
 * its process was only slow) writes nothing more: one job never runs twice, even on several instances.
 */

/** The export to run, now claimed by this attempt; null if it is gone (cancelled, expired) or already finished. */
export async function claimRun(em: EntityManager, exportId: string): Promise<BulkExportRow | null> {
  const [row] = await em.getConnection().execute<Record<string, unknown>[]>(
    `update bulk_exports set run = run + 1, status = 'running'
      where id = ? and status in ('queued', 'running') returning *`,
    [exportId],
  );
  return row ? toExportRow(row) : null;
}

/**
 * The requester as they are now (their roles, the patients and consents the policy counts today), with the
 * token's scopes and client as granted at kickoff. Gone (the user disabled or removed, the token's client
 * removed): Forbidden.
 */
export async function exportViewer(em: EntityManager, job: BulkExportRow): Promise<Viewer> {
  const viewer = await loadViewer(em, job.userId, parseScopes(job.scope), job.oauthClientId ?? undefined);
  if (viewer.userId === null) throw new ForbiddenError('The export’s requester no longer exists');
  if (viewer.disabled) throw new ForbiddenError('The export’s requester is disabled');
  if (viewer.tokenClient && !viewer.tokenClient.registered) {
    throw new ForbiddenError('The export’s OAuth client is no longer registered');
  }
  return { ...viewer, tokenClientId: job.tokenClientId };
}

/** A batch of NDJSON lines of one type, and where the job stands once they are stored. */
export interface ExportBatch {
  type: ExportType;
  ndjson: string;
  lines: number;
  checkpoint: ExportCheckpoint;
}

/**
 * Appends a batch to its file part and advances the checkpoint in one transaction; false when this attempt no
 * longer owns the export (cancelled, or taken over), and nothing is written then.
 */
export async function saveBatch(em: EntityManager, job: BulkExportRow, batch: ExportBatch): Promise<boolean> {
  return em.transactional(async (tx) => {
    const sql = tx.getConnection();
    const [owned] = await sql.execute<{ id: string }[]>(
      `update bulk_exports set checkpoint = ?::jsonb,
              counts = jsonb_set(counts, array[?::text], to_jsonb(coalesce((counts ->> ?)::int, 0) + ?))
        where id = ? and run = ? and status = 'running' returning id`,
      [JSON.stringify(batch.checkpoint), batch.type, batch.type, batch.lines, job.id, job.run],
    );
    if (!owned) return false;
    if (batch.lines === 0) return true;
    const [file] = await sql.execute<{ id: string; seq: number }[]>(
      `insert into bulk_export_files (export_id, type, part, count, chunks) values (?, ?, ?, ?, 1)
       on conflict (export_id, type, part)
         do update set count = bulk_export_files.count + excluded.count, chunks = bulk_export_files.chunks + 1
       returning id, chunks - 1 as seq`,
      [job.id, batch.type, batch.checkpoint.part, batch.lines],
    );
    // through knex as a bound parameter: MikroORM's execute would inline (and escape) megabytes of text
    const knex = tx.getTransactionContext<Knex.Transaction>()!;
    await knex.raw('insert into bulk_export_chunks (file_id, seq, ndjson) values (?, ?, ?)', [
      file!.id,
      file!.seq,
      batch.ndjson,
    ]);
    return true;
  });
}

/**
 * Marks the run's export complete (or failed, with why), to be kept `ttlSeconds` from now; returns it as it
 * ended (its final counts), or null if the run no longer owns it.
 */
export async function finishRun(
  em: EntityManager,
  job: BulkExportRow,
  ttlSeconds: number,
  error: { code: string; message: string } | null = null,
): Promise<BulkExportRow | null> {
  const [row] = await em.getConnection().execute<Record<string, unknown>[]>(
    `update bulk_exports set status = ?, error = ?::jsonb, completed_at = now(),
            expires_at = now() + make_interval(secs => ?)
      where id = ? and run = ? and status = 'running' returning *`,
    [error ? 'failed' : 'complete', error ? JSON.stringify(error) : null, ttlSeconds, job.id, job.run],
  );
  return row ? toExportRow(row) : null;
}

/** Deletes the exports whose time is up, with their files; returns how many. */
export async function deleteExpiredExports(em: EntityManager): Promise<number> {
  const rows = await em
    .getConnection()
    .execute<{ id: string }[]>('delete from bulk_exports where expires_at <= now() returning id');
  return rows.length;
}
