import type { EntityManager } from '@mikro-orm/postgresql';
import { Observation } from '../db/entities/index.js';
import { ConflictError, type DomainError, ForbiddenError, InvalidError, NotFoundError } from '../errors.js';
import { canUploadObservation, canViewPatient, type PatientFacts } from '../policy/rules.js';
import type { ServiceContext } from './context.js';
import { effectiveTimeOf } from './effective-time.js';
import { observationsByIds } from './observation-search.js';
import type { ObservationDraft } from './observation-inputs.js';

export type UploadResult =
  { status: 'created' | 'existing'; observation: Observation } | { status: 'error'; error: DomainError };

interface Checked {
  index: number;
  draft: ObservationDraft;
  codeId: number;
  effectiveTime: Date;
}

const key = (system: string, value: string) => `${system}|${value}`;
const list = (values: readonly unknown[]) => values.map(() => '?').join(', ');

/** What the checks need, loaded for the whole batch: one query per kind, not per observation. */
async function loadFacts(em: EntityManager, drafts: readonly ObservationDraft[]) {
  const sql = <T>(query: string, params: unknown[]) => em.getConnection().execute<T[]>(query, params);
  const patientIds = [...new Set(drafts.map((d) => d.patientId))];
  const sourceIds = [...new Set(drafts.map((d) => d.dataSourceId))];
  const codings = [...new Map(drafts.map((d) => [key(d.coding.system, d.coding.code), d.coding])).values()];
  const identifiers = drafts.flatMap((d) => d.identifiers);
  const [patients, consents, concepts, supported, sources, existing] = await Promise.all([
    sql<{ id: number; org_ids: number[] | null }>(
      `select p.id, array_remove(array_agg(po.organization_id), null) as org_ids from patients p
         left join patient_organizations po on po.patient_id = p.id where p.id in (${list(patientIds)}) group by p.id`,
      patientIds,
    ),
    // codes each patient shares with at least one study that requests them
    sql<{ patient_id: number; code_id: number }>(
      `select distinct sp.patient_id, c.codeable_concept_id as code_id from study_patient_scope_consents c
         join study_patients sp on sp.id = c.study_patient_id
         join study_scope_requests sr on sr.study_id = sp.study_id and sr.codeable_concept_id = c.codeable_concept_id
        where c.consented and sp.patient_id in (${list(patientIds)})`,
      patientIds,
    ),
    sql<{ id: number; coding_system: string; coding_code: string }>(
      `select id, coding_system, coding_code from codeable_concepts
        where (coding_system, coding_code) in (${codings.map(() => '(?, ?)').join(', ')})`,
      codings.flatMap((c) => [c.system, c.code]),
    ),
    sql<{ data_source_id: number; codeable_concept_id: number }>(
      `select data_source_id, codeable_concept_id from data_source_supported_scopes where data_source_id in (${list(sourceIds)})`,
      sourceIds,
    ),
    sql<{ id: number }>(`select id from data_sources where id in (${list(sourceIds)})`, sourceIds),
    identifiers.length
      ? sql<{
          system: string;
          value: string;
          observation_id: string;
          subject_patient_id: number;
          codeable_concept_id: number;
        }>(
          `select i.system, i.value, i.observation_id, o.subject_patient_id, o.codeable_concept_id
             from observation_identifiers i join observations o on o.id = i.observation_id
            where (i.system, i.value) in (${identifiers.map(() => '(?, ?)').join(', ')})`,
          identifiers.flatMap((i) => [i.system, i.value]),
        )
      : Promise.resolve([]),
  ]);
  return {
    patients: new Map<number, PatientFacts>(
      patients.map((p) => [p.id, { id: p.id, organizationIds: p.org_ids ?? [] }]),
    ),
    consented: consents.reduce(
      (map, row) => map.set(row.patient_id, (map.get(row.patient_id) ?? new Set()).add(row.code_id)),
      new Map<number, Set<number>>(),
    ),
    codeIds: new Map(concepts.map((c) => [key(c.coding_system, c.coding_code), c.id])),
    supports: new Set(supported.map((s) => `${s.data_source_id}:${s.codeable_concept_id}`)),
    sources: new Set(sources.map((s) => s.id)),
    existing: new Map(existing.map((e) => [key(e.system, e.value), e])),
  };
}

type Facts = Awaited<ReturnType<typeof loadFacts>>;

/** The checks of one observation, in order; the first failure is its answer. */
function check(
  ctx: ServiceContext,
  facts: Facts,
  draft: ObservationDraft,
  index: number,
): Checked | { existingId: number } {
  const patient = facts.patients.get(draft.patientId);
  if (!patient || !canViewPatient(ctx.viewer, patient)) throw new NotFoundError('Patient', draft.patientId);
  const codeId = facts.codeIds.get(key(draft.coding.system, draft.coding.code));
  if (codeId === undefined) {
    throw new InvalidError(`/code: unknown coding ${draft.coding.system}|${draft.coding.code}`, '/code/coding');
  }
  if (!canUploadObservation(ctx.viewer, patient, codeId, facts.consented.get(patient.id) ?? new Set())) {
    throw new ForbiddenError(
      `Patient ${patient.id} has not consented to share ${draft.coding.code} with any study, or you may not upload for them`,
    );
  }
  if (!facts.sources.has(draft.dataSourceId))
    throw new InvalidError(`/device: Device/${draft.dataSourceId} does not exist`, '/device/reference');
  if (!facts.supports.has(`${draft.dataSourceId}:${codeId}`)) {
    throw new InvalidError(
      `/device: Device/${draft.dataSourceId} does not support ${draft.coding.code}`,
      '/device/reference',
    );
  }
  for (const identifier of draft.identifiers) {
    const found = facts.existing.get(key(identifier.system, identifier.value));
    if (!found) continue;
    if (found.subject_patient_id !== patient.id || found.codeable_concept_id !== codeId) {
      throw new ConflictError(`Identifier ${identifier.system}|${identifier.value} belongs to another observation`);
    }
    return { existingId: Number(found.observation_id) };
  }
  return { index, draft, codeId, effectiveTime: effectiveTimeOf(draft.omh) };
}

/**
 * Stores uploaded observations in bulk: the facts for every check loaded in a few queries, then one
 * multi-row insert of observations and one of identifiers, in one transaction. An identifier seen before
 * answers with the existing observation instead of a duplicate (also when a concurrent upload wins the
 * race). Batch mode answers per observation; `atomic` writes all or nothing and throws the first error.
 */
export async function createObservations(
  ctx: ServiceContext,
  drafts: readonly (ObservationDraft | DomainError)[],
  opts: { atomic?: boolean } = {},
): Promise<UploadResult[]> {
  const results: (UploadResult | undefined)[] = [];
  const valid = drafts.flatMap((d, index) => (d instanceof Error ? [] : [{ d, index }]));
  drafts.forEach((d, index) => {
    if (d instanceof Error) results[index] = { status: 'error', error: d };
  });
  const facts = valid.length
    ? await loadFacts(
        ctx.em,
        valid.map((v) => v.d),
      )
    : null;
  const toInsert: Checked[] = [];
  const existingIds = new Map<number, number>();
  const seen = new Set<string>();
  for (const { d, index } of valid) {
    try {
      const outcome = check(ctx, facts!, d, index);
      if ('existingId' in outcome) {
        existingIds.set(index, outcome.existingId);
        continue;
      }
      for (const identifier of d.identifiers) {
        const k = key(identifier.system, identifier.value);
        if (seen.has(k)) throw new ConflictError(`Identifier ${k} appears twice in this upload`);
        seen.add(k);
      }
      toInsert.push(outcome);
    } catch (error) {
      if (!(error instanceof Error && 'code' in error)) throw error;
      results[index] = { status: 'error', error: error as DomainError };
    }
  }
  const firstError = results.find((r) => r?.status === 'error');
  if (opts.atomic && firstError?.status === 'error') {
    const index = results.indexOf(firstError);
    firstError.error.message = `observation ${index}: ${firstError.error.message}`;
    throw firstError.error;
  }
  const stored = toInsert.length ? await insertAll(ctx.em, toInsert) : { created: new Map(), existing: new Map() };
  for (const [index, id] of stored.existing) existingIds.set(index, id);
  const created = await loadRows(ctx.em, [...stored.created.values()]);
  for (const [index, id] of stored.created) results[index] = { status: 'created', observation: created.get(id)! };
  // an earlier upload is shown only to those who may read it: its content may differ from this one's
  const readable = await observationsByIds(ctx, [...new Set(existingIds.values())]);
  for (const [index, id] of existingIds) {
    const observation = readable.get(id);
    results[index] = observation
      ? { status: 'existing', observation }
      : { status: 'error', error: new ConflictError('An observation with this identifier was uploaded before') };
  }
  return results.map((r) => r!);
}

/**
 * Inserts in three statements whatever the batch size: ids drawn from the sequence, the observations, and
 * their identifiers, each as one JSON recordset. An identifier a concurrent upload stored first wins: the
 * observation just inserted for it is removed again and the existing one is answered instead.
 */
async function insertAll(em: EntityManager, rows: Checked[]) {
  return em.transactional(async (tx) => {
    const sql = <T>(query: string, params: unknown[]) => tx.getConnection().execute<T[]>(query, params);
    const ids = await sql<{ id: string }>(`select nextval('observations_id_seq') as id from generate_series(1, ?)`, [
      rows.length,
    ]);
    const created = new Map(rows.map((r, i) => [r.index, Number(ids[i]!.id)]));
    await sql(
      `insert into observations (id, subject_patient_id, codeable_concept_id, data_source_id, status, omh, effective_time)
       select r.id, r.patient_id, r.code_id, r.source_id, r.status, r.omh, r.effective_time
         from jsonb_to_recordset(?::jsonb) as r(id bigint, patient_id int, code_id int, source_id int, status text, omh jsonb, effective_time timestamptz)`,
      [
        JSON.stringify(
          rows.map((r) => ({
            id: created.get(r.index),
            patient_id: r.draft.patientId,
            code_id: r.codeId,
            source_id: r.draft.dataSourceId,
            status: r.draft.status,
            omh: r.draft.omh,
            effective_time: r.effectiveTime.toISOString(),
          })),
        ),
      ],
    );
    const identifiers = rows.flatMap((r) =>
      r.draft.identifiers.map((i) => ({ observation_id: created.get(r.index), system: i.system, value: i.value })),
    );
    const lostRaces = new Map<number, number>();
    if (identifiers.length) {
      const stored = await sql<{ system: string; value: string }>(
        `insert into observation_identifiers (observation_id, system, value)
         select r.observation_id, r.system, r.value from jsonb_to_recordset(?::jsonb) as r(observation_id bigint, system text, value text)
         on conflict (system, value) do nothing returning system, value`,
        [JSON.stringify(identifiers)],
      );
      const storedKeys = new Set(stored.map((i) => key(i.system, i.value)));
      const lost = identifiers.filter((i) => !storedKeys.has(key(i.system, i.value)));
      if (lost.length) {
        const winners = await sql<{ system: string; value: string; observation_id: string }>(
          `select system, value, observation_id from observation_identifiers where (system, value) in (${lost.map(() => '(?, ?)').join(', ')})`,
          lost.flatMap((i) => [i.system, i.value]),
        );
        const winnerOf = new Map(winners.map((w) => [key(w.system, w.value), Number(w.observation_id)]));
        for (const i of lost) {
          const index = [...created].find(([, id]) => id === i.observation_id)?.[0];
          if (index !== undefined) lostRaces.set(index, winnerOf.get(key(i.system, i.value))!);
        }
        await sql(
          `delete from observations where id in (${list([...lostRaces.keys()])})`,
          [...lostRaces.keys()].map((index) => created.get(index)),
        );
        for (const index of lostRaces.keys()) created.delete(index);
      }
    }
    return { created, existing: lostRaces };
  });
}

/** The rows just stored, to answer the uploader with what they sent (they may write them, not always read them). */
async function loadRows(em: EntityManager, ids: readonly number[]): Promise<Map<number, Observation>> {
  if (ids.length === 0) return new Map();
  const rows = await em
    .getConnection()
    .execute<Record<string, unknown>[]>(`select * from observations where id in (${list(ids)})`, [...ids]);
  const observations = rows.map((row) => em.map(Observation, row));
  return new Map(observations.map((o) => [o.id, o]));
}
