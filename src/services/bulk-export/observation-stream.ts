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
 * exactly the rows the `observations` query pages through (matchingObservations is its filter and scope), read
 * by keyset ranges of the list's index, so that memory stays one batch whatever the number of rows.
 */
export async function* observationBatches(
  ctx: ServiceContext,
  filter: ObservationFilter,
  after: string | null,
  size: number,
): AsyncGenerator<ObservationBatch> {
  const matching = await matchingObservations(ctx, filter);
  if (!matching) return;
  let key = decodeObservationCursor(after);
  for (;;) {
    const range = key ? observationsAfter(key, 'o') : { sql: 'true', params: [] };
    const rows = await ctx.em
      .getConnection()
      .execute<Record<string, unknown>[]>(
        `select ${observationColumns('o')} from observations o where (${matching.sql}) and ${range.sql} order by ${observationOrder('o')} limit ?`,
        [...matching.params, ...range.params, size],
      );
    if (rows.length === 0) return;
    const batch = rows.map(toObservationRow);
    const last = batch[batch.length - 1]!;
    key = {
      subjectPatientId: last.subjectPatientId,
      codeableConceptId: last.codeableConceptId,
      effectiveTime: last.effectiveTime,
      id: last.id,
    };
    yield { rows: batch, cursor: encodeObservationCursor(key) };
    if (rows.length < size) return;
  }
}
