import type { ObservationStatus } from '../db/entities/index.js';
import { InvalidError, NotFoundError } from '../errors.js';
import { tokenObservationCodeIds } from '../policy/token.js';
import {
  CONSENTED_PAIRS,
  observationCodeScope,
  observationPairs,
  observationScope,
  or,
  seesWholeStudy,
  type SqlCondition,
  studyPairScope,
  wholeStudyPairScope,
} from '../policy/scope.js';
import type { ServiceContext } from './context.js';
import { visibleOrganization, visiblePatient, visibleStudy } from './facts.js';
import { groupBy } from './group.js';
import { intArray } from './int-array.js';
import { countsByParent, firstPagesByParent } from './pages-by-parent.js';
import {
  decodeObservationCursor,
  encodeObservationCursor,
  type ObservationDirection,
  observationCursor,
  observationOrder,
  observationsAfter,
} from './observation-order.js';
import { type Page, type PageArgs, pageSize, toPage } from './paging.js';

/**
 * An observation as read paths hand it on: plain columns, no entity. Pages of 1000 are read often, and
 * hydrating them into tracked entities cost more than the query.
 */
export interface ObservationRow {
  id: number;
  status: ObservationStatus;
  /** ISO 8601 at UTC, with milliseconds (as `toISOString` writes it): read paths print it, not compute with it */
  effectiveTime: string;
  lastUpdated: string;
  /** the Open mHealth data point as the database writes it out: most readers pass it on without looking in */
  omhJson: string | null;
  /** an Observation other than Open mHealth (null for an Open mHealth one), as the database writes it out */
  resourceJson: string | null;
  /** its identifiers, `[{ "system": …, "value": … }]`, as the database writes them out */
  identifiersJson: string;
  subjectPatientId: number;
  codeableConceptId: number;
  dataSourceId: number;
}

/** The select list of an ObservationRow from `observations <alias>`. */
export const observationColumns = (alias: string) =>
  ['id', 'status', 'effective_time', 'last_updated', 'subject_patient_id', 'codeable_concept_id', 'data_source_id']
    .map((column) => `${alias}.${column}`)
    .concat(
      `${alias}.omh::text as omh_json`,
      `${alias}.resource::text as resource_json`,
      `${alias}.identifiers::text as identifiers_json`,
    )
    .join(', ');

/** PostgreSQL's text of a timestamptz at UTC: `2026-01-03 00:05:00+00`, `… 00:05:00.123456+00`. */
const PG_UTC = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d{1,6})?\+00$/;

/** A timestamptz as PostgreSQL writes it, as ISO 8601 at UTC with milliseconds (truncated, as Date does). */
export function isoTimestamp(text: string): string {
  const utc = PG_UTC.exec(text);
  if (!utc) return new Date(text).toISOString(); // another session time zone: let Date read the offset
  return `${utc[1]}T${utc[2]}${(utc[3] ?? '.000').padEnd(4, '0').slice(0, 4)}Z`;
}

export function toObservationRow(row: Record<string, unknown>): ObservationRow {
  return {
    id: Number(row.id),
    status: row.status as ObservationStatus,
    // MikroORM's driver leaves timestamps as text, and bigint ids
    effectiveTime: isoTimestamp(row.effective_time as string),
    lastUpdated: isoTimestamp(row.last_updated as string),
    omhJson: row.omh_json as string | null,
    resourceJson: row.resource_json as string | null,
    identifiersJson: row.identifiers_json as string,
    subjectPatientId: Number(row.subject_patient_id),
    codeableConceptId: Number(row.codeable_concept_id),
    dataSourceId: Number(row.data_source_id),
  };
}

export interface ObservationFilter {
  /** observations of the study's patients, for the codes it requests and they consented to share with it */
  studyId?: number | null;
  patientId?: number | null;
  patientIdentifier?: { system: string; value: string } | null;
  /** observations of the organization's patients (JupyterHealth's organization_id) */
  organizationId?: number | null;
  /** these observations only */
  ids?: readonly number[] | null;
  /** observations from this data source (FHIR Device) */
  dataSourceId?: number | null;
  coding?: { system: string; code: string } | null;
  /** any of these statuses */
  statuses?: readonly ObservationStatus[] | null;
  /** a coding of the resource's category (Open mHealth observations have none) */
  category?: { system: string; code: string } | null;
  /** effective time at or after */
  from?: Date | null;
  /** effective time at or before */
  to?: Date | null;
  /** effective time strictly before */
  before?: Date | null;
  lastUpdatedFrom?: Date | null;
  lastUpdatedBefore?: Date | null;
}

/**
 * The SQL conditions of a filter over `observations o`, on top of the viewer's consent-gated scope. A study
 * or patient the viewer cannot see is NotFound, as everywhere.
 *
 * The scope, the study, the patient and the code are first resolved into the `(patient, code)` pairs the
 * search may return, and those go into the page query as constants on the leading columns of the list's index
 * (pairsCondition), which PostgreSQL reads as ranges of it, in order. Left as joins, its guesses of how many
 * rows match were off by orders of magnitude. The pairs come in chunks of patients from `fromPatient` on (a
 * cursor's patient: lists are ordered by patient first), read as a page needs them.
 */
async function conditions(ctx: ServiceContext, filter: ObservationFilter, fromPatient = 0): Promise<SearchConditions> {
  const all: SqlCondition[] = [];
  const add = (sql: string, ...params: unknown[]) => all.push({ sql, params });
  let pairChunks: PairChunks | null = null;
  // a NotFound from either check fails the search
  const [pairs] = await Promise.all([
    searchPairs(ctx, filter, fromPatient),
    filter.patientId ? visiblePatient(ctx, filter.patientId) : null,
    filter.organizationId ? visibleOrganization(ctx, filter.organizationId) : null,
  ]);
  if (pairs === 'none') return { pairChunks: null, others: [{ sql: 'false', params: [] }] };
  if ('chunks' in pairs) pairChunks = pairs.chunks;
  else {
    if (pairs.patientIds) add('o.subject_patient_id = any(?::int[])', intArray(pairs.patientIds));
    if (pairs.codeIds) add('o.codeable_concept_id = any(?::int[])', intArray(pairs.codeIds));
  }
  if (filter.ids) add('o.id = any(?::int[])', intArray(filter.ids));
  if (filter.dataSourceId) add('o.data_source_id = ?', filter.dataSourceId);
  // status and category narrow the rows of the index ranges a page reads (filters, not index conditions): the
  // page's plan and order stay those of the keyset index
  if (filter.statuses) add('o.status = any(?::text[])', `{${filter.statuses.join(',')}}`);
  if (filter.category) add('o.resource @> ?::jsonb', categoryContainment(filter.category));
  if (filter.from) add('o.effective_time >= ?', filter.from);
  if (filter.to) add('o.effective_time <= ?', filter.to);
  if (filter.before) add('o.effective_time < ?', filter.before);
  if (filter.lastUpdatedFrom) add('o.last_updated >= ?', filter.lastUpdatedFrom);
  if (filter.lastUpdatedBefore) add('o.last_updated < ?', filter.lastUpdatedBefore);
  return { pairChunks, others: all };
}

/** A resource with this coding in one of its categories, as jsonb containment. */
const categoryContainment = ({ system, code }: { system: string; code: string }) =>
  JSON.stringify({ category: [{ coding: [{ system, code }] }] });

/** Visible pairs, patient ids per code, in chunks of patients in patient order. */
type PairChunks = AsyncIterable<Map<number, number[]>> | Iterable<Map<number, number[]>>;

interface SearchConditions {
  /** the visible pairs the search is narrowed to, from the patient it starts at on; null when it is not */
  pairChunks: PairChunks | null;
  /** every other condition */
  others: SqlCondition[];
}

/** All the chunks' pairs in one map. */
async function allPairs(chunks: PairChunks): Promise<Map<number, number[]>> {
  const byCode = new Map<number, number[]>();
  for await (const chunk of chunks) {
    for (const [codeId, patientIds] of chunk) byCode.set(codeId, [...(byCode.get(codeId) ?? []), ...patientIds]);
  }
  return byCode;
}

/** Every patient of the pairs, once. */
const pairPatients = (byCode: Map<number, number[]>) => [...new Set([...byCode.values()].flat())];

/** Patients in the first chunk of a search's pairs; the next chunk takes four times as many, and so on. */
const FIRST_PATIENT_CHUNK = 100;
const NEXT_CHUNK_FACTOR = 4;

/**
 * The pairs in chunks of patients, in patient order, from `fromPatient` on. Lists are ordered by patient first,
 * so a page needs only the patients that hold its rows, usually one or two: a study's 5000 patient ids in one
 * query cost PostgreSQL 4 ms to plan, and Node to write out. The chunks grow, so that a sparse page (a few rows
 * per patient) takes a few queries, not one per hundred patients.
 */
function* patientChunks(byCode: Map<number, number[]>, fromPatient: number) {
  const patients = pairPatients(byCode)
    .filter((id) => id >= fromPatient)
    .sort((a, b) => a - b);
  for (let start = 0, size = FIRST_PATIENT_CHUNK; start < patients.length; start += size, size *= NEXT_CHUNK_FACTOR) {
    const chunk = new Set(patients.slice(start, start + size));
    const narrowed = new Map<number, number[]>();
    for (const [codeId, patientIds] of byCode) {
      const inChunk = patientIds.filter((id) => chunk.has(id));
      if (inChunk.length > 0) narrowed.set(codeId, inChunk);
    }
    yield narrowed;
  }
}

/**
 * The pairs as conditions on the leading columns of the list's index, so that a page is read as ranges of it in
 * order. Several codes: the product of all their patients and codes, narrowed to the exact pairs unless every
 * code has the same patients. An OR of one condition per code alone made PostgreSQL walk the whole index.
 */
function pairsCondition(byCode: Map<number, number[]>): SqlCondition {
  const pairCondition = ([codeId, patientIds]: [number, number[]]) => ({
    sql: 'o.codeable_concept_id = ? and o.subject_patient_id = any(?::int[])',
    params: [codeId, intArray(patientIds)],
  });
  if (byCode.size === 1) return pairCondition([...byCode][0]!);
  const patientIds = pairPatients(byCode);
  const product = {
    sql: 'o.codeable_concept_id = any(?::int[]) and o.subject_patient_id = any(?::int[])',
    params: [intArray([...byCode.keys()]), intArray(patientIds)],
  };
  if ([...byCode.values()].every((ids) => ids.length === patientIds.length)) return product;
  const exact = or(...[...byCode].map(pairCondition));
  return { sql: `${product.sql} and ${exact.sql}`, params: [...product.params, ...exact.params] };
}

type SearchPairs =
  | 'none'
  /** the visible pairs matching the filter, from the patient the search starts at on */
  | { chunks: PairChunks }
  /** a super user without a study filter: only the filter's own patients and codes narrow */
  | { patientIds?: number[]; codeIds?: number[] };

async function searchPairs(ctx: ServiceContext, filter: ObservationFilter, fromPatient: number): Promise<SearchPairs> {
  const visible = observationPairs(ctx.viewer);
  if (visible === null && !filter.studyId) return filterIds(ctx, filter);
  const tokenCodes = observationCodeScope(ctx.viewer, 'p.codeable_concept_id');
  const codes = tokenCodes.sql === 'true' ? [] : [tokenCodes];
  if (filter.coding) codes.push(isQuery('p.codeable_concept_id', conceptIds(filter.coding)));
  if (filter.studyId) {
    return { chunks: await visibleStudyPairChunks(ctx, filter.studyId, filter, codes, fromPatient) };
  }
  const rows = await readPairs(ctx, { ...visible!, sql: `select distinct p.* from (${visible!.sql}) p` }, [
    ...codes,
    ...patientConditions(filter, 'p.patient_id'),
  ]);
  if (rows.length === 0) return 'none';
  return { chunks: patientChunks(pairsByCode(rows), fromPatient) };
}

/** The filter's own narrowing of patients (a patient, a patient identifier), as conditions on `column`. */
function patientConditions(filter: ObservationFilter, column: string): SqlCondition[] {
  const conditions: SqlCondition[] = [];
  if (filter.patientId) conditions.push({ sql: `${column} = ?`, params: [filter.patientId] });
  if (filter.patientIdentifier) conditions.push(inQuery(column, identifiedPatientIds(filter.patientIdentifier)));
  if (filter.organizationId) conditions.push(inQuery(column, organizationPatientIds(filter.organizationId)));
  return conditions;
}

const pairsByCode = (rows: { patient_id: number; codeable_concept_id: number }[]) =>
  new Map(
    [...groupBy(rows, (r) => r.codeable_concept_id)].map(([code, group]) => [code, group.map((r) => r.patient_id)]),
  );

/**
 * The consented pairs of a visible study that the viewer may see (NotFound for a study they may not see), read
 * in chunks of its patients from `fromPatient` on, as a page needs them: a study of 5000 patients took 8-11 ms
 * to read whole before every page. The first chunk is read as if the viewer saw the whole study while the study
 * is checked, one round trip rather than two in sequence; a viewer who sees only part of it (a patient enrolled
 * in it) has it read again.
 */
async function visibleStudyPairChunks(
  ctx: ServiceContext,
  studyId: number,
  filter: ObservationFilter,
  codes: SqlCondition[],
  fromPatient: number,
): Promise<PairChunks> {
  const read = (scope: SqlCondition, from: number, patients: number) =>
    readStudyChunk(ctx, studyId, patientConditions(filter, 'sp.patient_id'), [scope, ...codes], from, patients);
  const [study, whole] = await Promise.all([
    visibleStudy(ctx, studyId),
    read(wholeStudyPairScope(ctx.viewer, studyId), fromPatient, FIRST_PATIENT_CHUNK),
  ]);
  const scope = studyPairScope(ctx.viewer, 'p', study.organization.id);
  const first = seesWholeStudy(ctx.viewer, study.organization.id)
    ? whole
    : await read(scope, fromPatient, FIRST_PATIENT_CHUNK);
  return studyChunks(first, (from, patients) => read(scope, from, patients));
}

/** A chunk of a study's pairs, and the last patient it covered (null: the study has no patient after it). */
interface StudyChunk {
  byCode: Map<number, number[]>;
  lastPatient: number | null;
}

async function* studyChunks(first: StudyChunk, next: (from: number, patients: number) => Promise<StudyChunk>) {
  let chunk = first;
  for (let patients = FIRST_PATIENT_CHUNK * NEXT_CHUNK_FACTOR; ; patients *= NEXT_CHUNK_FACTOR) {
    if (chunk.byCode.size > 0) yield chunk.byCode;
    if (chunk.lastPatient === null) return;
    chunk = await next(chunk.lastPatient + 1, patients);
  }
}

/**
 * The pairs (narrowed by `conditions` on `p`) of the study's next `patients` patients (narrowed by
 * `patientNarrowing` on `sp`) from `from` on. Each of those patients is a row, with or without pairs, so
 * that the chunk tells where it ended.
 */
async function readStudyChunk(
  ctx: ServiceContext,
  studyId: number,
  patientNarrowing: SqlCondition[],
  conditions: SqlCondition[],
  from: number,
  patients: number,
): Promise<StudyChunk> {
  const chunk = where([
    { sql: 'sp.study_id = ? and sp.patient_id >= ?', params: [studyId, from] },
    ...patientNarrowing,
  ]);
  const pairs = where([{ sql: 'p.study_id = ? and p.patient_id = c.patient_id', params: [studyId] }, ...conditions]);
  // each patient's pairs looked up by the unique indexes; `offset 0` keeps PostgreSQL from flattening the lateral
  // subquery into a hash join of the whole study's consents (5000 patients: 4-5 ms instead of 0.4-0.7)
  const rows = await ctx.em
    .getConnection()
    .execute<{ chunk_patient: number; patient_id: number | null; codeable_concept_id: number | null }[]>(
      `select c.patient_id as chunk_patient, q.patient_id, q.codeable_concept_id
         from (select sp.patient_id from study_patients sp where ${chunk.sql} order by sp.patient_id limit ?) c
         left join lateral (${STUDY_PAIRS.sql} where ${pairs.sql} offset 0) q on true`,
      [...chunk.params, patients, ...pairs.params],
    );
  const covered = rows.map((row) => row.chunk_patient);
  const found = rows.filter(
    (row): row is typeof row & { patient_id: number; codeable_concept_id: number } => row.patient_id !== null,
  );
  return {
    byCode: pairsByCode(found),
    lastPatient: new Set(covered).size < patients ? null : Math.max(...covered),
  };
}

/** `select` (of patient_id, codeable_concept_id from `p`) narrowed by the conditions. */
function readPairs(ctx: ServiceContext, select: SqlCondition, conditions: SqlCondition[]) {
  const narrowed = where(conditions);
  return ctx.em
    .getConnection()
    .execute<{ patient_id: number; codeable_concept_id: number }[]>(`${select.sql} where ${narrowed.sql}`, [
      ...select.params,
      ...narrowed.params,
    ]);
}

/** The concept with this coding (one at most: codings are unique), as a query of `id`s. */
const conceptIds = (coding: { system: string; code: string }): SqlCondition => ({
  sql: 'select id from codeable_concepts where coding_system = ? and coding_code = ?',
  params: [coding.system, coding.code],
});

/** The patients who carry this identifier, as a query of `id`s. */
const identifiedPatientIds = (identifier: { system: string; value: string }): SqlCondition => ({
  sql: 'select patient_id as id from patient_identifiers where system = ? and value = ?',
  params: [identifier.system, identifier.value],
});

/** The patients of an organization, as a query of `id`s. */
const organizationPatientIds = (organizationId: number): SqlCondition => ({
  sql: 'select patient_id as id from patient_organizations where organization_id = ?',
  params: [organizationId],
});

const inQuery = (column: string, query: SqlCondition): SqlCondition => ({
  sql: `${column} in (${query.sql})`,
  params: query.params,
});

/** `column` equals what a query of one row at most answers: evaluated once, nothing for the planner to join. */
const isQuery = (column: string, query: SqlCondition): SqlCondition => ({
  sql: `${column} = (${query.sql})`,
  params: query.params,
});

/**
 * A super user's search without a study: only the filter's own patient, organization and code narrow it, as ids,
 * and the token's code scopes.
 */
async function filterIds(ctx: ServiceContext, filter: ObservationFilter): Promise<SearchPairs> {
  const ids = async (query: SqlCondition) =>
    (await ctx.em.getConnection().execute<{ id: number }[]>(query.sql, query.params)).map((row) => row.id);
  const tokenCodes = tokenObservationCodeIds(ctx.viewer, 's');
  const [filterCodes, identified, members] = await Promise.all([
    filter.coding ? ids(conceptIds(filter.coding)) : undefined,
    filter.patientIdentifier ? ids(identifiedPatientIds(filter.patientIdentifier)) : undefined,
    filter.organizationId ? ids(organizationPatientIds(filter.organizationId)) : undefined,
  ]);
  const codeIds =
    tokenCodes === null ? filterCodes : (filterCodes ?? [...tokenCodes]).filter((id) => tokenCodes.has(id));
  let patientIds = filter.patientId ? [filter.patientId] : undefined;
  for (const narrowing of [identified, members]) {
    if (!narrowing) continue;
    const among = new Set(narrowing);
    patientIds = (patientIds ?? [...among]).filter((id) => among.has(id));
  }
  if (codeIds?.length === 0 || patientIds?.length === 0) return 'none';
  return { patientIds, codeIds };
}

/**
 * Every study's consented pairs: its patients, for the codes it requests and they consented to share with it.
 * One study's pairs are unique already (its patients, their consents and its requests each are): no `distinct`,
 * which was half the query's time for a study of 5000 patients (7.4 against 3.3 ms).
 */
const STUDY_PAIRS: SqlCondition = {
  sql: `select p.patient_id, p.codeable_concept_id from (${CONSENTED_PAIRS}) p`,
  params: [],
};

const where = (all: SqlCondition[]) => ({
  sql: all.length ? all.map((c) => `(${c.sql})`).join(' and ') : 'true',
  params: all.flatMap((c) => c.params),
});

/**
 * One page of the observations the viewer may see, in `observationOrder` (keyset, never OFFSET). Descending
 * only within one patient and one code: the pairs are read in ascending patient chunks, and one (patient, code)
 * range read backwards is the only descending order that needs no other index.
 */
export async function listObservations(
  ctx: ServiceContext,
  filter: ObservationFilter,
  page: PageArgs = {},
  direction: ObservationDirection = 'asc',
): Promise<Page<ObservationRow>> {
  if (direction === 'desc' && !(filter.patientId && filter.coding)) {
    throw new InvalidError('order: TIME_DESC needs filter.patientId and filter.code (one patient, one code)', 'order');
  }
  const size = pageSize(page.first);
  const after = decodeObservationCursor(page.after, direction);
  const search = await conditions(ctx, filter, direction === 'asc' ? (after?.subjectPatientId ?? 0) : 0);
  if (after) search.others.push(observationsAfter(after, 'o', direction));
  const read = async (all: SqlCondition[], limit: number) => {
    const { sql, params } = where(all);
    return ctx.em
      .getConnection()
      .execute<Record<string, unknown>[]>(
        `select ${observationColumns('o')} from observations o where ${sql} order by ${observationOrder('o', direction)} limit ?`,
        [...params, limit],
      );
  };
  const rows: Record<string, unknown>[] = [];
  for await (const chunk of search.pairChunks ?? [null]) {
    const all = chunk ? [pairsCondition(chunk), ...search.others] : search.others;
    rows.push(...(await read(all, size + 1 - rows.length)));
    if (rows.length > size) break;
  }
  return toPage(rows.map(toObservationRow), size, observationCursor(direction));
}

/**
 * Every observation of the filter the viewer may see, as one condition on `observations o` (null: none): what
 * the count, the summaries and the date range read, so that they cover exactly the rows the pages list.
 */
export async function matchingObservations(
  ctx: ServiceContext,
  filter: ObservationFilter,
): Promise<SqlCondition | null> {
  const search = await conditions(ctx, filter);
  const byCode = search.pairChunks ? await allPairs(search.pairChunks) : null;
  if (byCode?.size === 0) return null;
  return where(byCode ? [pairsCondition(byCode), ...search.others] : search.others);
}

export async function countObservations(ctx: ServiceContext, filter: ObservationFilter): Promise<number> {
  const matching = await matchingObservations(ctx, filter);
  if (!matching) return 0;
  const { sql, params } = matching;
  const [row] = await ctx.em
    .getConnection()
    .execute<{ n: string }[]>(`select count(*) as n from observations o where ${sql}`, params);
  return Number(row?.n ?? 0);
}

/** One observation the viewer may see; NotFound otherwise, whether or not it exists. */
export async function getObservation(ctx: ServiceContext, observationId: number): Promise<ObservationRow> {
  const found = await observationsByIds(ctx, [observationId]);
  const observation = found.get(observationId);
  if (!observation) throw new NotFoundError('Observation', observationId);
  return observation;
}

/** Batch read: the visible observations among `ids`. */
export async function observationsByIds(
  ctx: ServiceContext,
  ids: readonly number[],
): Promise<Map<number, ObservationRow>> {
  if (ids.length === 0) return new Map();
  const scope = observationScope(ctx.viewer, 'o', 'r');
  const rows = await ctx.em
    .getConnection()
    .execute<Record<string, unknown>[]>(
      `select ${observationColumns('o')} from observations o where o.id in (${ids.map(() => '?').join(', ')}) and ${scope.sql}`,
      [...ids, ...scope.params],
    );
  return new Map(rows.map((row) => [Number(row.id), toObservationRow(row)]));
}

const OBSERVATIONS_OF_PATIENT = { from: 'observations c', parent: 'c.subject_patient_id' };

/** Loaders: the first page of each patient's visible observations, and how many there are. */
export const observationPagesByPatient = (ctx: ServiceContext, patientIds: readonly number[], first: number) =>
  firstPagesByParent(ctx.em, {
    toNode: toObservationRow,
    columns: observationColumns('c'),
    orderBy: observationOrder('c'),
    cursorOf: encodeObservationCursor,
    ...OBSERVATIONS_OF_PATIENT,
    parentIds: patientIds,
    first,
    scope: observationScope(ctx.viewer, 'c'),
  });

export const observationCountsByPatient = (ctx: ServiceContext, patientIds: readonly number[]) =>
  countsByParent(ctx.em, {
    ...OBSERVATIONS_OF_PATIENT,
    parentIds: patientIds,
    scope: observationScope(ctx.viewer, 'c'),
  });
