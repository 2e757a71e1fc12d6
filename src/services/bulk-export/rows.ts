import type { ExportType } from '../../policy/bulk-export.js';
import { isoTimestamp } from '../observation-search.js';

export type BulkExportStatus = 'queued' | 'running' | 'complete' | 'failed';

/** Where a job is: the type it writes, the source's cursor within it, and the file part it appends to. */
export interface ExportCheckpoint {
  typeIndex: number;
  cursor: string | null;
  part: number;
  partLines: number;
}

export interface BulkExportRow {
  id: string;
  userId: number;
  scope: string;
  oauthClientId: string | null;
  tokenClientId: string | null;
  studyId: number | null;
  types: ExportType[];
  since: string | null;
  codes: { system: string; code: string }[];
  requestUrl: string;
  status: BulkExportStatus;
  run: number;
  checkpoint: ExportCheckpoint | null;
  /** lines written per type so far */
  counts: Partial<Record<ExportType, number>>;
  /** why a failed job failed: a domain error's code and message */
  error: { code: string; message: string } | null;
  transactionTime: string;
  completedAt: string | null;
  expiresAt: string | null;
}

export interface BulkExportFile {
  id: number;
  exportId: string;
  type: ExportType;
  part: number;
  count: number;
  chunks: number;
}

const time = (value: unknown) => (value === null || value === undefined ? null : isoTimestamp(String(value)));
const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;
const textArray = (value: unknown): string[] =>
  Array.isArray(value)
    ? value
    : String(value)
        .replace(/^\{|\}$/g, '')
        .split(',')
        .filter(Boolean);

export function toExportRow(row: Record<string, unknown>): BulkExportRow {
  return {
    id: String(row.id),
    userId: Number(row.user_id),
    scope: String(row.scope),
    oauthClientId: (row.oauth_client_id as string | null) ?? null,
    tokenClientId: (row.token_client_id as string | null) ?? null,
    studyId: row.study_id === null ? null : Number(row.study_id),
    types: textArray(row.types) as ExportType[],
    since: time(row.since),
    codes: json(row.codes),
    requestUrl: String(row.request_url),
    status: row.status as BulkExportStatus,
    run: Number(row.run),
    checkpoint: row.checkpoint === null ? null : json(row.checkpoint),
    counts: json(row.counts),
    error: row.error === null ? null : json(row.error),
    transactionTime: time(row.transaction_time)!,
    completedAt: time(row.completed_at),
    expiresAt: time(row.expires_at),
  };
}

export const FILE_COLUMNS = 'f.id, f.export_id, f.type, f.part, f.count, f.chunks';

export const toFileRow = (row: Record<string, unknown>): BulkExportFile => ({
  id: Number(row.id),
  exportId: String(row.export_id),
  type: row.type as ExportType,
  part: Number(row.part),
  count: Number(row.count),
  chunks: Number(row.chunks),
});
