import type { Orm } from '../db/orm.js';
import { logger } from '../observability/logger.js';

/**
 * The retention purge, the audit trail's only delete path: audit_events_purge deletes the rows older than the
 * retention and nothing else (the table's trigger refuses any other DELETE). Returns how many it removed.
 */
export async function purgeAuditEvents(orm: Orm, retentionDays: number): Promise<number> {
  const [row] = await orm.em
    .getConnection()
    .execute<{ purged: string }[]>('select audit_events_purge(?) as purged', [retentionDays]);
  return Number(row?.purged ?? 0);
}

const HOUR = 3_600_000;

/**
 * Purges now and then hourly while the process runs (retention 0: never). Every gateway process may run it:
 * purging what another has just purged deletes nothing. Failures are logged and retried the next hour.
 */
export function schedulePurge(
  orm: Orm,
  retentionDays: number,
  log: (message: string) => void = (message) => logger().error(message),
): { stop(): void } {
  if (retentionDays <= 0) return { stop() {} };
  const run = () =>
    purgeAuditEvents(orm, retentionDays).catch((error: unknown) =>
      log(`audit trail: the retention purge failed: ${error instanceof Error ? error.message : error}`),
    );
  const first = setTimeout(run, 60_000).unref();
  const hourly = setInterval(run, HOUR).unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(hourly);
    },
  };
}
