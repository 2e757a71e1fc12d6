import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canAnswerConsents,
  canCreateTopLevelOrganization,
  canDeleteOrganization,
  canEditCatalog,
  canEditOrganization,
  canEditOrganizationContent,
  canViewOrganization,
  observationPairs,
  observationScope,
  patientScope,
  seesWholeStudy,
  type SqlCondition,
  studyPairScope,
  type Viewer,
  wholeStudyPairScope,
} from '../src/policy/index.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { CODE, ORG, PATIENT, type SeedUser, STUDY, seedViewer } from './support/seed-viewers.js';

let db: TestDatabase;
let em: EntityManager;
const viewers = {} as Record<SeedUser | 'anonymous', Viewer>;
const everyone = ['sam', 'mary', 'megan', 'victor', 'tom', 'mark', 'peter', 'anonymous'] as const;

beforeAll(async () => {
  db = await createTestDatabase('seeded');
  em = db.orm.em.fork();
  for (const who of [...everyone, 'pamela', 'percy', 'paul', 'pat'] as const) viewers[who] = await seedViewer(em, who);
});
afterAll(() => db?.drop());

/** Who, of `everyone`, passes the predicate. */
const allowed = (predicate: (v: Viewer) => boolean) => everyone.filter((who) => predicate(viewers[who]));

describe('role table (ARCHITECTURE.md section 3) on the demo seed', () => {
  it('only a super user creates top-level organizations and edits the catalog', () => {
    expect(allowed(canCreateTopLevelOrganization)).toEqual(['sam']);
    expect(allowed(canEditCatalog)).toEqual(['sam']);
  });

  it('managers edit their organization; roles do not inherit down the tree', () => {
    expect(allowed((v) => canEditOrganization(v, ORG.bids))).toEqual(['sam', 'mary']);
    expect(allowed((v) => canEditOrganization(v, ORG.olgin))).toEqual(['sam', 'tom']);
    // mark manages Cardiology, the parent of both labs, but holds a role only in Moslehi
    expect(allowed((v) => canEditOrganization(v, ORG.moslehi))).toEqual(['sam', 'mark']);
    expect(allowed((v) => canEditOrganization(v, ORG.cardiology))).toEqual(['sam', 'mark']);
  });

  it('members and managers edit content; viewers do not', () => {
    expect(allowed((v) => canEditOrganizationContent(v, ORG.bids))).toEqual(['sam', 'mary', 'megan']);
    expect(allowed((v) => canEditOrganizationContent(v, ORG.moslehi))).toEqual(['sam', 'tom', 'mark']);
    expect(allowed((v) => canEditOrganizationContent(v, ORG.olgin))).toEqual(['sam', 'tom']);
  });

  it('any role views; nothing is inherited up or down', () => {
    expect(allowed((v) => canViewOrganization(v, ORG.bids))).toEqual(['sam', 'mary', 'megan', 'victor', 'tom']);
    expect(allowed((v) => canViewOrganization(v, ORG.ccdss))).toEqual(['sam', 'mary']);
    expect(allowed((v) => canViewOrganization(v, ORG.olgin))).toEqual(['sam', 'tom']);
    expect(allowed((v) => canViewOrganization(v, ORG.ucsf))).toEqual(['sam', 'mark']);
  });

  it('deleting an organization takes a manager of its parent', () => {
    expect(allowed((v) => canDeleteOrganization(v, { partOfId: ORG.ccdss }))).toEqual(['sam', 'mary']);
    expect(allowed((v) => canDeleteOrganization(v, { partOfId: ORG.cardiology }))).toEqual(['sam', 'mark']);
    expect(allowed((v) => canDeleteOrganization(v, { partOfId: null }))).toEqual(['sam']);
  });

  it('consents are answered by the patient only', () => {
    expect(allowed((v) => canAnswerConsents(v, PATIENT.peter))).toEqual(['peter']);
    expect(canAnswerConsents(viewers.pamela, PATIENT.peter)).toBe(false);
  });
});

async function visiblePatients(viewer: Viewer): Promise<number[]> {
  const scope = patientScope(viewer, 'p.id');
  const rows = await em
    .getConnection()
    .execute<{ id: number }[]>(`select p.id from patients p where ${scope.sql} order by p.id`, scope.params);
  return rows.map((r) => r.id);
}

/** `patient:code` pairs of the observations the viewer sees, computed by the database. */
async function visibleObservationKinds(viewer: Viewer): Promise<string[]> {
  const scope = observationScope(viewer, 'o');
  const rows = await em
    .getConnection()
    .execute<{ kind: string }[]>(
      `select distinct o.subject_patient_id || ':' || o.codeable_concept_id as kind from observations o where ${scope.sql} order by 1`,
      scope.params,
    );
  return rows.map((r) => r.kind);
}

const kind = (patient: number, code: number) => `${patient}:${code}`;

/** `patient:code` pairs a study holds consent for, narrowed by `scope` on them (alias `p`). */
async function studyPairs(study: number, scope: SqlCondition): Promise<string[]> {
  const rows = await em.getConnection().execute<{ kind: string }[]>(
    `select p.patient_id || ':' || p.codeable_concept_id as kind from (
        select sp.study_id, sp.patient_id, c.codeable_concept_id from study_patients sp
        join study_patient_scope_consents c on c.study_patient_id = sp.id and c.consented
        join study_scope_requests r on r.study_id = sp.study_id and r.codeable_concept_id = c.codeable_concept_id
      ) p
      where p.study_id = ? and ${scope.sql} order by 1`,
    [study, ...scope.params],
  );
  return rows.map((r) => r.kind);
}

async function setConsent(study: number, patient: number, code: number, consented: boolean | null) {
  const [sp] = await em
    .getConnection()
    .execute<{ id: number }[]>('select id from study_patients where study_id = ? and patient_id = ?', [study, patient]);
  await em
    .getConnection()
    .execute('delete from study_patient_scope_consents where study_patient_id = ? and codeable_concept_id = ?', [
      sp!.id,
      code,
    ]);
  if (consented !== null) {
    await em
      .getConnection()
      .execute(
        'insert into study_patient_scope_consents (study_patient_id, codeable_concept_id, consented, consented_time) values (?, ?, ?, now())',
        [sp!.id, code, consented],
      );
  }
}

describe('SQL scopes on the demo seed', () => {
  it('patients: those of the viewer’s organizations, or themself', async () => {
    expect(await visiblePatients(viewers.mary)).toEqual([PATIENT.peter, PATIENT.pamela]);
    expect(await visiblePatients(viewers.victor)).toEqual([PATIENT.peter, PATIENT.pamela]);
    expect(await visiblePatients(viewers.tom)).toEqual([
      PATIENT.peter,
      PATIENT.pamela,
      PATIENT.percy,
      PATIENT.paul,
      PATIENT.pat,
    ]);
    expect(await visiblePatients(viewers.mark)).toEqual([PATIENT.percy, PATIENT.pat]);
    expect(await visiblePatients(viewers.peter)).toEqual([PATIENT.peter]);
    expect(await visiblePatients(viewers.anonymous)).toEqual([]);
    expect((await visiblePatients(viewers.sam)).length).toBe(5);
  });

  it('observations: consent-gated per study, organization and code', async () => {
    const bids = [
      kind(PATIENT.peter, CODE.bp),
      kind(PATIENT.peter, CODE.hr),
      kind(PATIENT.pamela, CODE.bp),
      kind(PATIENT.pamela, CODE.hr),
    ];
    for (const who of ['mary', 'megan', 'victor'] as const)
      expect(await visibleObservationKinds(viewers[who])).toEqual(bids);
    // tom: BIDS (viewer), Moslehi (member), Olgin (manager); no role in Cardiology, so not pat's respiratory rate
    expect(await visibleObservationKinds(viewers.tom)).toEqual([
      ...bids,
      kind(PATIENT.percy, CODE.bt),
      kind(PATIENT.paul, CODE.o2),
      kind(PATIENT.pat, CODE.o2),
    ]);
    // mark: Cardiology and Moslehi, but not Olgin, so not pat's oxygen saturation
    expect(await visibleObservationKinds(viewers.mark)).toEqual([
      kind(PATIENT.percy, CODE.bt),
      kind(PATIENT.pat, CODE.rr),
    ]);
    expect(await visibleObservationKinds(viewers.peter)).toEqual([
      kind(PATIENT.peter, CODE.bp),
      kind(PATIENT.peter, CODE.hr),
    ]);
    expect(await visibleObservationKinds(viewers.anonymous)).toEqual([]);
    expect((await visibleObservationKinds(viewers.sam)).length).toBe(8);
  });

  it('revoking hides at once, re-consenting shows again, pending never shows', async () => {
    const peterHr = kind(PATIENT.peter, CODE.hr);
    const peterBp = kind(PATIENT.peter, CODE.bp);
    await setConsent(STUDY.bidsBpHr, PATIENT.peter, CODE.hr, false);
    expect(await visibleObservationKinds(viewers.mary)).not.toContain(peterHr);
    expect(await visibleObservationKinds(viewers.peter)).toContain(peterHr); // the patient still sees their own
    await setConsent(STUDY.bidsBpHr, PATIENT.peter, CODE.hr, true);
    expect(await visibleObservationKinds(viewers.mary)).toContain(peterHr);

    // peter's blood pressure: consented in 30001, only requested (pending) in 30002
    await setConsent(STUDY.bidsBpHr, PATIENT.peter, CODE.bp, null);
    expect(await visibleObservationKinds(viewers.mary)).not.toContain(peterBp);
    await setConsent(STUDY.bidsBp, PATIENT.peter, CODE.bp, true);
    expect(await visibleObservationKinds(viewers.mary)).toContain(peterBp);
    await setConsent(STUDY.bidsBp, PATIENT.peter, CODE.bp, null);
    await setConsent(STUDY.bidsBpHr, PATIENT.peter, CODE.bp, true);
  });

  it('a study’s pairs: all of them to its own organization, otherwise only those the viewer’s pairs hold', async () => {
    const studies = await em
      .getConnection()
      .execute<{ id: number; organization_id: number }[]>('select id, organization_id from studies');
    const organizationOf = new Map(studies.map((s) => [s.id, s.organization_id]));
    const visible = (who: keyof typeof viewers, study: number) =>
      studyPairs(study, studyPairScope(viewers[who], 'p', organizationOf.get(study)!));
    const olgin = await visible('sam', STUDY.olginO2);
    expect(olgin).toContain(kind(PATIENT.pat, CODE.o2));
    expect(await visible('tom', STUDY.olginO2)).toEqual(olgin);
    expect(await visible('mark', STUDY.olginO2)).toEqual([]);
    const bids = await visible('sam', STUDY.bidsBpHr);
    expect(await visible('mary', STUDY.bidsBpHr)).toEqual(bids);
    expect(await visible('peter', STUDY.bidsBpHr)).toEqual(bids.filter((k) => k.startsWith(`${PATIENT.peter}:`)));
    expect(await visible('anonymous', STUDY.bidsBpHr)).toEqual([]);
    // the same answer as matching every study's pairs against the viewer's pairs, for every viewer and study
    for (const who of [...everyone, 'pat'] as const) {
      const pairs = observationPairs(viewers[who]);
      const viaPairs: SqlCondition = pairs
        ? { sql: `(p.patient_id, p.codeable_concept_id) in (${pairs.sql})`, params: pairs.params }
        : { sql: 'true', params: [] };
      for (const study of Object.values(STUDY)) {
        const answer = await visible(who, study);
        expect(answer, `${who} ${study}`).toEqual(await studyPairs(study, viaPairs));
        // read before the study's organization is known: the same pairs when the viewer sees it whole, else none
        const whole = seesWholeStudy(viewers[who], organizationOf.get(study)!);
        const unknownOrganization = await studyPairs(study, wholeStudyPairScope(viewers[who], study));
        expect(unknownOrganization, `${who} ${study} before its organization is known`).toEqual(whole ? answer : []);
      }
    }
    expect(seesWholeStudy(viewers.mary, organizationOf.get(STUDY.bidsBpHr)!)).toBe(true);
    expect(seesWholeStudy(viewers.peter, organizationOf.get(STUDY.bidsBpHr)!)).toBe(false);
  });

  it('a consent to a study of another organization grants nothing here', async () => {
    // pat consented O2 to Olgin's study; mark (Cardiology, where pat also belongs) still cannot see it
    expect(await visibleObservationKinds(viewers.mark)).not.toContain(kind(PATIENT.pat, CODE.o2));
    expect(await visiblePatients(viewers.mark)).toContain(PATIENT.pat);
  });
});
