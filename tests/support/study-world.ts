import type { EntityManager } from '@mikro-orm/postgresql';
import {
  CodeableConcept,
  DataSource,
  Organization,
  Patient,
  PatientOrganization,
  Practitioner,
  PractitionerOrganization,
  type Role,
  Study,
  StudyDataSource,
  StudyScopeRequest,
  User,
} from '../../src/db/entities/index.js';
import type { Orm } from '../../src/db/orm.js';
import { ANONYMOUS, loadViewer, type Viewer } from '../../src/policy/viewer.js';
import type { ServiceContext } from '../../src/services/context.js';
import { createTestDatabase } from './database.js';

/**
 * A small world for service tests on an empty database: organization `a` (a sub-organization of `parent`)
 * with a manager, member and viewer; `other`, an unrelated organization with its own manager; `parentManager`,
 * who manages `parent` but holds no role in `a`; patients `pat1`, `pat2` (users, of `a`) and `patOther` (of
 * `other`); three codes, two data sources, and one study in each of `a` and `other`.
 */
export const WHO = [
  'sam',
  'manager',
  'member',
  'viewer',
  'otherManager',
  'parentManager',
  'pat1',
  'pat2',
  'anonymous',
] as const;
export type Who = (typeof WHO)[number];

export interface World {
  org: { parent: number; a: number; other: number };
  patient: { pat1: number; pat2: number; patOther: number };
  code: { bp: number; hr: number; bg: number };
  source: { cuff: number; watch: number };
  study: { a: number; other: number };
  viewers: Record<Who, Viewer>;
  /** a fresh entity manager (like one request) acting as `who` */
  ctx(who: Who): ServiceContext;
}

export async function buildWorld(orm: Orm): Promise<World> {
  const em = orm.em.fork() as EntityManager;
  const user = (email: string, kind: 'practitioner' | 'patient', isSuperuser = false) =>
    em.create(User, { email, kind, isSuperuser });
  const parent = em.create(Organization, { name: 'Parent', type: 'edu' });
  const a = em.create(Organization, { name: 'Lab A', type: 'team', partOf: parent });
  const other = em.create(Organization, { name: 'Other', type: 'prov' });
  const users = {
    sam: user('sam@example.com', 'practitioner', true),
    manager: user('manager@example.com', 'practitioner'),
    member: user('member@example.com', 'practitioner'),
    viewer: user('viewer@example.com', 'practitioner'),
    otherManager: user('other@example.com', 'practitioner'),
    parentManager: user('parent@example.com', 'practitioner'),
    pat1: user('pat1@example.com', 'patient'),
    pat2: user('pat2@example.com', 'patient'),
  };
  const practitioner = (u: User, organization: Organization, role: Role) =>
    em.create(PractitionerOrganization, { practitioner: em.create(Practitioner, { user: u }), organization, role });
  practitioner(users.manager, a, 'manager');
  practitioner(users.member, a, 'member');
  practitioner(users.viewer, a, 'viewer');
  practitioner(users.otherManager, other, 'manager');
  practitioner(users.parentManager, parent, 'manager');
  const patient = (u: User | null, email: string, organization: Organization) => {
    const p = em.create(Patient, { user: u, nameFamily: 'Doe', nameGiven: email.split('@')[0]!, email });
    em.create(PatientOrganization, { patient: p, organization });
    return p;
  };
  const pat1 = patient(users.pat1, 'pat1@example.com', a);
  const pat2 = patient(users.pat2, 'pat2@example.com', a);
  const patOther = patient(null, 'pat-other@example.com', other);
  const concept = (code: string, text: string) =>
    em.create(CodeableConcept, { codingSystem: 'https://w3id.org/openmhealth', codingCode: code, text });
  const bp = concept('omh:blood-pressure:4.0', 'Blood pressure');
  const hr = concept('omh:heart-rate:2.0', 'Heart rate');
  const bg = concept('omh:blood-glucose:4.0', 'Blood glucose');
  const cuff = em.create(DataSource, { name: 'Cuff', type: 'medical_device' });
  const watch = em.create(DataSource, { name: 'Watch', type: 'personal_device' });
  const studyA = em.create(Study, { organization: a, name: 'Study A' });
  const studyOther = em.create(Study, { organization: other, name: 'Study Other' });
  for (const codeableConcept of [bp, hr]) em.create(StudyScopeRequest, { study: studyA, codeableConcept });
  em.create(StudyScopeRequest, { study: studyOther, codeableConcept: bp });
  em.create(StudyDataSource, { study: studyA, dataSource: cuff });
  await em.flush();

  const viewers = { anonymous: ANONYMOUS } as Record<Who, Viewer>;
  for (const [who, u] of Object.entries(users)) viewers[who as Who] = await loadViewer(em, u.id);
  return {
    org: { parent: parent.id, a: a.id, other: other.id },
    patient: { pat1: pat1.id, pat2: pat2.id, patOther: patOther.id },
    code: { bp: bp.id, hr: hr.id, bg: bg.id },
    source: { cuff: cuff.id, watch: watch.id },
    study: { a: studyA.id, other: studyOther.id },
    viewers,
    ctx: (who) => ({ em: orm.em.fork() as EntityManager, viewer: viewers[who] }),
  };
}

/** Runs `attempt` as each of `whos`; returns who succeeded, and the error class name of those who failed. */
export async function outcomes(
  whos: readonly Who[],
  attempt: (ctx: ServiceContext, who: Who) => Promise<unknown>,
  world: World,
): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const who of whos) {
    try {
      await attempt(world.ctx(who), who);
      result[who] = 'ok';
    } catch (error) {
      result[who] = error instanceof Error ? error.constructor.name : String(error);
    }
  }
  return result;
}

/** A test file's own empty database with the study world in it. */
export async function setUpStudyWorld() {
  const db = await createTestDatabase('empty');
  return { db, world: await buildWorld(db.orm) };
}
