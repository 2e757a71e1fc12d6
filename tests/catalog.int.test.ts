import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeableConcept, DataSource, Observation, StudyDataSource } from '../src/db/entities/index.js';
import { ConflictError, InvalidError, NotFoundError } from '../src/errors.js';
import {
  createCodeableConcept,
  findCodeableConceptByCoding,
  getCodeableConcept,
  listCodeableConcepts,
  updateCodeableConcept,
} from '../src/services/codeable-concepts.js';
import {
  addDataSourceScope,
  createDataSource,
  dataSourceSupportedScopes,
  deleteDataSource,
  getDataSource,
  listDataSources,
  removeDataSourceScope,
  updateDataSource,
} from '../src/services/data-sources.js';
import type { TestDatabase } from './support/database.js';
import { outcomes, setUpStudyWorld, WHO, type World } from './support/study-world.js';

let db: TestDatabase;
let world: World;
beforeAll(async () => {
  ({ db, world } = await setUpStudyWorld());
});
afterAll(() => db?.drop());

const OMH = 'https://w3id.org/openmhealth';
const everyoneBut = (...skip: string[]) => WHO.filter((who) => !skip.includes(who));
const count = (entity: typeof CodeableConcept | typeof DataSource) => db.orm.em.fork().count(entity, {});
const expectAllDenied = (result: Record<string, string>, except: string, anonymous = 'ForbiddenError') => {
  for (const [who, outcome] of Object.entries(result)) {
    if (who === except) expect(outcome, who).toBe('ok');
    else expect(outcome, who).toBe(who === 'anonymous' ? anonymous : 'ForbiddenError');
  }
};

describe('reading the catalog', () => {
  it('is open to every signed-in user (practitioners and patients) and closed to anonymous', async () => {
    const lists = await outcomes(WHO, (ctx) => listCodeableConcepts(ctx), world);
    expect(lists).toEqual({
      ...Object.fromEntries(everyoneBut('anonymous').map((w) => [w, 'ok'])),
      anonymous: 'UnauthenticatedError',
    });
    const sources = await outcomes(WHO, (ctx) => getDataSource(ctx, world.source.cuff), world);
    expect(sources.pat1).toBe('ok');
    expect(sources.anonymous).toBe('UnauthenticatedError');
    expect((await listDataSources(world.ctx('pat1'))).map((d) => d.name)).toEqual(['Cuff', 'Watch']);
    expect((await getCodeableConcept(world.ctx('viewer'), world.code.hr)).text).toBe('Heart rate');
    await expect(getCodeableConcept(world.ctx('viewer'), 999_999)).rejects.toThrow(NotFoundError);
    await expect(getDataSource(world.ctx('viewer'), 999_999)).rejects.toThrow(NotFoundError);
  });

  it('finds a concept by its exact coding', async () => {
    const em = db.orm.em.fork();
    expect((await findCodeableConceptByCoding(em, OMH, 'omh:heart-rate:2.0'))?.id).toBe(world.code.hr);
    expect(await findCodeableConceptByCoding(em, OMH, 'OMH:HEART-RATE:2.0')).toBeNull();
    expect(await findCodeableConceptByCoding(em, 'http://other', 'omh:heart-rate:2.0')).toBeNull();
  });
});

describe('codeable concepts', () => {
  it('only a super user creates them', async () => {
    const before = await count(CodeableConcept);
    const result = await outcomes(
      WHO,
      (ctx, who) => createCodeableConcept(ctx, { codingSystem: OMH, codingCode: `omh:x-${who}:1.0`, text: who }),
      world,
    );
    expectAllDenied(result, 'sam');
    expect(await count(CodeableConcept)).toBe(before + 1);
    const created = await findCodeableConceptByCoding(db.orm.em.fork(), OMH, 'omh:x-sam:1.0');
    expect(created?.id).toBeGreaterThanOrEqual(50001);
  });

  it('refuses a duplicate coding and bad input without writing', async () => {
    const before = await count(CodeableConcept);
    const sam = world.ctx('sam');
    await expect(
      createCodeableConcept(sam, { codingSystem: OMH, codingCode: 'omh:heart-rate:2.0', text: 'again' }),
    ).rejects.toThrow(ConflictError);
    await expect(createCodeableConcept(sam, { codingSystem: OMH, codingCode: ' ', text: 'x' })).rejects.toMatchObject({
      code: 'INVALID',
      path: 'codingCode',
    });
    await expect(
      createCodeableConcept(sam, { codingSystem: OMH, codingCode: 'c', text: 'x'.repeat(256) }),
    ).rejects.toMatchObject({ path: 'text' });
    expect(await count(CodeableConcept)).toBe(before);
  });

  it('only a super user edits the text', async () => {
    const result = await outcomes(
      WHO,
      (ctx, who) => updateCodeableConcept(ctx, world.code.bg, { text: `BG ${who}` }),
      world,
    );
    expectAllDenied(result, 'sam');
    expect((await getCodeableConcept(world.ctx('pat1'), world.code.bg)).text).toBe('BG sam');
    await expect(updateCodeableConcept(world.ctx('sam'), world.code.bg, {})).rejects.toThrow(InvalidError);
    await expect(updateCodeableConcept(world.ctx('sam'), 999_999, { text: 'x' })).rejects.toThrow(NotFoundError);
  });
});

describe('data sources', () => {
  it('only a super user creates one, with its supported scopes', async () => {
    const before = await count(DataSource);
    const result = await outcomes(
      WHO,
      (ctx, who) =>
        createDataSource(ctx, { name: `Ring ${who}`, type: 'personal_device', supportedScopeIds: [world.code.hr] }),
      world,
    );
    expectAllDenied(result, 'sam');
    expect(await count(DataSource)).toBe(before + 1);
    const ring = await db.orm.em.fork().findOneOrFail(DataSource, { name: 'Ring sam' });
    expect(ring.id).toBeGreaterThanOrEqual(70001);
    const scopes = await dataSourceSupportedScopes(db.orm.em.fork(), [ring.id, world.source.watch]);
    expect(scopes.get(ring.id)?.map((c) => c.id)).toEqual([world.code.hr]);
    expect(scopes.get(world.source.watch)).toBeUndefined();
  });

  it('refuses unknown scopes, duplicate names and bad types without writing', async () => {
    const before = await count(DataSource);
    const sam = world.ctx('sam');
    await expect(
      createDataSource(sam, { name: 'Scale', type: 'device', supportedScopeIds: [world.code.bp, 999_999] }),
    ).rejects.toThrow(/Codeable concept 999999 not found/);
    await expect(createDataSource(sam, { name: 'Cuff', type: 'device' })).rejects.toThrow(ConflictError);
    await expect(createDataSource(sam, { name: 'Scale', type: 'toaster' as never })).rejects.toMatchObject({
      path: 'type',
    });
    expect(await count(DataSource)).toBe(before);
  });

  it('only a super user edits one; names stay unique', async () => {
    const result = await outcomes(
      WHO,
      (ctx) => updateDataSource(ctx, world.source.watch, { type: 'patient_app' }),
      world,
    );
    expectAllDenied(result, 'sam');
    const sam = world.ctx('sam');
    await expect(updateDataSource(sam, world.source.watch, { name: 'Cuff' })).rejects.toThrow(ConflictError);
    await expect(updateDataSource(sam, world.source.watch, {})).rejects.toThrow(InvalidError);
    const renamed = await updateDataSource(sam, world.source.watch, { name: 'Smart watch' });
    expect(renamed).toMatchObject({ name: 'Smart watch', type: 'patient_app' });
  });

  it('only a super user adds and removes supported scopes', async () => {
    const added = await outcomes(WHO, (ctx) => addDataSourceScope(ctx, world.source.watch, world.code.hr), world);
    expectAllDenied(added, 'sam');
    const sam = world.ctx('sam');
    await expect(addDataSourceScope(sam, world.source.watch, world.code.hr)).rejects.toThrow(ConflictError);
    await expect(addDataSourceScope(sam, world.source.watch, 999_999)).rejects.toThrow(NotFoundError);
    await expect(addDataSourceScope(sam, 999_999, world.code.hr)).rejects.toThrow(NotFoundError);
    const removed = await outcomes(WHO, (ctx) => removeDataSourceScope(ctx, world.source.watch, world.code.hr), world);
    expectAllDenied(removed, 'sam');
    await expect(removeDataSourceScope(sam, world.source.watch, world.code.hr)).rejects.toThrow(NotFoundError);
    expect((await dataSourceSupportedScopes(db.orm.em.fork(), [world.source.watch])).size).toBe(0);
  });

  it('is deleted only by a super user, and not while observations name it', async () => {
    const em = db.orm.em.fork();
    const used = em.create(DataSource, { name: 'Used', type: 'device' });
    const unused = em.create(DataSource, { name: 'Unused', type: 'device' });
    em.create(StudyDataSource, { study: world.study.a, dataSource: unused });
    await em.flush();
    em.create(Observation, {
      subjectPatient: world.patient.pat1,
      codeableConcept: world.code.bp,
      dataSource: used,
      omh: {},
      effectiveTime: new Date(),
    });
    await em.flush();

    expectAllDenied(await outcomes(WHO, (ctx) => deleteDataSource(ctx, unused.id), world), 'sam');
    await expect(deleteDataSource(world.ctx('sam'), used.id)).rejects.toThrow(/still has observations/);
    const check = db.orm.em.fork();
    expect(await check.count(DataSource, { id: { $in: [used.id, unused.id] } })).toBe(1);
    expect(await check.count(StudyDataSource, { dataSource: unused.id })).toBe(0);
    await expect(deleteDataSource(world.ctx('sam'), unused.id)).rejects.toThrow(NotFoundError);
  });
});
