import type { EntityManager } from '@mikro-orm/postgresql';
import { fromDatabaseError } from '../db/database-errors.js';
import { ConflictError, DomainError, InvalidError } from '../errors.js';
import { uploadEntries, type UploadOutcome } from '../observability/metrics.js';
import type { ServiceContext } from './context.js';
import { type Checked, checkUpload, identifierKey as key, loadUploadFacts } from './observation-checks.js';
import type { ObservationDraft } from './observation-inputs.js';
import { observationColumns, type ObservationRow, observationsByIds, toObservationRow } from './observation-search.js';
import { intArray } from './int-array.js';
import { bulkStatement, inTransaction } from './persist.js';

/**
 * What became of one upload. A created observation is answered by id (its row is loaded only when the caller
 * asks for it, see `storedObservations`); an earlier one by the observation itself, as the viewer may read it.
 */
export type UploadResult =
  | { status: 'created'; id: number; lastUpdated: Date }
  | { status: 'existing'; observation: ObservationRow }
  | { status: 'error'; error: DomainError };

/** PostgreSQL's SQLSTATE for a unique constraint violation */
const UNIQUE_VIOLATION = '23505';
const list = (values: readonly unknown[]) => values.map(() => '?').join(', ');
const uploadedBefore = () => new ConflictError('An observation with this identifier was uploaded before');

/**
 * Stores uploaded observations in bulk: the facts for every check loaded in a few queries, then one
 * multi-row insert of observations and one of identifiers, in one transaction. An identifier stored before
 * answers with the existing observation instead of a duplicate (found as the insert of identifiers skips it,
 * so that fresh uploads, the usual case, pay no lookup for them). Batch mode answers per observation; `atomic`
 * writes all or nothing and throws the first error.
 */
export async function createObservations(
  ctx: ServiceContext,
  drafts: readonly (ObservationDraft | DomainError)[],
  opts: { atomic?: boolean } = {},
): Promise<UploadResult[]> {
  try {
    const results = await storeUploads(ctx, drafts, opts);
    countOutcomes(results);
    return results;
  } catch (error) {
    uploadEntries.inc({ outcome: error instanceof DomainError ? 'rejected' : 'failed' }, drafts.length);
    throw error;
  }
}

const OUTCOMES: Record<UploadResult['status'], UploadOutcome> = {
  created: 'created',
  existing: 'existing',
  error: 'rejected',
};

function countOutcomes(results: readonly UploadResult[]) {
  const counts = new Map<UploadOutcome, number>();
  for (const { status } of results) counts.set(OUTCOMES[status], (counts.get(OUTCOMES[status]) ?? 0) + 1);
  for (const [outcome, count] of counts) uploadEntries.inc({ outcome }, count);
}

async function storeUploads(
  ctx: ServiceContext,
  drafts: readonly (ObservationDraft | DomainError)[],
  opts: { atomic?: boolean },
): Promise<UploadResult[]> {
  const results: (UploadResult | undefined)[] = [];
  const toInsert = await checkAll(ctx, drafts, results);
  if (opts.atomic) throwFirstError(results);
  if (toInsert.length === 0) return results.map((r) => r!);
  const { created, earlier } = await insertSafely(ctx, toInsert, opts.atomic ?? false);
  for (const [index, stored] of created) results[index] = { status: 'created', ...stored };
  for (const [index, result] of earlier) results[index] = result;
  return results.map((r) => r!);
}

/** Runs the checks; errors land in `results`, the rest is to insert. */
async function checkAll(
  ctx: ServiceContext,
  drafts: readonly (ObservationDraft | DomainError)[],
  results: (UploadResult | undefined)[],
): Promise<Checked[]> {
  const valid = drafts.flatMap((d, index) => (d instanceof DomainError ? [] : [{ d, index }]));
  drafts.forEach((d, index) => {
    if (d instanceof DomainError) results[index] = { status: 'error', error: d };
  });
  const toInsert: Checked[] = [];
  if (valid.length === 0) return toInsert;
  const facts = await loadUploadFacts(
    ctx.em,
    valid.map((v) => v.d),
  );
  const seen = new Set<string>();
  for (const { d, index } of valid) {
    try {
      const checked = checkUpload(ctx, facts, d, index);
      for (const identifier of d.identifiers) {
        const k = key(identifier.system, identifier.value);
        if (seen.has(k)) throw new ConflictError(`Identifier ${k} appears twice in this upload`);
        seen.add(k);
      }
      toInsert.push(checked);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      results[index] = { status: 'error', error };
    }
  }
  return toInsert;
}

function throwFirstError(results: readonly (UploadResult | undefined)[]): void {
  const index = results.findIndex((r) => r?.status === 'error');
  const first = results[index];
  if (first?.status !== 'error') return;
  throw ofObservation(index, first.error);
}

/** An atomic upload's error, saying which observation it is about. */
function ofObservation(index: number, error: DomainError): DomainError {
  error.message = `observation ${index}: ${error.message}`;
  return error;
}

type Inserted = Awaited<ReturnType<typeof insertAll>>;

/**
 * Inserts all rows at once; should the database refuse a value the checks did not foresee (its error is an
 * InvalidError, see database-errors.ts), a batch inserts its rows again one by one, so that only the uploads
 * holding such a value fail, as that entry's answer, and the others are stored. An atomic upload fails as a whole.
 */
async function insertSafely(ctx: ServiceContext, rows: Checked[], atomic: boolean): Promise<Inserted> {
  const refused = (error: unknown) => {
    const typed = fromDatabaseError(error);
    if (!(typed instanceof InvalidError)) throw typed ?? error;
    return typed;
  };
  const created: Inserted['created'] = new Map();
  const earlier: Inserted['earlier'] = new Map();
  try {
    return await insertAll(ctx, rows, atomic);
  } catch (error) {
    const typed = refused(error);
    if (atomic) throw typed;
    if (rows.length === 1) return { created, earlier: earlier.set(rows[0]!.index, { status: 'error', error: typed }) };
  }
  for (const row of rows) {
    try {
      const one = await insertAll(ctx, [row], false);
      for (const [index, stored] of one.created) created.set(index, stored);
      for (const [index, result] of one.earlier) earlier.set(index, result);
    } catch (error) {
      earlier.set(row.index, { status: 'error', error: refused(error) });
    }
  }
  return { created, earlier };
}

/**
 * Inserts in two statements whatever the batch size: ids drawn from the sequence, then the observations with
 * their identifiers, from one JSON recordset. An observation whose identifier was taken already (uploaded
 * before, or by a concurrent upload that won the race) is removed again and answered with the observation
 * holding it: if that is the same patient's and code's and the viewer may read it (`atomic`: otherwise nothing
 * is stored).
 */
async function insertAll(ctx: ServiceContext, rows: Checked[], atomic: boolean) {
  return inTransaction(ctx.em, async (tx) => {
    // tx.execute runs in the transaction; tx.getConnection().execute would not
    const sql = <T>(query: string, params: unknown[]) => tx.execute<T[]>(query, params);
    const ids = await sql<{ id: string }>(`select nextval('observations_id_seq') as id from generate_series(1, ?)`, [
      rows.length,
    ]);
    const idOf = new Map(rows.map((r, i) => [r.index, Number(ids[i]!.id)]));
    const { inserted, holders } = await storeObservations(tx, recordset(rows, idOf));
    const lastUpdated = new Map(inserted.map((row) => [Number(row.id), new Date(row.last_updated)]));
    const created = new Map([...idOf].map(([index, id]) => [index, { id, lastUpdated: lastUpdated.get(id)! }]));
    const earlier = new Map<number, UploadResult>();
    if (holders.size === 0) return { created, earlier };
    const losers = rows.filter((r) => holders.has(idOf.get(r.index)!));
    await sql(
      `delete from observations where id in (${list(losers)})`,
      losers.map((r) => idOf.get(r.index)),
    );
    const holderOf = (r: Checked) => holders.get(idOf.get(r.index)!)!;
    const readable = await observationsByIds({ em: tx, viewer: ctx.viewer }, [
      ...new Set(losers.map((r) => holderOf(r).observationId)),
    ]);
    for (const r of losers) {
      const result = earlierUpload(r, holderOf(r), readable);
      if (result.status === 'error' && atomic) throw ofObservation(r.index, result.error);
      earlier.set(r.index, result);
      created.delete(r.index);
    }
    return { created, earlier };
  });
}

/** The observation holding an identifier, and what it is of. */
interface Holder {
  system: string;
  value: string;
  observationId: number;
  patientId: number;
  codeId: number;
}

/** The answer to an upload whose identifier `holder` has: that observation, if it is the same kind of data. */
function earlierUpload(row: Checked, holder: Holder, readable: Map<number, ObservationRow>): UploadResult {
  if (holder.patientId !== row.draft.patientId || holder.codeId !== row.codeId) {
    const error = new ConflictError(`Identifier ${key(holder.system, holder.value)} belongs to another observation`);
    return { status: 'error', error };
  }
  // an earlier upload is shown only to those who may read it: its content may differ from this one's
  const observation = readable.get(holder.observationId);
  return observation ? { status: 'existing', observation } : { status: 'error', error: uploadedBefore() };
}

/**
 * The observations to insert as one JSON array. Each data point (or other resource) goes in as the text it was uploaded as (valid
 * JSON: it was parsed to be checked); writing the parsed objects out again took a third of an upload's time in
 * Node.
 */
function recordset(rows: Checked[], idOf: Map<number, number>): string {
  const records = rows.map((r) => {
    const columns = JSON.stringify({
      id: idOf.get(r.index),
      patient_id: r.draft.patientId,
      code_id: r.codeId,
      source_id: r.draft.dataSourceId,
      status: r.draft.status,
      effective_time: r.effectiveTime.toISOString(),
      identifiers: r.draft.identifiers.map(({ system, value }) => ({ system, value })),
    });
    const body = r.draft.kind === 'omh' ? `"omh":${r.draft.omhJson}` : `"resource":${r.draft.resourceJson}`;
    return `${columns.slice(0, -1)},${body}}`;
  });
  return `[${records.join(',')}]`;
}

const INSERT_OBSERVATIONS = `insert into observations (id, subject_patient_id, codeable_concept_id, data_source_id, status, omh, resource, effective_time, identifiers)
  select r.id, r.patient_id, r.code_id, r.source_id, r.status, r.omh, r.resource, r.effective_time, r.identifiers
    from jsonb_to_recordset(?::jsonb)
      as r(id bigint, patient_id int, code_id int, source_id int, status text, omh jsonb, resource jsonb, effective_time timestamptz, identifiers json)`;

/**
 * The identifiers of `observations` (the rows just inserted, with `id` and their copy of `identifiers`) into the
 * table that keeps them unique.
 */
export const INSERT_IDENTIFIERS = (
  observations: string,
) => `insert into observation_identifiers (observation_id, system, value)
  select o.id, i.system, i.value from ${observations}, json_to_recordset(o.identifiers) as i(system text, value text)`;

interface Stored {
  inserted: { id: string; last_updated: Date }[];
  /** for each new observation one of whose identifiers was taken, the observation holding the first of them */
  holders: Map<number, Holder>;
}

/**
 * Inserts the observations of a recordset, and their identifiers unless taken. A fresh upload's identifiers
 * are all new: they go in with the observations, in one statement and without `on conflict` (which costs
 * PostgreSQL a third more). A taken one fails that statement, undone to its savepoint, and they go in again
 * one table at a time, skipping the taken identifiers.
 */
async function storeObservations(tx: EntityManager, observations: string): Promise<Stored> {
  try {
    const inserted = await tx.transactional((savepoint) =>
      bulkStatement<Stored['inserted'][number]>(
        savepoint,
        `with o as (${INSERT_OBSERVATIONS} returning id, last_updated, identifiers),
              i as (${INSERT_IDENTIFIERS('o')})
         select id, last_updated from o`,
        [observations],
      ),
    );
    return { inserted, holders: new Map() };
  } catch (error) {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
  }
  const inserted = await bulkStatement<Stored['inserted'][number]>(
    tx,
    `${INSERT_OBSERVATIONS} returning id, last_updated`,
    [observations],
  );
  return {
    inserted,
    holders: await takenIdentifiers(
      tx,
      inserted.map((row) => row.id),
    ),
  };
}

/**
 * Stores the identifiers of the observations just inserted (`ids`) unless taken; answers, for each of them one
 * of whose identifiers was taken, the observation holding the first of them.
 */
async function takenIdentifiers(tx: EntityManager, ids: string[]): Promise<Map<number, Holder>> {
  const sql = <T>(query: string, params: unknown[]) => tx.execute<T[]>(query, params);
  const tried = await bulkStatement<{ observation_id: string; system: string; value: string; stored: boolean }>(
    tx,
    `with tried as (
       select o.id as observation_id, i.identifier->>'system' as system, i.identifier->>'value' as value, i.n
         from observations o, json_array_elements(o.identifiers) with ordinality as i(identifier, n)
        where o.id = any(?::bigint[])
     ), stored as (
       insert into observation_identifiers (observation_id, system, value)
       select observation_id, system, value from tried
       on conflict (system, value) do nothing returning system, value
     )
     select t.observation_id, t.system, t.value, s.system is not null as stored
       from tried t left join stored s on s.system = t.system and s.value = t.value
      order by t.observation_id, t.n`,
    [intArray(ids.map(Number))],
  );
  const lost = tried.filter((i) => !i.stored);
  if (lost.length === 0) return new Map();
  const rows = await sql<{
    system: string;
    value: string;
    observation_id: string;
    subject_patient_id: number;
    codeable_concept_id: number;
  }>(
    `select i.system, i.value, i.observation_id, o.subject_patient_id, o.codeable_concept_id
       from observation_identifiers i join observations o on o.id = i.observation_id
      where (i.system, i.value) in (${lost.map(() => '(?, ?)').join(', ')})`,
    lost.flatMap((i) => [i.system, i.value]),
  );
  const holderOf = new Map(
    rows.map((h) => [
      key(h.system, h.value),
      {
        system: h.system,
        value: h.value,
        observationId: Number(h.observation_id),
        patientId: h.subject_patient_id,
        codeId: h.codeable_concept_id,
      },
    ]),
  );
  const holders = new Map<number, Holder>();
  for (const i of lost) {
    const id = Number(i.observation_id);
    if (!holders.has(id)) holders.set(id, holderOf.get(key(i.system, i.value))!);
  }
  return holders;
}

/**
 * Observations by id without the read policy: only for answering an uploader with what they just stored
 * (they may write them, not always read them). Never reachable with ids a caller chooses.
 */
export async function storedObservations(
  em: EntityManager,
  ids: readonly number[],
): Promise<Map<number, ObservationRow>> {
  if (ids.length === 0) return new Map();
  const rows = await em
    .getConnection()
    .execute<Record<string, unknown>[]>(
      `select ${observationColumns('o')} from observations o where o.id in (${list(ids)})`,
      [...ids],
    );
  return new Map(rows.map((row) => [Number(row.id), toObservationRow(row)]));
}
