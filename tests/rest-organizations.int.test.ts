import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { rest } from './support/rest.js';
import { patientToken, scopedToken } from './support/scoped-tokens.js';
import { ORG, PATIENT, SEED_USERS } from './support/seed-viewers.js';
import { gql } from './support/tokens.js';

/**
 * `/api/v1/organizations`: every route through the real app, over HTTP, with real tokens; the allowed and the
 * denied side of each, bad bodies, unknown ids, paging, and the same visible set as GraphQL for the same user.
 */

let app: TestApp;
let patient: string; // peter's patient-app token: a patient holds no role anywhere
beforeAll(async () => {
  app = await startTestApp();
  patient = (await patientToken(app, PATIENT.peter, 'patient/*.cruds')).access_token;
});
afterAll(() => app?.close());

const SAM = 'sam@example.com';
const MARY = 'mary@example.com';
const MEGAN = 'megan@example.com';
const VICTOR = 'victor@example.com';
const TOM = 'tom@example.com';
const MARK = 'mark@example.com';

interface Org {
  id: number;
  name: string;
  type: string;
  partOf: number | null;
  currentUserRole: string | null;
  children: Org[];
}

const data = async (as: string, query: string, variables: Record<string, unknown> = {}) => {
  const result = await gql(app, as, query, variables);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!;
};
const idsOf = (list: { id: number }[]) => list.map((o) => o.id);

let serial = 0;
/** A new sub-organization through GraphQL (its creator manages it). */
async function newOrganization(as: string, partOfId: number, type = 'TEAM'): Promise<number> {
  const { createOrganization } = await data(
    as,
    'mutation ($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }',
    { input: { name: `REST org ${++serial}`, type, partOfId: String(partOfId) } },
  );
  return Number(createOrganization.id);
}

const graphqlPractitioners = async (organizationId: number) =>
  (
    await data(
      SAM,
      'query ($id: ID!) { organization(id: $id) { practitioners { role practitioner { id user { id email } } } } }',
      { id: String(organizationId) },
    )
  ).organization.practitioners.map((m: { role: string; practitioner: { user: { id: string; email: string } } }) => [
    Number(m.practitioner.user.id),
    m.role,
  ]) as [number, string][];

const BIDS: Org = {
  id: ORG.bids,
  name: 'Berkeley Institute for Data Science (BIDS)',
  type: 'laboratory',
  partOf: ORG.ccdss,
  currentUserRole: 'manager',
  children: [],
};

describe('GET /api/v1/organizations', () => {
  it('answers each user the organizations GraphQL shows them, in JupyterHealth’s shape', async () => {
    for (const email of [MARY, MEGAN, VICTOR, TOM, MARK]) {
      const { status, body } = await rest(app, '/organizations?page_size=1000', { as: email });
      expect(status, email).toBe(200);
      const { organizations } = await data(email, '{ organizations { id viewerRole partOf { id } } }');
      expect(
        body.results.map((o: Org) => [o.id, o.currentUserRole, o.partOf]),
        email,
      ).toEqual(
        organizations.map((o: { id: string; viewerRole: string; partOf: { id: string } | null }) => [
          Number(o.id),
          o.viewerRole.toLowerCase(),
          o.partOf && Number(o.partOf.id),
        ]),
      );
      expect(body.count, email).toBe(organizations.length);
    }
    const mary = await rest(app, '/organizations', { as: MARY });
    expect(mary.body).toEqual({
      count: 3,
      next: null,
      previous: null,
      results: [
        {
          id: ORG.ucb,
          name: 'University of California Berkeley',
          type: 'edu',
          partOf: null,
          currentUserRole: 'manager',
          children: [],
        },
        expect.objectContaining({ id: ORG.ccdss, partOf: ORG.ucb, currentUserRole: 'manager' }),
        BIDS,
      ],
    });
  });

  it('gives a super user every organization (GraphQL’s visibleOrganizations; `organizations` holds the top-level ones)', async () => {
    const { body } = await rest(app, '/organizations?page_size=1000', { as: SAM });
    const { visibleOrganizations, organizations } = await data(
      SAM,
      '{ visibleOrganizations(first: 1000) { totalCount nodes { id } } organizations { id } }',
    );
    expect(idsOf(body.results)).toEqual(visibleOrganizations.nodes.map((o: { id: string }) => Number(o.id)));
    expect(body.count).toBe(visibleOrganizations.totalCount);
    expect(idsOf(body.results)).toEqual(expect.arrayContaining(Object.values(ORG)));
    expect(body.results.filter((o: Org) => o.partOf === null).map((o: Org) => String(o.id))).toEqual(
      organizations.map((o: { id: string }) => o.id),
    );
    expect(body.results.every((o: Org) => o.currentUserRole === null)).toBe(true);
  });

  it('shows a parent the viewer may not see as null, and a patient no organization', async () => {
    const { body } = await rest(app, '/organizations', { as: TOM });
    expect(body.results.map((o: Org) => [o.id, o.currentUserRole, o.partOf])).toEqual([
      [ORG.bids, 'viewer', null],
      [ORG.moslehi, 'member', null],
      [ORG.olgin, 'manager', null],
    ]);
    const none = await rest(app, '/organizations', { token: patient });
    expect(none).toMatchObject({ status: 200, body: { count: 0, next: null, previous: null, results: [] } });
  });

  it('`part_of` narrows to the direct children the viewer may see, none under a parent they may not see', async () => {
    const children = async (as: string, query: string) => {
      const { status, body } = await rest(app, `/organizations?${query}`, { as });
      expect(status, `${as} ${query}`).toBe(200);
      return idsOf(body.results);
    };
    expect(await children(MARY, `part_of=${ORG.ucb}`)).toEqual([ORG.ccdss]);
    expect(await children(MARY, `partOf=${ORG.ccdss}`)).toEqual([ORG.bids]);
    expect(await children(SAM, `part_of=${ORG.cardiology}`)).toEqual([ORG.moslehi, ORG.olgin]);
    expect(await children(MARK, `part_of=${ORG.cardiology}`)).toEqual([ORG.moslehi]); // Olgin is not his
    expect(await children(TOM, `part_of=${ORG.cardiology}`)).toEqual([]); // his labs' parent is not his to see
    expect(await children(SAM, 'part_of=99999')).toEqual([]);
    const bad = await rest(app, '/organizations?part_of=abc', { as: MARY });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/^part_of: /);
  });

  it('pages: count, next, previous and results; page and page_size; following next gives every row once', async () => {
    const all = idsOf((await rest(app, '/organizations?page_size=1000', { as: SAM })).body.results);
    expect(all.length).toBeGreaterThanOrEqual(8);

    const first = await rest(app, '/organizations?page_size=3', { as: SAM });
    expect(first.body).toMatchObject({ count: all.length, previous: null });
    expect(idsOf(first.body.results)).toEqual(all.slice(0, 3));
    expect(first.body.next).toMatch(new RegExp(`^${app.baseUrl}/api/v1/organizations\\?`));

    const seen: number[] = [];
    let next: string | null = `${app.baseUrl}/api/v1/organizations?page_size=3`;
    for (let pages = 0; next !== null; pages++) {
      expect(pages).toBeLessThan(all.length);
      const { status, body } = await rest(app, next, { as: SAM });
      expect(status).toBe(200);
      expect(body.count).toBe(all.length);
      seen.push(...idsOf(body.results));
      next = body.next;
    }
    expect(seen).toEqual(all);

    const second = await rest(app, '/organizations?page=2&page_size=3', { as: SAM });
    expect(idsOf(second.body.results)).toEqual(all.slice(3, 6));
    expect(second.body.previous).not.toBeNull();
    const back = await rest(app, second.body.previous, { as: SAM });
    expect(idsOf(back.body.results)).toEqual(all.slice(0, 3));

    const camel = await rest(app, '/organizations?pageSize=2', { as: SAM });
    expect(idsOf(camel.body.results)).toEqual(all.slice(0, 2));
    const filtered = await rest(app, `/organizations?part_of=${ORG.cardiology}&page_size=1`, { as: SAM });
    expect(filtered.body).toMatchObject({ count: 2, results: [{ id: ORG.moslehi }] });
    expect(new URL(filtered.body.next).searchParams.get('part_of')).toBe(String(ORG.cardiology));
    expect(idsOf((await rest(app, filtered.body.next, { as: SAM })).body.results)).toEqual([ORG.olgin]);

    for (const query of ['page_size=0', 'page_size=1001', 'page=0', 'page=x']) {
      const { status, body } = await rest(app, `/organizations?${query}`, { as: SAM });
      expect(status, query).toBe(400);
      expect(body.detail, query).toEqual(expect.any(String));
    }
  });

  it('answers 401 without a token', async () => {
    const { status, body } = await rest(app, '/organizations');
    expect(status).toBe(401);
    expect(body.detail).toMatch(/access token/);
  });
});

describe('GET /api/v1/organizations/{id} and /organizations/types', () => {
  it('reads an organization the viewer may see; others, unknown and malformed ids are 404', async () => {
    expect(await rest(app, `/organizations/${ORG.bids}`, { as: MARY })).toMatchObject({ status: 200, body: BIDS });
    expect((await rest(app, `/organizations/${ORG.bids}`, { as: MEGAN })).body).toEqual({
      ...BIDS,
      partOf: null,
      currentUserRole: 'member',
    });
    expect((await rest(app, `/organizations/${ORG.olgin}`, { as: TOM })).body).toMatchObject({
      id: ORG.olgin,
      type: 'laboratory',
      partOf: null,
      currentUserRole: 'manager',
    });
    expect((await rest(app, `/organizations/${ORG.olgin}`, { as: SAM })).body).toMatchObject({
      partOf: ORG.cardiology,
      currentUserRole: null,
    });
    for (const [who, init] of [
      [MARK, { as: MARK }],
      ['patient', { token: patient }],
    ] as const) {
      const { status, body } = await rest(app, `/organizations/${ORG.bids}`, init);
      expect(status, who).toBe(404);
      expect(body.detail, who).toMatch(/not found/);
    }
    expect((await rest(app, '/organizations/99999', { as: SAM })).status).toBe(404);
    expect((await rest(app, '/organizations/0', { as: SAM })).status).toBe(404);
    expect((await rest(app, '/organizations/abc', { as: SAM })).status).toBe(404);
  });

  it('types: an object of code → FHIR display name, for every type the gateway has', async () => {
    const { status, body } = await rest(app, '/organizations/types', { as: MEGAN });
    expect(status).toBe(200);
    expect(body).toEqual({
      prov: 'Healthcare Provider',
      dept: 'Hospital Department',
      team: 'Organizational team',
      govt: 'Government',
      ins: 'Insurance Company',
      pay: 'Payer',
      edu: 'Educational Institute',
      reli: 'Religious Institution',
      crs: 'Clinical Research Sponsor',
      cg: 'Community Group',
      bus: 'Non-Healthcare Business or Corporation',
      other: 'Other',
      laboratory: 'Laboratory',
    });
    expect((await rest(app, '/organizations/types', { token: patient })).status).toBe(200);
    expect((await rest(app, '/organizations/types')).status).toBe(401);
  });
});

describe('POST /api/v1/organizations', () => {
  it('a manager creates a sub-organization (201) and manages it; a super user creates a top-level one', async () => {
    const created = await rest(app, '/organizations', {
      as: MARY,
      body: { name: 'BIDS REST Team', type: 'team', partOf: ORG.bids },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(Number),
      name: 'BIDS REST Team',
      type: 'team',
      partOf: ORG.bids,
      // the role as the request began: the creator manages it from the next request on
      currentUserRole: null,
      children: [],
    });
    expect((await rest(app, `/organizations/${created.body.id}`, { as: MARY })).body.currentUserRole).toBe('manager');
    expect(await graphqlPractitioners(created.body.id)).toEqual([[SEED_USERS.mary, 'MANAGER']]);

    const snake = await rest(app, '/organizations', {
      as: MARY,
      body: { name: 'BIDS snake', type: 'crs', part_of: ORG.bids },
    });
    expect(snake).toMatchObject({ status: 201, body: { type: 'crs', partOf: ORG.bids } });

    const top = await rest(app, '/organizations', { as: SAM, body: { name: 'REST University', type: 'edu' } });
    expect(top).toMatchObject({ status: 201, body: { name: 'REST University', type: 'edu', partOf: null } });
    const explicit = await rest(app, '/organizations', {
      as: SAM,
      body: { name: 'REST Payer', type: 'pay', partOf: null },
    });
    expect(explicit).toMatchObject({ status: 201, body: { partOf: null } });
  });

  it('refuses members and viewers (403), other organizations’ managers and patients (404), top-level to non-super users (403)', async () => {
    const before = (await rest(app, `/organizations?part_of=${ORG.bids}&page_size=1000`, { as: SAM })).body.count;
    const body = { name: 'Refused', type: 'team', partOf: ORG.bids };
    for (const email of [MEGAN, VICTOR]) {
      const refused = await rest(app, '/organizations', { as: email, body });
      expect(refused.status, email).toBe(403);
      expect(refused.body.detail, email).toMatch(/manager/);
    }
    expect((await rest(app, '/organizations', { as: MARK, body })).status).toBe(404);
    expect((await rest(app, '/organizations', { token: patient, body })).status).toBe(404);
    const top = await rest(app, '/organizations', { as: MARY, body: { name: 'Top', type: 'edu' } });
    expect(top.status).toBe(403);
    expect(top.body.detail).toMatch(/super user/);
    expect((await rest(app, `/organizations?part_of=${ORG.bids}&page_size=1000`, { as: SAM })).body.count).toBe(before);
  });

  it('answers bad bodies with 400 naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'team', partOf: ORG.bids }, /^name: this field is required/],
      [{ name: 'N', partOf: ORG.bids }, /^type: this field is required/],
      [{ name: 5, type: 'team', partOf: ORG.bids }, /^name: must be string/],
      [{ name: '', type: 'team', partOf: ORG.bids }, /^name: must NOT have fewer than 1 characters/],
      [{ name: 'N', type: 'TEAM', partOf: ORG.bids }, /^type: must be one of prov, dept, team, .*laboratory/],
      [{ name: 'N', type: 'root', partOf: ORG.bids }, /^type: must be one of/],
      [{ name: 'N', type: 'team', partOf: String(ORG.bids) }, /^partOf: must be integer,null/],
      [{ name: 'N', type: 'team', partOf: 0 }, /^partOf: must be >= 1/],
      [{ name: 'N', type: 'team', partOf: ORG.bids, colour: 'red' }, /^colour: unknown parameter/],
      [[{ name: 'N', type: 'team' }], /^body: must be object/],
      [{ name: 'x'.repeat(256), type: 'team', partOf: ORG.bids }, /^name: must NOT have more than 255 characters/],
    ];
    for (const [body, detail] of cases) {
      const answer = await rest(app, '/organizations', { as: MARY, body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.detail, JSON.stringify(body)).toMatch(detail);
    }
    const empty = await rest(app, '/organizations', { as: MARY, method: 'POST' });
    expect(empty.status).toBe(400);
    expect(empty.body.detail).toMatch(/^body: must be object/);
    const whitespace = await rest(app, '/organizations', {
      as: MARY,
      body: { name: '   ', type: 'team', partOf: ORG.bids },
    });
    expect(whitespace).toMatchObject({
      status: 400,
      body: { detail: expect.stringMatching(/^name: must not be empty/) },
    });
  });
});

describe('PATCH, PUT and DELETE /api/v1/organizations/{id}', () => {
  it('a manager renames (PATCH) and retypes (PUT), sending back what GET answered if they like', async () => {
    const id = await newOrganization(MARY, ORG.bids);
    const patched = await rest(app, `/organizations/${id}`, { as: MARY, method: 'PATCH', body: { name: 'Renamed' } });
    expect(patched).toMatchObject({
      status: 200,
      body: { id, name: 'Renamed', type: 'team', partOf: ORG.bids, currentUserRole: 'manager', children: [] },
    });
    const put = await rest(app, `/organizations/${id}`, {
      as: MARY,
      method: 'PUT',
      body: { name: 'Put', type: 'dept', partOf: ORG.bids },
    });
    expect(put).toMatchObject({ status: 200, body: { id, name: 'Put', type: 'dept' } });
    const roundTrip = await rest(app, `/organizations/${id}`, {
      as: MARY,
      method: 'PUT',
      body: { ...put.body, name: 'Round trip' },
    });
    expect(roundTrip).toMatchObject({ status: 200, body: { name: 'Round trip', type: 'dept' } });
    const snake = await rest(app, `/organizations/${id}`, {
      as: MARY,
      method: 'PATCH',
      body: { type: 'other', part_of: ORG.bids },
    });
    expect(snake).toMatchObject({ status: 200, body: { type: 'other' } });
    expect((await data(SAM, `{ organization(id: "${id}") { name type } }`)).organization).toEqual({
      name: 'Round trip',
      type: 'OTHER',
    });
    const bySuperUser = await rest(app, `/organizations/${ORG.olgin}`, {
      as: SAM,
      method: 'PATCH',
      body: { name: 'Olgin Lab' },
    });
    expect(bySuperUser).toMatchObject({ status: 200, body: { name: 'Olgin Lab', partOf: ORG.cardiology } });
  });

  it('refuses viewers and members (403), outsiders and patients (404), and changes nothing', async () => {
    for (const method of ['PATCH', 'PUT']) {
      const body = { name: 'Taken over', type: 'team' };
      for (const email of [VICTOR, MEGAN]) {
        const refused = await rest(app, `/organizations/${ORG.bids}`, { as: email, method, body });
        expect(refused.status, `${method} ${email}`).toBe(403);
      }
      expect((await rest(app, `/organizations/${ORG.bids}`, { as: MARK, method, body })).status).toBe(404);
      expect((await rest(app, `/organizations/${ORG.bids}`, { token: patient, method, body })).status).toBe(404);
      expect((await rest(app, '/organizations/99999', { as: SAM, method, body })).status).toBe(404);
    }
    // tom manages Olgin but cannot see its parent: a PUT of what he was shown is his to make
    const tom = await rest(app, `/organizations/${ORG.olgin}`, {
      as: TOM,
      method: 'PUT',
      body: { name: 'Olgin Lab', type: 'laboratory', partOf: null },
    });
    expect(tom).toMatchObject({ status: 200, body: { partOf: null } });
    expect((await data(SAM, `{ organization(id: "${ORG.bids}") { name type } }`)).organization).toEqual({
      name: BIDS.name,
      type: 'LABORATORY',
    });
  });

  it('answers bad bodies with 400 naming the field; an organization does not move', async () => {
    const id = await newOrganization(MARY, ORG.bids);
    const cases: [string, unknown, RegExp][] = [
      ['PUT', { name: 'N' }, /^type: this field is required/],
      ['PUT', { type: 'team' }, /^name: this field is required/],
      ['PATCH', { type: 'lab' }, /^type: must be one of/],
      ['PATCH', { name: 42 }, /^name: must be string/],
      ['PATCH', { nmae: 'typo' }, /^nmae: unknown parameter/],
      ['PATCH', { partOf: ORG.ucb }, /^partOf: an organization cannot be moved/],
      ['PATCH', { partOf: null }, /^partOf: an organization cannot be moved/],
      ['PATCH', {}, /Nothing to update/],
    ];
    for (const [method, body, detail] of cases) {
      const answer = await rest(app, `/organizations/${id}`, { as: MARY, method, body });
      expect(answer.status, `${method} ${JSON.stringify(body)}`).toBe(400);
      expect(answer.body.detail, `${method} ${JSON.stringify(body)}`).toMatch(detail);
    }
  });

  it('DELETE: a manager of the parent deletes the organization with its subtree (204); nobody else', async () => {
    const parent = await newOrganization(MARY, ORG.bids);
    const child = await newOrganization(MARY, parent);
    // tom manages Olgin, but not Cardiology above it; victor views BIDS
    for (const [email, id] of [
      [TOM, ORG.olgin],
      [VICTOR, ORG.bids],
      [MEGAN, ORG.bids],
    ] as const) {
      const refused = await rest(app, `/organizations/${id}`, { as: email, method: 'DELETE' });
      expect(refused.status, email).toBe(403);
      expect(refused.body.detail, email).toMatch(/manager of the parent/);
    }
    expect((await rest(app, `/organizations/${parent}`, { as: MARK, method: 'DELETE' })).status).toBe(404);
    expect((await rest(app, `/organizations/${parent}`, { token: patient, method: 'DELETE' })).status).toBe(404);
    expect((await rest(app, '/organizations/99999', { as: SAM, method: 'DELETE' })).status).toBe(404);

    const deleted = await rest(app, `/organizations/${parent}`, { as: MARY, method: 'DELETE' });
    expect(deleted).toMatchObject({ status: 204, body: null });
    for (const id of [parent, child]) expect((await rest(app, `/organizations/${id}`, { as: SAM })).status).toBe(404);
    expect((await rest(app, `/organizations/${ORG.olgin}`, { as: SAM })).status).toBe(200);
  });
});

describe('GET /api/v1/organizations/{id}/tree', () => {
  it('fills in the sub-organizations the viewer may see, at every depth, each with the viewer’s role', async () => {
    const mark = await rest(app, `/organizations/${ORG.ucsf}/tree`, { as: MARK });
    expect(mark.status).toBe(200);
    const node = (
      id: number,
      name: string,
      type: string,
      partOf: number | null,
      role: string | null,
      children: Org[],
    ) => ({
      id,
      name,
      type,
      partOf,
      currentUserRole: role,
      children,
    });
    const moslehi = (role: string | null) => node(ORG.moslehi, 'Moslehi Lab', 'laboratory', ORG.cardiology, role, []);
    expect(mark.body).toEqual(
      node(ORG.ucsf, 'University of California San Francisco', 'edu', null, 'manager', [
        node(ORG.medicine, 'Department of Medicine', 'dept', ORG.ucsf, 'manager', [
          node(ORG.cardiology, 'Cardiology', 'dept', ORG.medicine, 'manager', [moslehi('manager')]), // not Olgin
        ]),
      ]),
    );
    const sam = await rest(app, `/organizations/${ORG.cardiology}/tree`, { as: SAM });
    expect(sam.body.children.map((c: Org) => [c.id, c.currentUserRole, c.children])).toEqual([
      [ORG.moslehi, null, []],
      [ORG.olgin, null, []],
    ]);
    expect((await rest(app, `/organizations/${ORG.olgin}/tree`, { as: TOM })).body).toMatchObject({
      id: ORG.olgin,
      partOf: null,
      currentUserRole: 'manager',
      children: [],
    });
    expect((await rest(app, `/organizations/${ORG.cardiology}/tree`, { as: TOM })).status).toBe(404);
    expect((await rest(app, `/organizations/${ORG.ucsf}/tree`, { token: patient })).status).toBe(404);
    expect((await rest(app, '/organizations/99999/tree', { as: SAM })).status).toBe(404);
  });

  it('goes deeper than one GraphQL read, and matches GraphQL’s children level by level', async () => {
    const chain: number[] = [ORG.bids];
    for (let depth = 0; depth < 12; depth++) chain.push(await newOrganization(MARY, chain.at(-1)!));
    const { status, body } = await rest(app, `/organizations/${ORG.ucb}/tree`, { as: MARY });
    expect(status).toBe(200);
    let at: Org = body;
    const path = [at.id];
    while (at.children.length > 0) {
      const { organization } = await data(MARY, `{ organization(id: "${at.id}") { children { id } } }`);
      expect(idsOf(at.children)).toEqual(organization.children.map((c: { id: string }) => Number(c.id)));
      at = at.children.find((c) => chain.includes(c.id)) ?? at.children[0]!;
      path.push(at.id);
      expect(at.currentUserRole).toBe('manager');
    }
    expect(path).toEqual([ORG.ucb, ORG.ccdss, ...chain]);
    // megan sees BIDS alone: mary's chain below it is not hers
    expect((await rest(app, `/organizations/${ORG.bids}/tree`, { as: MEGAN })).body).toMatchObject({
      id: ORG.bids,
      children: [],
    });
  });
});

describe('/api/v1/organizations/{id}/users, /user and /remove_user', () => {
  let practitionerOf: Record<string, number>;
  beforeAll(async () => {
    practitionerOf = {};
    for (const email of [MARY, MEGAN, VICTOR, TOM, MARK]) {
      practitionerOf[email] = Number((await data(email, '{ me { practitioner { id } } }')).me.practitioner.id);
    }
  });

  it('GET users: a plain array of the practitioners and their roles, for any role there; 404 for others', async () => {
    const { status, body } = await rest(app, `/organizations/${ORG.bids}/users`, { as: VICTOR });
    expect(status).toBe(200);
    expect(body).toEqual([
      { id: SEED_USERS.mary, email: MARY, firstName: 'Mary', lastName: 'Manager', role: 'manager' },
      { id: SEED_USERS.megan, email: MEGAN, firstName: 'Megan', lastName: 'Member', role: 'member' },
      { id: SEED_USERS.victor, email: VICTOR, firstName: 'Victor', lastName: 'Viewer', role: 'viewer' },
      { id: SEED_USERS.tom, email: TOM, firstName: 'Tom', lastName: 'Multirole', role: 'viewer' },
    ]);
    expect(body.map((u: { id: number; role: string }) => [u.id, u.role.toUpperCase()])).toEqual(
      await graphqlPractitioners(ORG.bids),
    );
    expect((await rest(app, `/organizations/${ORG.bids}/users`, { as: SAM })).body).toEqual(body);
    expect((await rest(app, `/organizations/${ORG.bids}/users`, { as: MARK })).status).toBe(404);
    expect((await rest(app, `/organizations/${ORG.bids}/users`, { token: patient })).status).toBe(404);
    expect((await rest(app, '/organizations/99999/users', { as: SAM })).status).toBe(404);
  });

  it('POST user adds a practitioner by user id (201) and changes their role (200), with JupyterHealth’s key or `role`', async () => {
    const id = await newOrganization(MARY, ORG.bids);
    const added = await rest(app, `/organizations/${id}/user`, {
      as: MARY,
      body: { jheUserId: SEED_USERS.megan, organizationPartitionerRole: 'member' },
    });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      id: expect.any(Number),
      organization: expect.objectContaining({ id, partOf: ORG.bids, type: 'team', children: [] }),
      practitioner: {
        id: practitionerOf[MEGAN],
        jheUserId: SEED_USERS.megan,
        nameFamily: 'Member',
        nameGiven: 'Megan',
        telecomEmail: MEGAN,
      },
      role: 'member',
    });
    const changed = await rest(app, `/organizations/${id}/user`, {
      as: MARY,
      body: { jheUserId: SEED_USERS.megan, role: 'viewer' },
    });
    expect(changed).toMatchObject({ status: 200, body: { id: added.body.id, role: 'viewer' } });
    const snake = await rest(app, `/organizations/${id}/user`, {
      as: MARY,
      body: { jhe_user_id: SEED_USERS.megan, organization_partitioner_role: 'manager' },
    });
    expect(snake).toMatchObject({ status: 200, body: { role: 'manager' } });
    const same = await rest(app, `/organizations/${id}/user`, {
      as: MARY,
      body: { jheUserId: SEED_USERS.megan, role: 'manager', organizationPartitionerRole: 'manager' },
    });
    expect(same).toMatchObject({ status: 200, body: { role: 'manager' } });
    const bySuperUser = await rest(app, `/organizations/${id}/user`, {
      as: SAM,
      body: { jheUserId: SEED_USERS.mark, role: 'viewer' },
    });
    expect(bySuperUser).toMatchObject({ status: 201, body: { practitioner: { jheUserId: SEED_USERS.mark } } });
    expect(await graphqlPractitioners(id)).toEqual([
      [SEED_USERS.mary, 'MANAGER'],
      [SEED_USERS.megan, 'MANAGER'],
      [SEED_USERS.mark, 'VIEWER'],
    ]);
    expect((await rest(app, `/organizations/${id}/users`, { as: MARK })).body.map((u: { id: number }) => u.id)).toEqual(
      [SEED_USERS.mary, SEED_USERS.megan, SEED_USERS.mark],
    );
  });

  it('POST user: members, viewers (403), other organizations’ managers and patients (404) change nothing', async () => {
    const before = await graphqlPractitioners(ORG.bids);
    const post = (init: { as?: string; token?: string }, body: unknown) =>
      rest(app, `/organizations/${ORG.bids}/user`, { ...init, body });
    for (const email of [MEGAN, VICTOR]) {
      expect((await post({ as: email }, { jheUserId: SEED_USERS.mark, role: 'viewer' })).status, email).toBe(403);
      expect(
        (await post({ as: email }, { jheUserId: SEED_USERS[email === MEGAN ? 'megan' : 'victor'], role: 'manager' }))
          .status,
      ).toBe(403);
    }
    expect((await post({ as: TOM }, { jheUserId: SEED_USERS.tom, role: 'manager' })).status).toBe(403);
    expect((await post({ as: MARK }, { jheUserId: SEED_USERS.mark, role: 'manager' })).status).toBe(404);
    expect((await post({ token: patient }, { jheUserId: SEED_USERS.peter, role: 'viewer' })).status).toBe(404);
    expect(await graphqlPractitioners(ORG.bids)).toEqual(before);
  });

  it('POST user: unknown users and patients’ logins are 404, the last manager 409', async () => {
    const id = await newOrganization(MARY, ORG.bids);
    const unknown = await rest(app, `/organizations/${id}/user`, {
      as: MARY,
      body: { jheUserId: 99999, role: 'member' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toMatch(/Practitioner with user id 99999 not found/);
    const patientLogin = await rest(app, `/organizations/${id}/user`, {
      as: MARY,
      body: { jheUserId: SEED_USERS.peter, role: 'member' },
    });
    expect(patientLogin.status).toBe(404);
    const demote = await rest(app, `/organizations/${id}/user`, {
      as: MARY,
      body: { jheUserId: SEED_USERS.mary, role: 'member' },
    });
    expect(demote.status).toBe(409);
    expect(demote.body.detail).toMatch(/at least one manager/);
    expect(await graphqlPractitioners(id)).toEqual([[SEED_USERS.mary, 'MANAGER']]);
  });

  it('POST user and DELETE remove_user: bad bodies are 400 naming the field', async () => {
    const cases: [string, string, unknown, RegExp][] = [
      ['POST', 'user', { role: 'member' }, /^jheUserId: this field is required/],
      ['POST', 'user', { jheUserId: String(SEED_USERS.megan), role: 'member' }, /^jheUserId: must be integer/],
      ['POST', 'user', { jheUserId: 0, role: 'member' }, /^jheUserId: must be >= 1/],
      ['POST', 'user', { jheUserId: SEED_USERS.megan }, /^organizationPartitionerRole: this field is required/],
      ['POST', 'user', { jheUserId: SEED_USERS.megan, role: 'owner' }, /^role: must be one of manager, member, viewer/],
      [
        'POST',
        'user',
        { jheUserId: SEED_USERS.megan, organizationPartitionerRole: 'MANAGER' },
        /^organizationPartitionerRole: must be one of manager, member, viewer/,
      ],
      [
        'POST',
        'user',
        { jheUserId: SEED_USERS.megan, organizationPartitionerRole: 'manager', role: 'viewer' },
        /^role: differs from organizationPartitionerRole/,
      ],
      ['POST', 'user', { jheUserId: SEED_USERS.megan, role: 'viewer', email: MEGAN }, /^email: unknown parameter/],
      ['DELETE', 'remove_user', {}, /^jheUserId: this field is required/],
      ['DELETE', 'remove_user', { jheUserId: 'megan' }, /^jheUserId: must be integer/],
    ];
    for (const [method, action, body, detail] of cases) {
      const answer = await rest(app, `/organizations/${ORG.bids}/${action}`, { as: MARY, method, body });
      expect(answer.status, `${method} ${JSON.stringify(body)}`).toBe(400);
      expect(answer.body.detail, `${method} ${JSON.stringify(body)}`).toMatch(detail);
    }
  });

  it('DELETE remove_user removes by user id (204); members, viewers (403) and outsiders (404) may not; not the last manager (409)', async () => {
    const id = await newOrganization(MARY, ORG.bids);
    for (const [user, role] of [
      [SEED_USERS.megan, 'member'],
      [SEED_USERS.victor, 'viewer'],
    ] as const) {
      expect((await rest(app, `/organizations/${id}/user`, { as: MARY, body: { jheUserId: user, role } })).status).toBe(
        201,
      );
    }
    const remove = (init: { as?: string; token?: string }, jheUserId: number, organizationId = id) =>
      rest(app, `/organizations/${organizationId}/remove_user`, { ...init, method: 'DELETE', body: { jheUserId } });

    expect((await remove({ as: MEGAN }, SEED_USERS.victor)).status).toBe(403);
    expect((await remove({ as: VICTOR }, SEED_USERS.megan)).status).toBe(403);
    expect((await remove({ as: MEGAN }, SEED_USERS.megan)).status).toBe(403);
    expect((await remove({ as: MARK }, SEED_USERS.megan)).status).toBe(404);
    expect((await remove({ token: patient }, SEED_USERS.megan)).status).toBe(404);
    expect((await remove({ as: MARY }, SEED_USERS.mary)).status).toBe(409);
    expect(await graphqlPractitioners(id)).toEqual([
      [SEED_USERS.mary, 'MANAGER'],
      [SEED_USERS.megan, 'MEMBER'],
      [SEED_USERS.victor, 'VIEWER'],
    ]);

    expect(await remove({ as: MARY }, SEED_USERS.megan)).toMatchObject({ status: 204, body: null });
    const again = await remove({ as: MARY }, SEED_USERS.megan);
    expect(again.status).toBe(404);
    expect(again.body.detail).toMatch(/No practitioner with user id 10003 in organization/);
    expect((await remove({ as: MARY }, 99999)).status).toBe(404);
    expect((await remove({ as: SAM }, SEED_USERS.victor)).status).toBe(204);
    expect(await graphqlPractitioners(id)).toEqual([[SEED_USERS.mary, 'MANAGER']]);
    expect((await rest(app, `/organizations/${id}/users`, { as: MARY })).body.map((u: { id: number }) => u.id)).toEqual(
      [SEED_USERS.mary],
    );
  });
});

describe('GET /api/v1/organizations/{id}/studies', () => {
  it('a plain array of the organization’s studies with `organization` as an id, for any role there; 404 for others', async () => {
    const { studies } = await data(
      MARY,
      `{ studies(organizationId: "${ORG.bids}", first: 1000) { nodes { id name description iconUrl } } }`,
    );
    const expected = studies.nodes.map(
      (s: { id: string; name: string; description: string; iconUrl: string | null }) => ({
        id: Number(s.id),
        name: s.name,
        description: s.description,
        organization: ORG.bids,
        iconUrl: s.iconUrl,
      }),
    );
    expect(expected.map((s: { id: number }) => s.id)).toEqual([30001, 30002]);
    for (const email of [MARY, VICTOR, SAM]) {
      const { status, body } = await rest(app, `/organizations/${ORG.bids}/studies`, { as: email });
      expect(status, email).toBe(200);
      expect(body, email).toEqual(expected);
    }
    expect((await rest(app, `/organizations/${ORG.bids}/studies`, { as: MARY })).body[0]).toEqual({
      id: 30001,
      name: 'BIDS Study on BP & HR',
      description: expect.any(String),
      organization: ORG.bids,
      iconUrl: null,
    });
    expect(
      (await rest(app, `/organizations/${ORG.cardiology}/studies`, { as: MARK })).body.map((s: { id: number }) => s.id),
    ).toEqual([30003]);
    expect(
      (await rest(app, `/organizations/${await newOrganization(MARY, ORG.bids)}/studies`, { as: MARY })).body,
    ).toEqual([]);
    // peter is enrolled in BIDS studies, but holds no role in BIDS
    expect((await rest(app, `/organizations/${ORG.bids}/studies`, { token: patient })).status).toBe(404);
    expect((await rest(app, `/organizations/${ORG.bids}/studies`, { as: MARK })).status).toBe(404);
    expect((await rest(app, '/organizations/99999/studies', { as: SAM })).status).toBe(404);
  });
});

describe('/api/v1/organizations and token scopes', () => {
  it('a token without the scope a route needs is refused with 403 naming it', async () => {
    const readOnly = (await scopedToken(app, MARY, 'user/Organization.rs')).access_token;
    expect((await rest(app, '/organizations', { token: readOnly })).status).toBe(200);
    expect((await rest(app, `/organizations/${ORG.bids}/tree`, { token: readOnly })).status).toBe(200);
    const create = await rest(app, '/organizations', {
      token: readOnly,
      body: { name: 'Scoped', type: 'team', partOf: ORG.bids },
    });
    expect(create.status).toBe(403);
    expect(create.body.detail).toMatch(/Organization\.c/);
    const add = await rest(app, `/organizations/${ORG.bids}/user`, {
      token: readOnly,
      body: { jheUserId: SEED_USERS.megan, role: 'viewer' },
    });
    expect(add.status).toBe(403);
    expect(add.body.detail).toMatch(/Organization\.u/);

    const other = (await scopedToken(app, MARY, 'user/Patient.rs')).access_token;
    const list = await rest(app, '/organizations', { token: other });
    expect(list.status).toBe(403);
    expect(list.body.detail).toMatch(/Organization\.s/);
    const studies = await rest(app, `/organizations/${ORG.bids}/studies`, { token: other });
    expect(studies.status).toBe(403);
  });

  it('the OpenAPI document lists every organizations route with its statuses', async () => {
    const { body } = await rest(app, '/schema');
    const paths = body.paths as Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>>;
    expect(Object.keys(paths['/organizations']!).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/organizations/{id}']!).sort()).toEqual(['delete', 'get', 'patch', 'put']);
    for (const path of ['types', '{id}/tree', '{id}/users', '{id}/studies']) {
      expect(paths[`/organizations/${path}`]!.get, path).toBeDefined();
    }
    expect(Object.keys(paths['/organizations/{id}/user']!.post!.responses)).toEqual(
      expect.arrayContaining(['201', '200', '400', '403', '404', '409']),
    );
    expect(paths['/organizations/{id}/remove_user']!.delete!.responses['204']).toEqual({
      description: 'success, no content',
    });
  });
});
