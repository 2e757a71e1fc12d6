import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Patient, PatientOrganization } from '../src/db/entities/index.js';
import { InvalidError, NotFoundError } from '../src/errors.js';
import { encodeCursor } from '../src/services/paging.js';
import { addPatientToOrganization, countPatients, listPatients } from '../src/services/patients.js';
import type { TestDatabase } from './support/database.js';
import {
  as as contextAs,
  enrollWithData,
  type PatientMaker,
  type PatientWorld,
  setUpPatientWorld,
  type Who,
} from './support/patient-fixtures.js';

let db: TestDatabase;
let world: PatientWorld;
const as = (who: Who) => contextAs(db, who);
let newPatient: PatientMaker;

beforeAll(async () => {
  ({ db, world, newPatient } = await setUpPatientWorld('listed'));
  for (let i = 0; i < 7; i += 1) await newPatient(world.org.top);
  for (let i = 0; i < 5; i += 1) await newPatient(world.org.other);
  await newPatient(world.org.child);
  // one patient of both Top and Other: listed once to those who see both
  await addPatientToOrganization(await as('sam'), (await newPatient(world.org.top)).id, world.org.other);
});
afterAll(() => db?.drop());

describe('listPatients and countPatients', () => {
  async function allIds(who: Who, filter: { organizationId?: number; studyId?: number } = {}, first = 3) {
    const ids: number[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 100; pages += 1) {
      const page = await listPatients(await as(who), { ...filter, first, after });
      ids.push(...page.nodes.map((p) => p.id));
      expect(page.nodes.length).toBeLessThanOrEqual(first);
      if (!page.hasNextPage) return ids;
      expect(page.endCursor).not.toBeNull();
      after = page.endCursor;
    }
    throw new Error('paging did not end');
  }
  const idsIn = async (organizationId: number) =>
    (await db.orm.em.fork().find(PatientOrganization, { organization: organizationId })).map((l) => l.patient.id);

  it('pages through the visible patients by id without duplicates, matching the count', async () => {
    const topIds = (await idsIn(world.org.top)).sort((a, b) => a - b);
    expect(topIds.length).toBeGreaterThan(6);
    for (const who of ['mary', 'vic'] as const) {
      const ids = await allIds(who);
      expect(ids).toEqual(topIds);
      expect(await countPatients(await as(who))).toBe(topIds.length);
    }
    const everyone = await allIds('sam', {}, 4);
    expect(new Set(everyone).size).toBe(everyone.length);
    expect(everyone).toEqual([...everyone].sort((a, b) => a - b));
    expect(everyone).toHaveLength(await db.orm.em.fork().count(Patient));
    expect(await countPatients(await as('sam'))).toBe(everyone.length);
  });

  it('scopes to the viewer: no inheritance into sub-organizations, patients see themselves, anonymous nothing', async () => {
    const childIds = await idsIn(world.org.child);
    expect(childIds.length).toBeGreaterThan(0);
    expect((await allIds('mary')).some((id) => childIds.includes(id))).toBe(false);
    expect(await allIds('carl')).toEqual(childIds.sort((a, b) => a - b));
    expect(await allIds('pat')).toEqual([world.patId]);
    expect(await allIds('anonymous')).toEqual([]);
    expect(await countPatients(await as('anonymous'))).toBe(0);
    const both = await allIds('vera');
    expect(both.length).toBe(new Set([...(await idsIn(world.org.top)), ...(await idsIn(world.org.other))]).size);
  });

  it('filters by a visible organization or study, NotFound for invisible ones', async () => {
    const otherIds = (await idsIn(world.org.other)).sort((a, b) => a - b);
    expect(await allIds('vera', { organizationId: world.org.other })).toEqual(otherIds);
    expect(await countPatients(await as('vera'), { organizationId: world.org.other })).toBe(otherIds.length);
    const enrolled = await newPatient(world.org.top);
    await enrollWithData(db, world, enrolled.id, world.study.top);
    expect(await allIds('vic', { studyId: world.study.top })).toEqual([enrolled.id]);
    expect(await countPatients(await as('vic'), { studyId: world.study.top })).toBe(1);
    expect(await allIds('mona', { organizationId: world.org.top, studyId: world.study.top })).toEqual([enrolled.id]);
    await expect(listPatients(await as('mary'), { organizationId: world.org.other })).rejects.toThrow(
      new NotFoundError('Organization', world.org.other),
    );
    await expect(countPatients(await as('mary'), { organizationId: world.org.child })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(listPatients(await as('oscar'), { studyId: world.study.top })).rejects.toThrow(
      new NotFoundError('Study', world.study.top),
    );
    await expect(listPatients(await as('anonymous'), { studyId: world.study.top })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('rejects cursors it did not issue and bad page sizes', async () => {
    const sam = await as('sam');
    for (const after of ['garbage', Buffer.from('id:abc').toString('base64url'), 'aWQ6']) {
      await expect(listPatients(sam, { after })).rejects.toMatchObject({ path: 'after' });
    }
    for (const first of [-1, 1.5, 1001]) {
      await expect(listPatients(sam, { first })).rejects.toBeInstanceOf(InvalidError);
    }
    const beyond = await listPatients(sam, { after: encodeCursor(99_999_999_999) });
    expect(beyond).toMatchObject({ nodes: [], hasNextPage: false, endCursor: null });
    const none = await listPatients(sam, { first: 0 });
    expect(none).toMatchObject({ nodes: [], hasNextPage: true });
  });
});

describe('searching patients by name, email and birth date', () => {
  let topAnna: number;
  let topJoanne: number;
  let otherAnna: number;
  beforeAll(async () => {
    topAnna = (
      await newPatient(world.org.top, {
        nameFamily: 'Searchwell',
        nameGiven: 'Anna',
        email: 'Anna.Searchwell@Example.com',
        birthDate: '1984-05-06',
      })
    ).id;
    topJoanne = (await newPatient(world.org.top, { nameFamily: 'Hannaford', nameGiven: 'Joanne' })).id;
    otherAnna = (await newPatient(world.org.other, { nameFamily: 'Searchwell', nameGiven: 'Anna' })).id;
  });
  const ids = async (who: Who, filter: Record<string, string>) =>
    (await listPatients(await as(who), { ...filter, first: 1000 })).nodes.map((p) => p.id).sort((a, b) => a - b);

  it('name: a part of the given or the family name, in any case; family and given: their start', async () => {
    expect(await ids('mona', { name: 'ANNA' })).toEqual([topAnna, topJoanne]); // Anna, HANNAford
    expect(await ids('mona', { name: 'rchwe' })).toEqual([topAnna]);
    expect(await ids('mona', { family: 'search' })).toEqual([topAnna]);
    expect(await ids('mona', { family: 'rchwell' })).toEqual([]); // not a start
    expect(await ids('mona', { given: 'jo', name: 'hanna' })).toEqual([topJoanne]); // every argument narrows
    expect(await countPatients(await as('mona'), { name: 'anna' })).toBe(2);
  });

  it('email exactly but for case and spaces; birth date exactly', async () => {
    expect(await ids('mona', { email: '  anna.searchwell@example.COM ' })).toEqual([topAnna]);
    expect(await ids('mona', { email: 'anna.searchwell@example.co' })).toEqual([]);
    expect(await ids('mona', { birthDate: '1984-05-06' })).toEqual([topAnna]);
    expect(await ids('mona', { birthDate: '1984-05-07' })).toEqual([]);
  });

  it('finds only the patients the viewer may see, as the list does', async () => {
    expect(await ids('oscar', { family: 'Searchwell' })).toEqual([otherAnna]);
    expect(await ids('multi', { family: 'Searchwell' })).toEqual([topAnna, otherAnna]);
    expect(await ids('carl', { family: 'Searchwell' })).toEqual([]); // Child's member: no role in Top
    expect(await ids('sam', { family: 'Searchwell' })).toEqual([topAnna, otherAnna]);
    expect(await ids('pat', { name: 'anna' })).toEqual([]); // a patient: their own record alone
    expect(await ids('anonymous', { name: 'anna' })).toEqual([]);
  });

  it('refuses empty, too long and malformed values', async () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ name: '   ' }, /^name: must not be empty/],
      [{ family: 'x'.repeat(151) }, /^family: must be at most 150 characters/],
      [{ given: '' }, /^given: must not be empty/],
      [{ email: 'not-an-email' }, /^email: must be an email address/],
      [{ birthDate: '1984-02-30' }, /^birthDate: must be a date/],
      [{ birthDate: '06/05/1984' }, /^birthDate: must be a date/],
      [{ name: 'a\u0000b' }, /^name: must not contain NUL/],
    ];
    for (const [filter, message] of bad) {
      await expect(listPatients(await as('mona'), filter), JSON.stringify(filter)).rejects.toThrow(message);
      await expect(listPatients(await as('mona'), filter)).rejects.toBeInstanceOf(InvalidError);
    }
  });
});
