import {
  decodeObservationCursor,
  encodeObservationCursor,
  observationOrder,
  observationsAfter,
} from '../observation-order.js';
import {
  matchingObservations,
  observationColumns,
  type ObservationFilter,
  type ObservationRow,
  toObservationRow,
} from '../observation-search.js';
import type { ServiceContext } from '../context.js';

export interface ObservationBatch {
  rows: ObservationRow[];
  /** the keyset cursor after the batch's last row: where the next one starts */
  cursor: string;
}

/**
 * Every observation of the filter the viewer may see, in batches of `size` in the list order, from `after` on:
 * exactly the rows the `observations` query pages through (matchingObservations is its filter and scope). One
 * query, read through a cursor of its own transaction (a fork of the entity manager, so that the job's
 * checkpoints commit apart from it), so that memory stays one batch whatever the number of rows. Keyset batches
 * of that condition re-read the study's rows for each batch: 2,100 rows/s at 100k, a pass through the cursor
 * reads each row once.
 */
export async function* observationBatches(
  ctx: ServiceContext,
  filter: ObservationFilter,
  after: string | null,
  size: number,
): AsyncGenerator<ObservationBatch> {
  const matching = await matchingObservations(ctx, filter);
  if (!matching) return;
  const key = decodeObservationCursor(after);
  const range = key ? observationsAfter(key, 'o') : { sql: 'true', params: [] };
  const reader = ctx.em.fork();
  await reader.begin({ readOnly: true });
  try {
    await reader.execute(
      `declare export_observations no scroll cursor for
         select ${observationColumns('o')} from observations o where (${matching.sql}) and ${range.sql}
          order by ${observationOrder('o')}`,
      [...matching.params, ...range.params],
    );
    for (;;) {
      const rows = await reader.execute<Record<string, unknown>[]>(
        `fetch ${Math.trunc(size)} from export_observations`,
      );
      if (rows.length === 0) return;
      const batch = rows.map(toObservationRow);
      const last = batch[batch.length - 1]!;
      const cursor = encodeObservationCursor({
        subjectPatientId: last.subjectPatientId,
        codeableConceptId: last.codeableConceptId,
        effectiveTime: last.effectiveTime,
        id: last.id,
      });
      yield { rows: batch, cursor };
      if (rows.length < size) return;
    }
  } finally {
    await reader.rollback();
  }
}
