import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PatientOrganization,
  StudyPatient,
  StudyPatientScopeConsent,
  StudyScopeRequest,
} from '../src/db/entities/index.js';
import { InvalidError, NotFoundError } from '../src/errors.js';
import {
  consentedCodeIdsForPatient,
  getPatientConsents,
  type PatientConsents,
  revokeConsents,
  setConsents,
} from '../src/services/consents.js';
import type { TestDatabase } from './support/database.js';
import { setUpStudyWorld, outcomes, WHO, type World } from './support/study-world.js';

let db: TestDatabase;
let world: World;
beforeAll(async () => {
  ({ db, world } = await setUpStudyWorld());
  // pat1 also belongs to the other organization; pat1 and pat2 are enrolled in study A (bp, hr), pat1 in the
  // other organization's study too (bp)
  const em = db.orm.em.fork();
  em.create(PatientOrganization, { patient: world.patient.pat1, organization: world.org.other });
  em.create(StudyPatient, { study: world.study.a, patient: world.patient.pat1 });
  em.create(StudyPatient, { study: world.study.a, patient: world.patient.pat2 });
  em.create(StudyPatient, { study: world.study.other, patient: world.patient.pat1 });
  await em.flush();
});
afterAll(() => db?.drop());

/** A compact picture: per study id, `code id → consented` (null: pending); pending studies; consolidated codes. */
function summary(consents: PatientConsents) {
  return {
    studies: Object.fromEntries(
      consents.studies.map((s) => [
        s.study.id,
        Object.fromEntries(s.scopeConsents.map((c) => [c.codeableConcept.id, c.consented])),
      ]),
    ),
    pending: Object.fromEntries(
      consents.studiesPendingConsent.map((s) => [s.study.id, s.pendingScopes.map((c) => c.id)]),
    ),
    consolidated: consents.consolidatedConsentedScopes.map((c) => c.id),
  };
}

const consentRows = () => db.orm.em.fork().count(StudyPatientScopeConsent, {});
const codesFor = (patientId: number) => consentedCodeIdsForPatient(db.orm.em.fork(), patientId);

describe('reading consents', () => {
  it('shows the patient all their studies and a practitioner only their own organizations’ studies', async () => {
    const { a, other } = world.study;
    const seen = await outcomes(
      WHO,
      async (ctx, who) => {
        const studies = (await getPatientConsents(ctx, world.patient.pat1)).studies.map((s) => s.study.id);
        const expected = { manager: [a], member: [a], viewer: [a], otherManager: [other] }[who as string] ?? [a, other];
        expect(studies, who).toEqual(expected);
      },
      world,
    );
    expect(seen).toEqual({
      sam: 'ok',
      manager: 'ok',
      member: 'ok',
      viewer: 'ok',
      otherManager: 'ok',
      pat1: 'ok',
      parentManager: 'NotFoundError',
      pat2: 'NotFoundError',
      anonymous: 'NotFoundError',
    });
  });

  it('starts with every requested scope pending', async () => {
    const { bp, hr } = world.code;
    const consents = await getPatientConsents(world.ctx('pat1'), world.patient.pat1);
    expect(summary(consents)).toEqual({
      studies: { [world.study.a]: { [bp]: null, [hr]: null }, [world.study.other]: { [bp]: null } },
      pending: { [world.study.a]: [bp, hr], [world.study.other]: [bp] },
      consolidated: [],
    });
    expect(consents.studies[0]!.scopeConsents[0]!.consentedTime).toBeNull();
    expect(consents.patient.id).toBe(world.patient.pat1);
    expect(await codesFor(world.patient.pat1)).toEqual(new Set());
  });

  it('is empty for a patient enrolled nowhere', async () => {
    const em = db.orm.em.fork();
    await em.nativeDelete(StudyPatient, { patient: world.patient.pat2 });
    expect(summary(await getPatientConsents(world.ctx('pat2'), world.patient.pat2))).toEqual({
      studies: {},
      pending: {},
      consolidated: [],
    });
    em.create(StudyPatient, { study: world.study.a, patient: world.patient.pat2 });
    await em.flush();
  });
});

describe('answering consents', () => {
  const answer = (consented: boolean) => [
    { studyId: world.study.a, scopeConsents: [{ codeableConceptId: world.code.hr, consented }] },
  ];

  it('is the patient’s own act: everyone else is refused, and nothing is written', async () => {
    const before = await consentRows();
    const result = await outcomes(
      WHO.filter((who) => who !== 'pat1'),
      (ctx) => setConsents(ctx, world.patient.pat1, answer(true)),
      world,
    );
    expect(result).toEqual({
      sam: 'ForbiddenError',
      manager: 'ForbiddenError',
      member: 'ForbiddenError',
      viewer: 'ForbiddenError',
      otherManager: 'ForbiddenError',
      parentManager: 'NotFoundError',
      pat2: 'NotFoundError',
      anonymous: 'NotFoundError',
    });
    const revoked = await outcomes(
      ['sam', 'manager', 'pat2'],
      (ctx) =>
        revokeConsents(ctx, world.patient.pat1, [{ studyId: world.study.a, codeableConceptIds: [world.code.hr] }]),
      world,
    );
    expect(revoked).toEqual({ sam: 'ForbiddenError', manager: 'ForbiddenError', pat2: 'NotFoundError' });
    expect(await consentRows()).toBe(before);
  });

  it('goes pending → consented → revoked → consented again, and the upload codes follow', async () => {
    const { bp, hr } = world.code;
    const { a, other } = world.study;
    const ctx = world.ctx('pat1'); // one entity manager throughout, as within one request
    const first = await setConsents(ctx, world.patient.pat1, [
      {
        studyId: a,
        scopeConsents: [
          { codeableConceptId: bp, consented: true },
          { codeableConceptId: hr, consented: false },
        ],
      },
    ]);
    expect(summary(first)).toEqual({
      studies: { [a]: { [bp]: true, [hr]: false }, [other]: { [bp]: null } },
      pending: { [other]: [bp] },
      consolidated: [bp],
    });
    const consentedAt = first.studies[0]!.scopeConsents[0]!.consentedTime!;
    expect(consentedAt).toBeInstanceOf(Date);
    expect(await codesFor(world.patient.pat1)).toEqual(new Set([bp]));

    const revoked = await revokeConsents(ctx, world.patient.pat1, [{ studyId: a, codeableConceptIds: [bp] }]);
    expect(summary(revoked).studies[a]).toEqual({ [bp]: false, [hr]: false });
    expect(summary(revoked).consolidated).toEqual([]);
    expect(await codesFor(world.patient.pat1)).toEqual(new Set());

    const again = await setConsents(ctx, world.patient.pat1, [
      { studyId: a, scopeConsents: [{ codeableConceptId: bp, consented: true }] },
      { studyId: other, scopeConsents: [{ codeableConceptId: bp, consented: true }] },
    ]);
    expect(summary(again)).toEqual({
      studies: { [a]: { [bp]: true, [hr]: false }, [other]: { [bp]: true } },
      pending: {},
      consolidated: [bp],
    });
    expect(again.studies[0]!.scopeConsents[0]!.consentedTime!.getTime()).toBeGreaterThanOrEqual(consentedAt.getTime());

    // revoked for A, still shared with the other study: still uploadable, but A's practitioners see it revoked
    await revokeConsents(ctx, world.patient.pat1, [{ studyId: a, codeableConceptIds: [bp] }]);
    expect(await codesFor(world.patient.pat1)).toEqual(new Set([bp]));
    expect(summary(await getPatientConsents(world.ctx('manager'), world.patient.pat1))).toEqual({
      studies: { [a]: { [bp]: false, [hr]: false } },
      pending: {},
      consolidated: [],
    });
    expect(summary(await getPatientConsents(world.ctx('otherManager'), world.patient.pat1)).consolidated).toEqual([bp]);
    // pat2, in the same study, is untouched
    expect(summary(await getPatientConsents(world.ctx('pat2'), world.patient.pat2)).pending).toEqual({ [a]: [bp, hr] });
  });

  it('refuses unknown studies, unrequested codes, repeats and bad input, all or nothing', async () => {
    const ctx = world.ctx('pat2');
    const before = await consentRows();
    const ok = { codeableConceptId: world.code.bp, consented: true };
    await expect(
      setConsents(ctx, world.patient.pat2, [{ studyId: world.study.other, scopeConsents: [ok] }]),
    ).rejects.toThrow(new NotFoundError('Study', world.study.other));
    await expect(
      setConsents(ctx, world.patient.pat2, [
        { studyId: world.study.a, scopeConsents: [ok, { codeableConceptId: world.code.bg, consented: true }] },
      ]),
    ).rejects.toMatchObject({ code: 'INVALID', path: '0.scopeConsents.1.codeableConceptId' });
    await expect(
      setConsents(ctx, world.patient.pat2, [
        { studyId: world.study.a, scopeConsents: [ok] },
        { studyId: world.study.a, scopeConsents: [{ ...ok, consented: false }] },
      ]),
    ).rejects.toThrow(/answered twice/);
    await expect(
      revokeConsents(ctx, world.patient.pat2, [
        { studyId: world.study.a, codeableConceptIds: [world.code.hr, 999_999] },
      ]),
    ).rejects.toMatchObject({ path: '0.codeableConceptIds.1' });
    await expect(
      setConsents(ctx, world.patient.pat2, [
        { studyId: world.study.a, scopeConsents: [{ codeableConceptId: world.code.bp } as never] },
      ]),
    ).rejects.toMatchObject({ path: '0.scopeConsents.0.consented' });
    await expect(setConsents(ctx, world.patient.pat2, [])).rejects.toThrow(InvalidError);
    await expect(setConsents(ctx, 999_999, [{ studyId: world.study.a, scopeConsents: [ok] }])).rejects.toThrow(
      NotFoundError,
    );
    expect(await consentRows()).toBe(before);
  });
});

describe('consentedCodeIdsForPatient', () => {
  it('ignores answers to scopes a study no longer requests', async () => {
    const em = db.orm.em.fork();
    const enrollment = await em.findOneOrFail(StudyPatient, { study: world.study.a, patient: world.patient.pat2 });
    em.create(StudyPatientScopeConsent, {
      studyPatient: enrollment,
      codeableConcept: world.code.bg,
      consented: true,
      consentedTime: new Date(),
    });
    await em.flush();
    expect(await em.count(StudyScopeRequest, { study: world.study.a, codeableConcept: world.code.bg })).toBe(0);
    expect(await codesFor(world.patient.pat2)).toEqual(new Set());
    expect(summary(await getPatientConsents(world.ctx('pat2'), world.patient.pat2)).consolidated).toEqual([]);
  });
});
