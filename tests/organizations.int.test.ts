import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../src/db/entities/index.js';
import { ANONYMOUS, loadViewer } from '../src/policy/viewer.js';
import { createOrganization, listOrganizations } from '../src/services/organizations.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('empty');
});
afterAll(() => db?.drop());

describe('organizations', () => {
  it('lets a super user create a top-level organization and denies anonymous', async () => {
    const em = db.orm.em.fork();
    const sam = em.create(User, { email: 'sam@example.com', kind: 'practitioner', isSuperuser: true });
    await em.flush();
    expect(sam.id).toBe(10001);
    const ctx = { em, viewer: await loadViewer(em, sam.id) };
    const org = await createOrganization(ctx, { name: 'Top', type: 'edu' });
    expect(org.id).toBe(20001);
    expect((await listOrganizations(ctx)).map((o) => o.name)).toEqual(['Top']);
    await expect(
      createOrganization({ em: db.orm.em.fork(), viewer: ANONYMOUS }, { name: 'X', type: 'edu' }),
    ).rejects.toThrow(/super user/);
  });
});
