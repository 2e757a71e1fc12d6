import { fromDatabaseError } from '../db/database-errors.js';
import type { Orm } from '../db/orm.js';
import { UnavailableError } from '../errors.js';
import { logger } from '../observability/logger.js';
import type { AuditEvent } from './event.js';

/** Where requests hand their audit events: recording never waits for the database. */
export interface AuditSink {
  record(event: AuditEvent): void;
  /** writes everything recorded so far; resolves once it is in the table (or its failure logged) */
  flush(): Promise<void>;
  /** flushes and stops the timer */
  close(): Promise<void>;
}

/** The sink of work with no audit trail (bench runs with AUDIT_BENCH_DISABLE): records nothing. */
export const DISCARD: AuditSink = { record() {}, flush: async () => {}, close: async () => {} };

const COLUMNS = [
  'recorded_at',
  'user_id',
  'client_id',
  'face',
  'address',
  'user_agent',
  'request_id',
  'operation',
  'action',
  'resource_type',
  'resource_ids',
  'patient_ids',
  'params',
  'row_count',
  'outcome',
  'error_code',
] as const;
const ROW = `(${COLUMNS.map((c) => (c.endsWith('_ids') ? '?::int[]' : c === 'params' ? '?::jsonb' : '?')).join(', ')})`;
/** rows per INSERT: 16 parameters each, well under PostgreSQL's 65535 */
const ROWS_PER_STATEMENT = 1000;
/** events kept for a database that cannot be reached; beyond it the oldest are dropped (and said so) */
const MAX_WAITING = 200_000;

const intArray = (ids: readonly number[]) => `{${ids.filter(Number.isSafeInteger).join(',')}}`;
const cut = (text: string | null, length: number) => (text === null ? null : text.slice(0, length));

function values(e: AuditEvent): unknown[] {
  return [
    e.recordedAt,
    e.userId,
    cut(e.clientId, 64),
    cut(e.face, 16),
    cut(e.address, 64),
    cut(e.userAgent, 256),
    cut(e.requestId, 64),
    cut(e.operation, 100),
    e.action,
    cut(e.resourceType, 32),
    intArray(e.resourceIds),
    intArray(e.patientIds),
    JSON.stringify(e.params),
    e.rowCount,
    e.outcome,
    cut(e.errorCode, 40),
  ];
}

/**
 * The batched writer: events wait in memory and go to `audit_events` in multi-row INSERTs every `flushMs`, or
 * as soon as `flushEvents` are waiting, and on close. Batches are written one after the other, in order. A write
 * the database could not take for lack of a connection is kept and tried again at the next flush (up to
 * MAX_WAITING events); any other failed write is logged with its SQLSTATE, never thrown into a request.
 */
export class AuditWriter implements AuditSink {
  private queue: AuditEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly orm: Orm,
    private readonly options: { flushMs: number; flushEvents: number },
    private readonly log: (message: string) => void = (message) => logger().error(message),
  ) {}

  record(event: AuditEvent): void {
    this.queue.push(event);
    if (this.queue.length >= this.options.flushEvents) void this.flush();
    else this.schedule();
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.queue;
    this.queue = [];
    if (batch.length > 0) this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  close(): Promise<void> {
    return this.flush();
  }

  private schedule() {
    this.timer ??= setTimeout(() => void this.flush(), this.options.flushMs).unref();
  }

  private async write(batch: AuditEvent[]): Promise<void> {
    let written = 0;
    try {
      for (; written < batch.length; written += ROWS_PER_STATEMENT) {
        const rows = batch.slice(written, written + ROWS_PER_STATEMENT);
        await this.orm.em
          .getConnection()
          .execute(
            `insert into audit_events (${COLUMNS.join(', ')}) values ${rows.map(() => ROW).join(', ')}`,
            rows.flatMap(values),
            'run',
          );
      }
    } catch (error) {
      const rest = batch.slice(written);
      if (fromDatabaseError(error) instanceof UnavailableError) this.keep(rest);
      else this.log(`audit trail: ${rest.length} events could not be written (${describe(error)})`);
    }
  }

  /** puts unwritten events back before the newer ones, for the next flush */
  private keep(events: AuditEvent[]) {
    this.queue = [...events, ...this.queue];
    const dropped = this.queue.length - MAX_WAITING;
    if (dropped > 0) {
      this.queue = this.queue.slice(dropped);
      this.log(`audit trail: the database is unreachable; ${dropped} oldest events dropped`);
    }
    this.schedule();
  }
}

/** an error without its message: the driver's message may hold bound values */
const describe = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? `SQLSTATE ${code}` : error instanceof Error ? error.name : 'unknown error';
};
