import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DataSourceSupportedScope,
  Observation,
  PatientIdentifier,
  StudyPatient,
  StudyPatientScopeConsent,
  StudyScopeRequest,
} from '../src/db/entities/index.js';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError } from '../src/errors.js';
import { createObservations, type UploadResult } from '../src/services/observation-ingest.js';
import type { ObservationDraft, OmhDraft } from '../src/services/observation-inputs.js';
import {
  countObservations,
  getObservation,
  listObservations,
  observationPagesByPatient,
  type ObservationFilter,
  type ObservationRow,
} from '../src/services/observation-search.js';
import type { Page } from '../src/services/paging.js';
import type { TestDatabase } from './support/database.js';
import { bloodPressure, heartRate, OMH } from './support/omh.js';
import { setUpStudyWorld, type Who, WHO, type World } from './support/study-world.js';

/**
 * The observation services on a small world (tests/support/study-world.ts), with these consents:
 * study A (org a; requests bp, hr): pat1 consents bp and hr (and holds a stale bg row A never requested),
 * pat2 consents bp, hr pending; study Other (org other; requests bp, hr here): patOther consents bp, pat2 hr.
 */
let db: TestDatabase;
let w: World;
const obs = {} as Record<'pat1Bp' | 'pat1Hr' | 'pat2Bp' | 'pat2Hr' | 'pat1Bg' | 'otherBp', number>;
const consentRow: Record<string, number> = {};

beforeAll(async () => {
  ({ db, world: w } = await setUpStudyWorld());
  const em = db.orm.em.fork();
  const { code, source, study, patient } = w;
  em.create(StudyScopeRequest, { study: study.other, codeableConcept: code.hr });
  for (const [dataSource, codeableConcept] of [
    [source.cuff, code.bp],
    [source.cuff, code.hr],
    [source.cuff, code.bg],
    [source.watch, code.hr],
  ] as const) {
    em.create(DataSourceSupportedScope, { dataSource, codeableConcept });
  }
  const consent = (studyPatient: StudyPatient, codeableConcept: number, name: string) => {
    const row = em.create(StudyPatientScopeConsent, {
      studyPatient,
      codeableConcept,
      consented: true,
      consentedTime: new Date(),
    });
    return () => (consentRow[name] = row.id);
  };
  const enroll = (studyId: number, patientId: number) =>
    em.create(StudyPatient, { study: studyId, patient: patientId });
  const pat1A = enroll(study.a, patient.pat1);
  const pat2A = enroll(study.a, patient.pat2);
  const later = [
    consent(pat1A, code.bp, 'pat1Bp'),
    consent(pat1A, code.hr, 'pat1Hr'),
    consent(pat1A, code.bg, 'pat1Bg'),
    consent(pat2A, code.bp, 'pat2Bp'),
    consent(enroll(study.other, patient.patOther), code.bp, 'otherBp'),
    consent(enroll(study.other, patient.pat2), code.hr, 'pat2HrOther'),
  ];
  em.create(PatientIdentifier, { patient: patient.pat1, system: 'urn:mrn', value: 'MRN-1' });
  const made: [keyof typeof obs, number, number, string][] = [
    ['pat1Bp', patient.pat1, code.bp, '2026-11-01T08:00:00Z'],
    ['pat1Hr', patient.pat1, code.hr, '2026-11-02T08:00:00Z'],
    ['pat2Bp', patient.pat2, code.bp, '2026-11-03T08:00:00Z'],
    ['pat2Hr', patient.pat2, code.hr, '2026-11-04T08:00:00Z'],
    ['pat1Bg', patient.pat1, code.bg, '2026-11-05T08:00:00Z'],
    ['otherBp', patient.patOther, code.bp, '2026-11-06T08:00:00Z'],
  ];
  const rows = made.map(([, subjectPatient, codeableConcept, when]) =>
    em.create(Observation, {
      subjectPatient,
      codeableConcept,
      dataSource: source.cuff,
      omh: heartRate(60, when),
      effectiveTime: new Date(when),
    }),
  );
  await em.flush();
  later.forEach((remember) => remember());
  made.forEach(([name], i) => (obs[name] = rows[i]!.id));
});
afterAll(() => db?.drop());

const idsOf = async (who: Who, filter: ObservationFilter = {}) =>
  (await listObservations(w.ctx(who), filter, { first: 1000 })).nodes.map((o) => o.id);

const setConsent = (name: string, consented: boolean | null) => {
  const sql = db.orm.em.getConnection();
  return consented === null
    ? sql.execute('delete from study_patient_scope_consents where id = ?', [consentRow[name]])
    : sql.execute('update study_patient_scope_consents set consented = ? where id = ?', [consented, consentRow[name]]);
};

const SEED_IDS = () => Object.values(obs);
const numerically = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe('consent-gated reading', () => {
  it('shows each role exactly what consents allow, computed in SQL', async () => {
    const expected: Record<Who, number[]> = {
      sam: SEED_IDS(),
      manager: [obs.pat1Bp, obs.pat1Hr, obs.pat2Bp],
      member: [obs.pat1Bp, obs.pat1Hr, obs.pat2Bp],
      viewer: [obs.pat1Bp, obs.pat1Hr, obs.pat2Bp],
      // pat2's heart rate through Other's own study; nothing of org a
      otherManager: [obs.pat2Hr, obs.otherBp],
      // no role in the sub-organization a: nothing is inherited
      parentManager: [],
      pat1: [obs.pat1Bp, obs.pat1Hr, obs.pat1Bg],
      pat2: [obs.pat2Bp, obs.pat2Hr],
      anonymous: [],
    };
    for (const who of WHO) {
      expect(numerically(await idsOf(who)), who).toEqual(numerically(expected[who]));
      expect(await countObservations(w.ctx(who), {}), who).toBe(expected[who].length);
    }
  });

  it('hides data at once when consent is revoked, shows it again on re-consent, and never while pending', async () => {
    expect(await idsOf('viewer')).toContain(obs.pat1Bp);
    await setConsent('pat1Bp', false);
    expect(await idsOf('viewer')).not.toContain(obs.pat1Bp);
    expect(await idsOf('manager')).not.toContain(obs.pat1Bp);
    await expect(getObservation(w.ctx('manager'), obs.pat1Bp)).rejects.toThrow(NotFoundError);
    expect(await idsOf('pat1')).toContain(obs.pat1Bp); // their own data stays theirs
    await setConsent('pat1Bp', true);
    expect(await idsOf('viewer')).toContain(obs.pat1Bp);
    expect((await getObservation(w.ctx('manager'), obs.pat1Bp)).id).toBe(obs.pat1Bp);
    await setConsent('pat2HrOther', null); // back to pending
    expect(await idsOf('otherManager')).toEqual([obs.otherBp]);
    await db.orm.em.getConnection().execute(
      `insert into study_patient_scope_consents (id, study_patient_id, codeable_concept_id, consented, consented_time)
         select ?, sp.id, ?, true, now() from study_patients sp where sp.study_id = ? and sp.patient_id = ?`,
      [consentRow.pat2HrOther, w.code.hr, w.study.other, w.patient.pat2],
    );
    expect(await idsOf('otherManager')).toEqual([obs.pat2Hr, obs.otherBp]);
  });

  it('getObservation answers NotFound alike for invisible and missing observations', async () => {
    const allowed: [Who, number][] = [
      ['viewer', obs.pat2Bp],
      ['pat1', obs.pat1Bg],
      ['sam', obs.otherBp],
      ['otherManager', obs.pat2Hr],
    ];
    for (const [who, id] of allowed) expect((await getObservation(w.ctx(who), id)).id).toBe(id);
    const denied: [Who, number][] = [
      ['manager', obs.pat2Hr],
      ['manager', obs.pat1Bg],
      ['parentManager', obs.pat1Bp],
      ['otherManager', obs.pat1Bp],
      ['pat2', obs.pat1Bp],
      ['anonymous', obs.pat1Bp],
    ];
    for (const [who, id] of denied) {
      await expect(getObservation(w.ctx(who), id), `${who} ${id}`).rejects.toThrow(`Observation ${id} not found`);
    }
    await expect(getObservation(w.ctx('sam'), 99_999_999)).rejects.toThrow('Observation 99999999 not found');
  });
});

describe('filters', () => {
  it('narrows by study: enrolled, requested and consented there; a study the viewer cannot see is NotFound', async () => {
    expect(await idsOf('manager', { studyId: w.study.a })).toEqual([obs.pat1Bp, obs.pat1Hr, obs.pat2Bp]);
    expect(await idsOf('sam', { studyId: w.study.other })).toEqual([obs.pat2Hr, obs.otherBp]);
    expect(await idsOf('pat1', { studyId: w.study.a })).toEqual([obs.pat1Bp, obs.pat1Hr]);
    for (const who of ['manager', 'parentManager', 'pat1', 'anonymous'] as const) {
      await expect(idsOf(who, { studyId: w.study.other }), who).rejects.toThrow(NotFoundError);
    }
    await expect(countObservations(w.ctx('viewer'), { studyId: w.study.other })).rejects.toThrow(NotFoundError);
    expect(await countObservations(w.ctx('viewer'), { studyId: w.study.a })).toBe(3);
  });

  it('narrows by patient, patient identifier and code', async () => {
    expect(await idsOf('manager', { patientId: w.patient.pat1 })).toEqual([obs.pat1Bp, obs.pat1Hr]);
    await expect(idsOf('manager', { patientId: w.patient.patOther })).rejects.toThrow(NotFoundError);
    await expect(idsOf('pat1', { patientId: w.patient.pat2 })).rejects.toThrow(NotFoundError);
    const mrn = { system: 'urn:mrn', value: 'MRN-1' };
    expect(await idsOf('manager', { patientIdentifier: mrn })).toEqual([obs.pat1Bp, obs.pat1Hr]);
    expect(await idsOf('otherManager', { patientIdentifier: mrn })).toEqual([]);
    expect(await idsOf('manager', { patientIdentifier: { ...mrn, value: 'nope' } })).toEqual([]);
    // a super user's search without a study looks the identifier up on its own
    const pat1All = await idsOf('sam', { patientId: w.patient.pat1 });
    expect(pat1All).toEqual(expect.arrayContaining([obs.pat1Bp, obs.pat1Hr]));
    expect(await idsOf('sam', { patientIdentifier: mrn })).toEqual(pat1All);
    expect(await idsOf('sam', { patientIdentifier: mrn, patientId: w.patient.pat2 })).toEqual([]);
    expect(await idsOf('sam', { patientIdentifier: { ...mrn, value: 'nope' } })).toEqual([]);
    const hr = { system: OMH, code: 'omh:heart-rate:2.0' };
    expect(await idsOf('sam', { coding: hr })).toEqual([obs.pat1Hr, obs.pat2Hr]);
    expect(await idsOf('manager', { coding: hr, studyId: w.study.a })).toEqual([obs.pat1Hr]);
    expect(await idsOf('sam', { coding: { system: OMH, code: 'omh:nothing:1.0' } })).toEqual([]);
    // through the viewer's consented pairs, which look the code up themselves: with and without a study
    expect(await idsOf('manager', { coding: hr })).toEqual([obs.pat1Hr]);
    expect(await idsOf('pat1', { coding: hr, patientId: w.patient.pat1 })).toEqual([obs.pat1Hr]);
    const nothing = { system: OMH, code: 'omh:nothing:1.0' };
    expect(await idsOf('manager', { coding: nothing })).toEqual([]);
    expect(await idsOf('manager', { coding: nothing, studyId: w.study.a })).toEqual([]);
    expect(await idsOf('manager', { coding: { system: 'urn:other', code: hr.code }, studyId: w.study.a })).toEqual([]);
  });

  it('narrows by effective time (from inclusive, to inclusive, before exclusive) and last update', async () => {
    const day = (d: number) => new Date(`2026-11-0${d}T08:00:00Z`);
    expect(await idsOf('sam', { from: day(2), to: day(4) })).toEqual([obs.pat1Hr, obs.pat2Bp, obs.pat2Hr]);
    expect(await idsOf('sam', { from: day(2), before: day(4) })).toEqual([obs.pat1Hr, obs.pat2Bp]);
    expect(await countObservations(w.ctx('manager'), { from: day(2), to: day(4) })).toBe(2);
    expect(await idsOf('sam', { lastUpdatedBefore: new Date('2000-01-01T00:00:00Z') })).toEqual([]);
    expect(numerically(await idsOf('sam', { lastUpdatedFrom: new Date('2000-01-01T00:00:00Z') }))).toEqual(
      numerically(SEED_IDS()),
    );
  });
});

describe('paging', () => {
  const listOrder = (a: ObservationRow, b: ObservationRow) =>
    a.subjectPatientId - b.subjectPatientId ||
    a.codeableConceptId - b.codeableConceptId ||
    a.effectiveTime.localeCompare(b.effectiveTime) ||
    a.id - b.id;

  it('lists by patient, code, effective time and id: a reading stored later but taken earlier comes first', async () => {
    const sql = db.orm.em.getConnection();
    const store = async (when: string) => {
      const [row] = await sql.execute<{ id: string }[]>(
        `insert into observations (subject_patient_id, codeable_concept_id, data_source_id, omh, effective_time)
         values (?, ?, ?, ?::jsonb, ?) returning id`,
        [w.patient.pat1, w.code.bp, w.source.cuff, JSON.stringify(heartRate(61, when)), when],
      );
      return Number(row!.id);
    };
    const earlier = await store('2026-10-31T08:00:00Z');
    const [twinA, twinB] = [await store('2026-11-01T09:00:00Z'), await store('2026-11-01T09:00:00Z')];
    try {
      const all = (await listObservations(w.ctx('sam'), {}, { first: 1000 })).nodes;
      expect(all.map((o) => o.id)).toEqual([...all].sort(listOrder).map((o) => o.id));
      const pat1Bp = await idsOf('manager', {
        patientId: w.patient.pat1,
        coding: { system: OMH, code: 'omh:blood-pressure:4.0' },
      });
      expect(pat1Bp).toEqual([earlier, obs.pat1Bp, twinA, twinB]);
      // a patient's first page nested in a list of patients: the same order, and its cursor continues the list
      const nested = (await observationPagesByPatient(w.ctx('sam'), [w.patient.pat1], 3)).get(w.patient.pat1)!;
      const pat1All = await idsOf('sam', { patientId: w.patient.pat1 });
      expect(nested.nodes.map((o) => o.id)).toEqual(pat1All.slice(0, 3));
      const rest = await listObservations(w.ctx('sam'), { patientId: w.patient.pat1 }, { after: nested.endCursor });
      expect(rest.nodes.map((o) => o.id)).toEqual(pat1All.slice(3));
      // pages of one, so that one ends between the twins, which only the id tells apart
      const seen: number[] = [];
      let after: string | null = null;
      do {
        const page: Page<ObservationRow> = await listObservations(w.ctx('sam'), {}, { first: 1, after });
        seen.push(...page.nodes.map((o) => o.id));
        after = page.hasNextPage ? page.endCursor : null;
      } while (after);
      expect(seen).toEqual(all.map((o) => o.id));
    } finally {
      await sql.execute('delete from observations where id in (?, ?, ?)', [earlier, twinA, twinB]);
    }
  });

  it('keeps effective times to the millisecond, the precision of the cursors', async () => {
    await expect(
      db.orm.em.getConnection().execute(
        `insert into observations (subject_patient_id, codeable_concept_id, data_source_id, omh, effective_time)
           values (?, ?, ?, '{}', '2026-11-01T08:00:00.0005Z')`,
        [w.patient.pat1, w.code.bp, w.source.cuff],
      ),
    ).rejects.toThrow(/observations_effective_time_ms_check/);
  });

  it('walks keyset pages in that order, each visible row exactly once', async () => {
    const all = await idsOf('sam');
    const seen: number[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = await listObservations(w.ctx('sam'), {}, { first: 4, after });
      seen.push(...page.nodes.map((o) => o.id));
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(seen).toEqual(all);
    const empty = await listObservations(w.ctx('sam'), {}, { first: 0 });
    expect(empty).toMatchObject({ nodes: [], hasNextPage: true, endCursor: null });
    const scoped = await listObservations(w.ctx('manager'), {}, { first: 2 });
    expect(scoped.nodes.map((o) => o.id)).toEqual([obs.pat1Bp, obs.pat1Hr]);
    const rest = await listObservations(w.ctx('manager'), {}, { first: 2, after: scoped.endCursor });
    expect(rest).toMatchObject({ hasNextPage: false });
    expect(rest.nodes.map((o) => o.id)).toEqual([obs.pat2Bp]);
    await expect(listObservations(w.ctx('sam'), {}, { after: 'garbage' })).rejects.toThrow(InvalidError);
    // a cursor of another list (patients, studies: by id), and one with a date that does not exist
    const cursor = (text: string) => Buffer.from(text).toString('base64url');
    await expect(listObservations(w.ctx('sam'), {}, { after: cursor('id:60001') })).rejects.toThrow(InvalidError);
    const february30 = cursor(`obs:${w.patient.pat1}:${w.code.bp}:2026-02-30T08:00:00.000Z:60001`);
    await expect(listObservations(w.ctx('sam'), {}, { after: february30 })).rejects.toThrow(InvalidError);
    await expect(listObservations(w.ctx('sam'), {}, { first: 1001 })).rejects.toThrow(InvalidError);
  });
});

const draft = ({
  omh = heartRate(70, '2026-11-20T08:00:00Z'),
  ...fields
}: Partial<OmhDraft> & { patientId: number }): ObservationDraft => ({
  kind: 'omh',
  dataSourceId: w.source.cuff,
  coding: { system: OMH, code: 'omh:heart-rate:2.0' },
  status: 'final',
  omh,
  omhJson: JSON.stringify(omh),
  identifiers: [],
  ...fields,
});

const observationCount = async () => {
  const [row] = await db.orm.em.getConnection().execute<{ n: string }[]>('select count(*) as n from observations');
  return Number(row!.n);
};

/** Observations whose copy of their identifiers differs from the identifiers table's rows of them. */
const identifierCopiesOutOfStep = () =>
  db.orm.em.getConnection().execute(
    `select o.id from observations o, lateral (
       select coalesce(jsonb_agg(jsonb_build_object('system', i.system, 'value', i.value)), '[]') as held
         from observation_identifiers i where i.observation_id = o.id) t
      where not (o.identifiers::jsonb @> t.held and t.held @> o.identifiers::jsonb)`,
  );

const shape = (results: UploadResult[]) =>
  results.map((r) => (r.status === 'error' ? r.error.constructor.name : r.status));

/** The id of the observation an upload stored (created) or found (existing). */
function storedId(result: UploadResult): number {
  if (result.status === 'created') return result.id;
  if (result.status === 'existing') return result.observation.id;
  throw new Error(`upload failed: ${result.error.message}`);
}

describe('bulk upload', () => {
  it('answers per input, in order; the good ones are stored, the bad ones are not', async () => {
    const { pat1, pat2, patOther } = w.patient;
    const before = await observationCount();
    const sent = heartRate(71, '2026-11-20T09:00:00+02:00');
    const results = await createObservations(w.ctx('member'), [
      draft({ patientId: pat1, omh: sent }),
      draft({ patientId: pat1, coding: { system: OMH, code: 'omh:unknown:1.0' } }),
      draft({ patientId: pat1, dataSourceId: w.source.watch, coding: { system: OMH, code: 'omh:blood-pressure:4.0' } }),
      draft({ patientId: pat1, dataSourceId: 79_999 }),
      draft({ patientId: 49_999 }),
      draft({ patientId: patOther, coding: { system: OMH, code: 'omh:blood-pressure:4.0' } }), // not member's patient
      draft({ patientId: pat2 }), // heart rate pending in A, consented to Other only: still uploadable
      draft({ patientId: pat1, coding: { system: OMH, code: 'omh:blood-glucose:4.0' } }), // consent row, not requested
      draft({ patientId: pat1, omh: { header: {}, body: { heart_rate: { value: 1, unit: 'beats/min' } } } }),
      new InvalidError('/status must be one of …', '/status'),
      draft({ patientId: pat1, omh: bloodPressure(120, 80), coding: { system: OMH, code: 'omh:blood-pressure:4.0' } }),
    ]);
    expect(shape(results)).toEqual([
      'created',
      'InvalidError',
      'InvalidError',
      'InvalidError',
      'NotFoundError',
      'NotFoundError',
      'created',
      'ForbiddenError',
      'InvalidError',
      'InvalidError',
      'created',
    ]);
    expect(await observationCount()).toBe(before + 3);
    expect(results[0]).toMatchObject({ status: 'created', id: expect.any(Number), lastUpdated: expect.any(Date) });
    const stored = await getObservation(w.ctx('sam'), storedId(results[0]!));
    expect(stored).toMatchObject({ status: 'final', effectiveTime: '2026-11-20T07:00:00.000Z' });
    expect(stored).toMatchObject({ subjectPatientId: pat1, codeableConceptId: w.code.hr });
    expect(JSON.parse(stored.omhJson!)).toEqual(sent);
    const bad = results[8] as Extract<UploadResult, { status: 'error' }>;
    expect((bad.error as InvalidError).path).toBe('/body/effective_time_frame');
  });

  it('lets patients upload only for themselves and only consented codes; viewers not at all', async () => {
    const { pat1, pat2 } = w.patient;
    const bp = { system: OMH, code: 'omh:blood-pressure:4.0' };
    const attempts: [Who, ObservationDraft, string][] = [
      ['pat1', draft({ patientId: pat1 }), 'created'],
      ['pat1', draft({ patientId: pat2, coding: bp }), 'NotFoundError'],
      ['pat1', draft({ patientId: pat1, coding: { system: OMH, code: 'omh:blood-glucose:4.0' } }), 'ForbiddenError'],
      ['pat2', draft({ patientId: pat2, coding: bp, omh: bloodPressure(110, 70) }), 'created'],
      ['viewer', draft({ patientId: pat1 }), 'ForbiddenError'],
      ['parentManager', draft({ patientId: pat1 }), 'NotFoundError'],
      ['otherManager', draft({ patientId: pat1 }), 'NotFoundError'],
      ['manager', draft({ patientId: pat1 }), 'created'],
      ['sam', draft({ patientId: pat1 }), 'created'],
      ['anonymous', draft({ patientId: pat1 }), 'NotFoundError'],
    ];
    for (const [who, input, expected] of attempts) {
      expect(shape(await createObservations(w.ctx(who), [input])), who).toEqual([expected]);
    }
  });

  it('answers a re-upload by identifier with the existing observation, never a duplicate', async () => {
    const pat1 = w.patient.pat1;
    const identifiers = [{ system: 'https://app.example/ids', value: 'dup-1' }];
    const [created] = await createObservations(w.ctx('pat1'), [draft({ patientId: pat1, identifiers })]);
    expect(created?.status).toBe('created');
    const before = await observationCount();
    const again = await createObservations(w.ctx('member'), [
      draft({ patientId: pat1, identifiers, omh: heartRate(99) }),
      draft({ patientId: pat1, identifiers: [{ system: 'https://app.example/ids', value: 'dup-2' }] }),
      draft({ patientId: pat1, identifiers: [{ system: 'https://app.example/ids', value: 'dup-2' }] }),
    ]);
    expect(shape(again)).toEqual(['existing', 'created', 'ConflictError']);
    expect(again[0]).toMatchObject({ observation: { id: storedId(created!) } });
    expect(await observationCount()).toBe(before + 1);
    // one identifier taken and one new: the existing observation, and the new identifier is not kept
    const dup3 = { system: 'https://app.example/ids', value: 'dup-3' };
    const mixed = await createObservations(w.ctx('member'), [
      draft({ patientId: pat1, identifiers: [dup3, ...identifiers] }),
    ]);
    expect(mixed[0]).toMatchObject({ status: 'existing', observation: { id: storedId(created!) } });
    expect(await observationCount()).toBe(before + 1);
    const [later] = await createObservations(w.ctx('member'), [draft({ patientId: pat1, identifiers: [dup3] })]);
    expect(later?.status).toBe('created');
    expect(JSON.parse((await getObservation(w.ctx('member'), storedId(later!))).identifiersJson)).toEqual([dup3]);
    expect(await identifierCopiesOutOfStep()).toEqual([]);
    // an identifier of another patient's observation is a conflict, not that observation
    const [clash] = await createObservations(w.ctx('member'), [draft({ patientId: w.patient.pat2, identifiers })]);
    expect(clash).toMatchObject({ status: 'error', error: expect.any(ConflictError) });
  });

  it('stores one observation when the same identifier races in from two uploads', async () => {
    const identifiers = [{ system: 'https://app.example/ids', value: 'race-1' }];
    const before = await observationCount();
    const racers = await Promise.all(
      ['pat1', 'member', 'manager', 'sam'].map((who) =>
        createObservations(w.ctx(who as Who), [draft({ patientId: w.patient.pat1, identifiers })]),
      ),
    );
    const statuses = racers.map((r) => r[0]!.status).sort();
    expect(statuses).toEqual(['created', 'existing', 'existing', 'existing']);
    const ids = new Set(racers.map((r) => storedId(r[0]!)));
    expect(ids.size).toBe(1);
    expect(await observationCount()).toBe(before + 1);
    expect(await identifierCopiesOutOfStep()).toEqual([]);
  });

  it('atomic mode writes nothing when one input is bad, and says which', async () => {
    const before = await observationCount();
    const inputs = [
      draft({ patientId: w.patient.pat1, identifiers: [{ system: 'https://app.example/ids', value: 'atomic-1' }] }),
      draft({
        patientId: w.patient.pat1,
        dataSourceId: w.source.watch,
        coding: { system: OMH, code: 'omh:blood-pressure:4.0' },
      }),
    ];
    await expect(createObservations(w.ctx('member'), inputs, { atomic: true })).rejects.toThrow(
      /^observation 1: .*does not support/,
    );
    expect(await observationCount()).toBe(before);
    const ok = await createObservations(w.ctx('member'), [inputs[0]!], { atomic: true });
    expect(shape(ok)).toEqual(['created']);
    await expect(createObservations(w.ctx('viewer'), [inputs[0]!], { atomic: true })).rejects.toThrow(ForbiddenError);
  });

  it('answers a re-upload of data the uploader may write but not read with a conflict, atomically too', async () => {
    // pat2 shares heart rate with Other's study only: a member of a may upload it for pat2, not read it
    const identifiers = [{ system: 'https://app.example/ids', value: 'pat2-hr' }];
    const mine = draft({ patientId: w.patient.pat2, identifiers });
    expect(shape(await createObservations(w.ctx('pat2'), [mine]))).toEqual(['created']);
    const fresh = draft({ patientId: w.patient.pat1 });
    const before = await observationCount();
    expect(shape(await createObservations(w.ctx('member'), [mine]))).toEqual(['ConflictError']);
    await expect(createObservations(w.ctx('member'), [fresh, mine], { atomic: true })).rejects.toThrow(
      /^observation 1: .*uploaded before/,
    );
    expect(await observationCount()).toBe(before);
    expect(shape(await createObservations(w.ctx('otherManager'), [mine]))).toEqual(['NotFoundError']);
    expect(shape(await createObservations(w.ctx('sam'), [fresh, mine], { atomic: true }))).toEqual([
      'created',
      'existing',
    ]);
  });

  it('treats ids beyond the database’s integer range as missing, not as a database failure', async () => {
    const huge = 999_999_999_999;
    const results = await createObservations(w.ctx('sam'), [
      draft({ patientId: huge }),
      draft({ patientId: w.patient.pat1, dataSourceId: huge }),
    ]);
    expect(shape(results)).toEqual(['NotFoundError', 'InvalidError']);
    await expect(idsOf('sam', { patientId: huge })).rejects.toThrow(NotFoundError);
    await expect(idsOf('sam', { studyId: huge })).rejects.toThrow(NotFoundError);
    await expect(getObservation(w.ctx('sam'), 2 ** 53 - 1)).rejects.toThrow(NotFoundError);
  });
});
