import { z } from 'zod';
import type { AuditAction, AuditOutcome } from '../audit/event.js';
import { ForbiddenError } from '../errors.js';
import { canReadAuditTrail, canViewPatientAccessLog } from '../policy/rules.js';
import type { ServiceContext } from './context.js';
import { id, parseInput } from './input.js';
import { decodeCursor, type Page, type PageArgs, pageSize, toPage } from './paging.js';

/** An audit event as it is read back. */
export interface AuditEventRow {
  id: number;
  recordedAt: Date;
  userId: number | null;
  clientId: string | null;
  face: string;
  address: string | null;
  userAgent: string | null;
  requestId: string | null;
  operation: string;
  action: AuditAction;
  resourceType: string;
  resourceIds: number[];
  patientIds: number[];
  params: Record<string, unknown>;
  rowCount: number | null;
  outcome: AuditOutcome;
  errorCode: string | null;
}

/** the table's ids are PostgreSQL integers: a larger one is refused as a bad filter, not sent to the database */
const rowId = id.max(2_147_483_647, 'no such id');

const filterInput = z.object({
  userId: rowId.nullish(),
  patientId: rowId.nullish(),
  from: z.date().nullish(),
  before: z.date().nullish(),
  outcome: z.enum(['allowed', 'denied', 'error']).nullish(),
});
export type AuditEventFilter = z.input<typeof filterInput>;

// the bigserial id as a double: a JavaScript number, exact to 2^53 (pg hands int8 over as text)
const COLUMNS = `id::float8 as id, recorded_at as "recordedAt", user_id as "userId", client_id as "clientId", face, address,
  user_agent as "userAgent", request_id as "requestId", operation, action, resource_type as "resourceType",
  resource_ids as "resourceIds", patient_ids as "patientIds", params, row_count as "rowCount", outcome,
  error_code as "errorCode"`;

function where(filter: AuditEventFilter) {
  const { userId, patientId, from, before, outcome } = parseInput(filterInput, filter);
  const conditions: string[] = ['true'];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    conditions.push(sql);
    params.push(value);
  };
  if (userId) add('user_id = ?', userId);
  if (patientId) add('patient_ids @> array[?]::int[]', patientId);
  if (from) add('recorded_at >= ?', from);
  if (before) add('recorded_at < ?', before);
  if (outcome) add('outcome = ?', outcome);
  return { sql: conditions.join(' and '), params };
}

/** The whole trail, newest first, narrowed by the filter: super users only (canReadAuditTrail). */
export async function listAuditEvents(
  ctx: ServiceContext,
  args: AuditEventFilter & PageArgs = {},
): Promise<Page<AuditEventRow>> {
  if (!canReadAuditTrail(ctx.viewer)) throw new ForbiddenError('Only super users may read the audit trail');
  return page(ctx, args);
}

export async function countAuditEvents(ctx: ServiceContext, filter: AuditEventFilter = {}): Promise<number> {
  if (!canReadAuditTrail(ctx.viewer)) throw new ForbiddenError('Only super users may read the audit trail');
  return count(ctx, filter);
}

/**
 * A patient's access log: who read or changed their data, newest first. The patient, managers of one of their
 * organizations and super users may see it (canViewPatientAccessLog); `organizationIds` are the patient's.
 */
export async function listPatientAccessLog(
  ctx: ServiceContext,
  patient: { id: number; organizationIds: readonly number[] },
  args: Omit<AuditEventFilter, 'patientId'> & PageArgs = {},
): Promise<{ page: Page<AuditEventRow>; count: () => Promise<number> }> {
  if (!canViewPatientAccessLog(ctx.viewer, patient)) {
    throw new ForbiddenError(`You may not see who read the data of patient ${patient.id}`);
  }
  const filter = { ...args, patientId: patient.id };
  return { page: await page(ctx, filter), count: () => count(ctx, filter) };
}

async function page(ctx: ServiceContext, args: AuditEventFilter & PageArgs): Promise<Page<AuditEventRow>> {
  const size = pageSize(args.first);
  const afterId = decodeCursor(args.after);
  const { sql, params } = where(args);
  const rows = await ctx.em
    .getConnection()
    .execute<AuditEventRow[]>(
      `select ${COLUMNS} from audit_events where ${sql}${afterId === null ? '' : ' and id < ?'} order by id desc limit ?`,
      [...params, ...(afterId === null ? [] : [afterId]), size + 1],
    );
  // timestamps come back from a raw query as PostgreSQL writes them (the pool parses no types)
  return toPage(
    rows.map((row) => ({ ...row, recordedAt: new Date(row.recordedAt) })),
    size,
  );
}

async function count(ctx: ServiceContext, filter: AuditEventFilter): Promise<number> {
  const { sql, params } = where(filter);
  const [row] = await ctx.em
    .getConnection()
    .execute<{ count: string }[]>(`select count(*) as count from audit_events where ${sql}`, params);
  return Number(row?.count ?? 0);
}
