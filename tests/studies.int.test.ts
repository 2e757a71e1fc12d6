import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PatientOrganization,
  Study,
  StudyDataSource,
  StudyPatient,
  StudyPatientScopeConsent,
  StudyScopeRequest,
} from '../src/db/entities/index.js';
import { ConflictError, InvalidError, NotFoundError } from '../src/errors.js';
import {
  addStudyDataSource,
  addStudyScopeRequest,
  countStudies,
  createStudy,
  deleteStudy,
  enrollPatients,
  getStudy,
  listPatientStudies,
  listStudies,
  removeStudyDataSource,
  removeStudyScopeRequest,
  studiesByIds,
  studyDataSources,
  studyScopeRequests,
  unenrollPatient,
  unenrollPatients,
  updateStudy,
} from '../src/services/studies.js';
import { consentCountsOfStudies } from '../src/services/study-consent-counts.js';
import type { TestDatabase } from './support/database.js';
import { outcomes, setUpStudyWorld, WHO, type World } from './support/study-world.js';

let db: TestDatabase;
let world: World;
beforeAll(async () => {
  ({ db, world } = await setUpStudyWorld());
});
afterAll(() => db?.drop());

const fresh = () => db.orm.em.fork();

/** Who may see organization `a` and its studies: any role there (not the parent's manager). */
const VIEW_A = { sam: 'ok', manager: 'ok', member: 'ok', viewer: 'ok' };
const HIDDEN_A = {
  otherManager: 'NotFoundError',
  parentManager: 'NotFoundError',
  pat1: 'NotFoundError',
  pat2: 'NotFoundError',
  anonymous: 'NotFoundError',
};
/** Writes in `a`: members and managers; a viewer sees but may not; everyone else cannot see. */
const EDIT_A = { sam: 'ok', manager: 'ok', member: 'ok', viewer: 'ForbiddenError', ...HIDDEN_A };

async function newStudy(name: string, organization = world.org.a): Promise<number> {
  const em = fresh();
  const study = em.create(Study, { organization, name });
  await em.flush();
  return study.id;
}

describe('reading studies', () => {
  it('shows an organization’s studies to its members of any role only', async () => {
    expect(await outcomes(WHO, (ctx) => getStudy(ctx, world.study.a), world)).toEqual({ ...VIEW_A, ...HIDDEN_A });
    expect(await outcomes(WHO, (ctx) => listStudies(ctx, { organizationId: world.org.a }), world)).toEqual({
      ...VIEW_A,
      ...HIDDEN_A,
    });
    await expect(getStudy(world.ctx('manager'), 999_999)).rejects.toThrow(NotFoundError);
  });

  it('pages an organization’s studies by id with keyset cursors and counts them', async () => {
    const org = (await fresh().findOneOrFail(PatientOrganization, { patient: world.patient.pat1 })).organization.id;
    const extra = [await newStudy('Paging 1', org), await newStudy('Paging 2', org)];
    const ctx = world.ctx('viewer');
    const first = await listStudies(ctx, { organizationId: org, first: 2 });
    expect(first.nodes.map((s) => s.id)).toEqual([world.study.a, extra[0]]);
    expect(first.hasNextPage).toBe(true);
    const second = await listStudies(ctx, { organizationId: org, first: 2, after: first.endCursor });
    expect(second.nodes.map((s) => s.id)).toEqual([extra[1]]);
    expect(second.hasNextPage).toBe(false);
    expect(await countStudies(ctx, { organizationId: org })).toBe(3);
    await expect(listStudies(ctx, { organizationId: org, after: 'nope' })).rejects.toThrow(InvalidError);
    await expect(countStudies(world.ctx('otherManager'), { organizationId: org })).rejects.toThrow(NotFoundError);
    for (const id of extra) await deleteStudy(world.ctx('sam'), id);
  });

  it('lists every visible study without an organization: the viewer’s organizations’, a patient’s own', async () => {
    const em = fresh();
    em.create(StudyPatient, { study: world.study.a, patient: world.patient.pat2 });
    await em.flush();
    const expected: Record<string, number[]> = {
      sam: [world.study.a, world.study.other],
      manager: [world.study.a],
      member: [world.study.a],
      viewer: [world.study.a],
      otherManager: [world.study.other],
      parentManager: [],
      pat1: [],
      pat2: [world.study.a],
      anonymous: [],
    };
    const seen = await outcomes(
      WHO,
      async (ctx, who) => {
        const ids = (await listStudies(ctx, { first: 1000 })).nodes.map((s) => s.id);
        const count = await countStudies(ctx);
        if (ids.join() !== expected[who]!.join() || count !== ids.length) throw new Error(`${who}: ${ids} (${count})`);
      },
      world,
    );
    expect(seen).toEqual(Object.fromEntries(WHO.map((who) => [who, 'ok'])));
    await em.nativeDelete(StudyPatient, { patient: world.patient.pat2 });
  });

  it('lists a patient’s studies, limited to the ones the viewer may see', async () => {
    const em = fresh();
    em.create(PatientOrganization, { patient: world.patient.pat2, organization: world.org.other });
    em.create(StudyPatient, { study: world.study.a, patient: world.patient.pat2 });
    em.create(StudyPatient, { study: world.study.other, patient: world.patient.pat2 });
    await em.flush();
    const both = `${world.study.a},${world.study.other}`;
    const expected: Record<string, string> = {
      sam: both,
      pat2: both,
      manager: `${world.study.a}`,
      member: `${world.study.a}`,
      viewer: `${world.study.a}`,
      otherManager: `${world.study.other}`,
    };
    const studiesOf = await outcomes(
      WHO,
      async (ctx, who) => {
        const ids = (await listPatientStudies(ctx, world.patient.pat2)).map((s) => s.id);
        if (ids.join() !== expected[who]) throw new Error(`${who} saw ${ids.join()}`);
      },
      world,
    );
    expect(studiesOf).toEqual({
      sam: 'ok',
      manager: 'ok',
      member: 'ok',
      viewer: 'ok',
      otherManager: 'ok',
      pat2: 'ok',
      parentManager: 'NotFoundError',
      pat1: 'NotFoundError',
      anonymous: 'NotFoundError',
    });
    // an enrolled patient sees the study itself, and the batch read agrees
    expect((await getStudy(world.ctx('pat2'), world.study.other)).name).toBe('Study Other');
    const batch = await studiesByIds(world.ctx('manager'), [world.study.a, world.study.other]);
    expect([...batch.keys()]).toEqual([world.study.a]);
    await em.nativeDelete(StudyPatient, { patient: world.patient.pat2 });
    await em.nativeDelete(PatientOrganization, { patient: world.patient.pat2, organization: world.org.other });
  });
});

describe('creating, editing and deleting studies', () => {
  it('lets members and managers of the organization create studies with sources and scopes', async () => {
    const result = await outcomes(
      WHO,
      (ctx, who) =>
        createStudy(ctx, {
          organizationId: world.org.a,
          name: `By ${who}`,
          dataSourceIds: [world.source.cuff, world.source.cuff],
          scopeIds: [world.code.hr],
        }),
      world,
    );
    expect(result).toEqual(EDIT_A);
    const em = fresh();
    const made = await em.find(Study, { name: { $like: 'By %' } }, { orderBy: { id: 'asc' } });
    expect(made.map((s) => s.name)).toEqual(['By sam', 'By manager', 'By member']);
    const ids = made.map((s) => s.id);
    expect([...(await studyDataSources(em, ids)).values()].map((v) => v.map((d) => d.id))).toEqual(
      ids.map(() => [world.source.cuff]),
    );
    expect([...(await studyScopeRequests(em, ids)).values()].map((v) => v.map((c) => c.id))).toEqual(
      ids.map(() => [world.code.hr]),
    );
    for (const id of ids) await deleteStudy(world.ctx('sam'), id);
  });

  it('refuses bad input and unknown catalog entries without writing', async () => {
    const ctx = world.ctx('member');
    const before = await fresh().count(Study, {});
    const base = { organizationId: world.org.a, name: 'Bad' };
    await expect(createStudy(ctx, { ...base, iconUrl: 'ftp://x' })).rejects.toMatchObject({ path: 'iconUrl' });
    await expect(createStudy(ctx, { ...base, name: '' })).rejects.toMatchObject({ path: 'name' });
    await expect(createStudy(ctx, { ...base, scopeIds: [world.code.bp, 999_999] })).rejects.toThrow(
      /Codeable concept 999999/,
    );
    await expect(createStudy(ctx, { ...base, dataSourceIds: [999_998] })).rejects.toThrow(/Data source 999998/);
    expect(await fresh().count(Study, {})).toBe(before);
  });

  it('lets members and managers edit and delete; viewers and outsiders may not', async () => {
    const id = await newStudy('To edit');
    const edited = await outcomes(WHO, (ctx, who) => updateStudy(ctx, id, { description: who }), world);
    expect(edited).toEqual(EDIT_A);
    const member = world.ctx('member');
    const study = await updateStudy(member, id, { iconUrl: 'https://example.com/i.png', name: ' Renamed ' });
    expect(study).toMatchObject({ name: 'Renamed', description: 'member', iconUrl: 'https://example.com/i.png' });
    expect((await updateStudy(member, id, { iconUrl: null })).iconUrl).toBeNull();
    await expect(updateStudy(member, id, {})).rejects.toThrow(InvalidError);

    const denied = await outcomes(
      WHO.filter((who) => !['sam', 'manager', 'member'].includes(who)),
      (ctx) => deleteStudy(ctx, id),
      world,
    );
    expect(denied).toEqual({ viewer: 'ForbiddenError', ...HIDDEN_A });
    await deleteStudy(member, id);
    expect(await fresh().count(Study, { id })).toBe(0);
    await expect(deleteStudy(member, id)).rejects.toThrow(NotFoundError);
  });
});

describe('study data sources and scope requests', () => {
  it('are added and removed by members and managers, with conflicts and unknown ids refused', async () => {
    const id = await newStudy('Setup');
    expect(await outcomes(WHO, (ctx) => addStudyDataSource(ctx, id, world.source.watch), world)).toMatchObject({
      sam: 'ok',
      manager: 'ConflictError',
      member: 'ConflictError',
      viewer: 'ForbiddenError',
      ...HIDDEN_A,
    });
    const ctx = world.ctx('manager');
    await expect(addStudyDataSource(ctx, id, 999_999)).rejects.toThrow(NotFoundError);
    await expect(addStudyScopeRequest(ctx, id, 999_999)).rejects.toThrow(NotFoundError);
    await addStudyScopeRequest(ctx, id, world.code.bg);
    await expect(addStudyScopeRequest(ctx, id, world.code.bg)).rejects.toThrow(ConflictError);
    await expect(addStudyScopeRequest(world.ctx('viewer'), id, world.code.hr)).rejects.toThrow(/may change it/);
    expect((await studyScopeRequests(fresh(), [id])).get(id)?.map((c) => c.id)).toEqual([world.code.bg]);

    await expect(removeStudyDataSource(world.ctx('viewer'), id, world.source.watch)).rejects.toThrow(/may change/);
    await expect(removeStudyDataSource(world.ctx('parentManager'), id, world.source.watch)).rejects.toThrow(
      NotFoundError,
    );
    await removeStudyDataSource(ctx, id, world.source.watch);
    await expect(removeStudyDataSource(ctx, id, world.source.watch)).rejects.toThrow(NotFoundError);
    expect((await studyDataSources(fresh(), [id])).get(id)).toBeUndefined();
    await removeStudyScopeRequest(ctx, id, world.code.bg);
    await expect(removeStudyScopeRequest(ctx, id, world.code.bg)).rejects.toThrow(NotFoundError);
    await deleteStudy(ctx, id);
  });

  it('forgets the answers to a scope that is no longer requested', async () => {
    const id = await newStudy('Forget');
    const em = fresh();
    em.create(StudyScopeRequest, { study: id, codeableConcept: world.code.bg });
    em.create(StudyScopeRequest, { study: id, codeableConcept: world.code.hr });
    const enrolled = em.create(StudyPatient, { study: id, patient: world.patient.pat1 });
    for (const codeableConcept of [world.code.bg, world.code.hr]) {
      em.create(StudyPatientScopeConsent, {
        studyPatient: enrolled,
        codeableConcept,
        consented: true,
        consentedTime: new Date(),
      });
    }
    await em.flush();
    await removeStudyScopeRequest(world.ctx('member'), id, world.code.bg);
    const left = await fresh().find(StudyPatientScopeConsent, { studyPatient: enrolled.id });
    expect(left.map((c) => c.codeableConcept.id)).toEqual([world.code.hr]);
    await deleteStudy(world.ctx('member'), id);
  });
});

describe('enrollment', () => {
  const enrolledIn = async (study: number) =>
    (await fresh().find(StudyPatient, { study }, { orderBy: { patient: { id: 'asc' } } })).map((sp) => sp.patient.id);

  it('lets members and managers enroll their organization’s patients, idempotently', async () => {
    const id = await newStudy('Enroll');
    const result = await outcomes(WHO, (ctx) => enrollPatients(ctx, id, [world.patient.pat1]), world);
    // once enrolled (by sam, first), pat1 sees the study but may not change it
    expect(result).toEqual({ ...EDIT_A, pat1: 'ForbiddenError' });
    expect(await enrolledIn(id)).toEqual([world.patient.pat1]);
    await enrollPatients(world.ctx('member'), id, [world.patient.pat2, world.patient.pat1, world.patient.pat2]);
    expect(await enrolledIn(id)).toEqual([world.patient.pat1, world.patient.pat2]);
    await deleteStudy(world.ctx('member'), id);
  });

  it('enrolls all or none: a patient of another organization is refused by position', async () => {
    const id = await newStudy('All or none');
    const attempt = enrollPatients(world.ctx('manager'), id, [world.patient.pat1, world.patient.patOther]);
    await expect(attempt).rejects.toMatchObject({ code: 'INVALID', path: 'patientIds.1' });
    await expect(attempt).rejects.toThrow(`patient ${world.patient.patOther} is not a patient`);
    await expect(enrollPatients(world.ctx('manager'), id, [999_999])).rejects.toMatchObject({ path: 'patientIds.0' });
    await expect(enrollPatients(world.ctx('manager'), id, [])).rejects.toMatchObject({ path: 'patientIds' });
    expect(await enrolledIn(id)).toEqual([]);
    await deleteStudy(world.ctx('manager'), id);
  });

  it('unenrolls a patient together with their consents to the study', async () => {
    const id = await newStudy('Unenroll');
    const em = fresh();
    em.create(StudyScopeRequest, { study: id, codeableConcept: world.code.bp });
    await em.flush();
    await enrollPatients(world.ctx('member'), id, [world.patient.pat1, world.patient.pat2]);
    const sp = await em.findOneOrFail(StudyPatient, { study: id, patient: world.patient.pat1 });
    em.create(StudyPatientScopeConsent, {
      studyPatient: sp,
      codeableConcept: world.code.bp,
      consented: true,
      consentedTime: new Date(),
    });
    await em.flush();

    const denied = await outcomes(
      WHO.filter((who) => !['sam', 'manager', 'member'].includes(who)),
      (ctx) => unenrollPatient(ctx, id, world.patient.pat1),
      world,
    );
    // the enrolled patients see the study, and still may not unenroll anyone
    expect(denied).toEqual({ viewer: 'ForbiddenError', ...HIDDEN_A, pat1: 'ForbiddenError', pat2: 'ForbiddenError' });
    await unenrollPatient(world.ctx('member'), id, world.patient.pat1);
    expect(await enrolledIn(id)).toEqual([world.patient.pat2]);
    expect(await fresh().count(StudyPatientScopeConsent, { studyPatient: sp.id })).toBe(0);
    await expect(unenrollPatient(world.ctx('member'), id, world.patient.pat1)).rejects.toThrow(NotFoundError);
    expect(await fresh().count(StudyDataSource, { study: id })).toBe(0);
    await deleteStudy(world.ctx('member'), id);
  });

  it('unenrolls several patients all or none, refusing by position one that is not enrolled', async () => {
    const id = await newStudy('Unenroll several');
    await enrollPatients(world.ctx('member'), id, [world.patient.pat1, world.patient.pat2]);
    const denied = await outcomes(
      WHO.filter((who) => !['sam', 'manager', 'member'].includes(who)),
      (ctx) => unenrollPatients(ctx, id, [world.patient.pat1]),
      world,
    );
    expect(denied).toEqual({ viewer: 'ForbiddenError', ...HIDDEN_A, pat1: 'ForbiddenError', pat2: 'ForbiddenError' });
    const attempt = unenrollPatients(world.ctx('manager'), id, [world.patient.pat1, world.patient.patOther]);
    await expect(attempt).rejects.toMatchObject({ code: 'INVALID', path: 'patientIds.1' });
    await expect(attempt).rejects.toThrow(`patient ${world.patient.patOther} is not enrolled in the study`);
    await expect(unenrollPatients(world.ctx('manager'), id, [])).rejects.toMatchObject({ path: 'patientIds' });
    expect(await enrolledIn(id)).toEqual([world.patient.pat1, world.patient.pat2]);
    await unenrollPatients(world.ctx('member'), id, [world.patient.pat2, world.patient.pat1, world.patient.pat2]);
    expect(await enrolledIn(id)).toEqual([]);
    await deleteStudy(world.ctx('member'), id);
  });
});

describe('consentCountsOfStudies', () => {
  it('counts the enrolled patients’ answers per study and scope, over the patients the viewer may see', async () => {
    const studyId = await newStudy('Counted');
    const plain = await newStudy('Nothing asked');
    const em = fresh();
    for (const codeableConcept of [world.code.bp, world.code.hr]) {
      em.create(StudyScopeRequest, { study: studyId, codeableConcept });
    }
    const answer = (studyPatient: StudyPatient, codeableConcept: number, consented: boolean) =>
      em.create(StudyPatientScopeConsent, { studyPatient, codeableConcept, consented, consentedTime: new Date() });
    const pat1 = em.create(StudyPatient, { study: studyId, patient: world.patient.pat1 });
    const pat2 = em.create(StudyPatient, { study: studyId, patient: world.patient.pat2 });
    em.create(StudyPatient, { study: plain, patient: world.patient.pat2 });
    answer(pat1, world.code.bp, true);
    answer(pat1, world.code.hr, false);
    answer(pat2, world.code.bg, true); // a scope the study does not request: not counted
    await em.flush();
    const counts = async (who: Parameters<World['ctx']>[0]) => consentCountsOfStudies(world.ctx(who), [studyId, plain]);
    const scope = (code: number, consented: number, declined: number, pending: number) => ({
      codeableConceptId: code,
      consented,
      declined,
      pending,
    });
    const forViewer = await counts('viewer');
    expect(forViewer.get(studyId)).toEqual({
      enrolled: 2,
      fullyAnswered: 1,
      pending: 1,
      scopes: [scope(world.code.bp, 1, 0, 1), scope(world.code.hr, 0, 1, 1)].sort(
        (a, b) => a.codeableConceptId - b.codeableConceptId,
      ),
    });
    // nothing requested: every enrolled patient has answered all of it
    expect(forViewer.get(plain)).toEqual({ enrolled: 1, fullyAnswered: 1, pending: 0, scopes: [] });
    // a patient counts only their own answers
    expect((await counts('pat1')).get(studyId)).toMatchObject({ enrolled: 1, fullyAnswered: 1, pending: 0 });
    // no role in `a`: none of its patients
    for (const who of ['otherManager', 'parentManager', 'anonymous'] as const) {
      expect((await counts(who)).get(studyId), who).toMatchObject({ enrolled: 0, fullyAnswered: 0, pending: 0 });
      expect((await counts(who)).get(studyId)!.scopes.every((s) => s.consented + s.declined + s.pending === 0)).toBe(
        true,
      );
    }
    expect(await consentCountsOfStudies(world.ctx('sam'), [])).toEqual(new Map());
  });
});
