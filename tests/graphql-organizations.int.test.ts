import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { codes, gql } from './support/tokens.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe('GraphQL: me and organizations', () => {
  it('answers me for a signed-in user and null for anonymous', async () => {
    const mary = await gql(app, 'mary@example.com', '{ me { id email kind isSuperuser practitioner { id } } }');
    expect(mary.data?.me).toMatchObject({
      id: '10002',
      email: 'mary@example.com',
      kind: 'PRACTITIONER',
      isSuperuser: false,
    });
    expect(mary.data?.me.practitioner.id).toBeTruthy();
    const anonymous = await gql(app, null, '{ me { id } }');
    expect(anonymous.data?.me).toBeNull();
  });

  it('lists the viewer’s organizations with the tree they may see', async () => {
    const query = '{ organizations { id name viewerRole partOf { id } children { id } } }';
    const mary = await gql(app, 'mary@example.com', query);
    expect(mary.data?.organizations.map((o: { id: string }) => o.id)).toEqual(['20001', '20002', '20003']);
    expect(mary.data?.organizations[2]).toMatchObject({ viewerRole: 'MANAGER', partOf: { id: '20002' }, children: [] });

    // megan holds a role in BIDS only: its parent is not hers to see
    const megan = await gql(app, 'megan@example.com', query);
    expect(megan.data?.organizations).toEqual([
      {
        id: '20003',
        name: 'Berkeley Institute for Data Science (BIDS)',
        viewerRole: 'MEMBER',
        partOf: null,
        children: [],
      },
    ]);

    const sam = await gql(app, 'sam@example.com', query);
    expect(sam.data?.organizations.map((o: { id: string }) => o.id)).toEqual(['20001', '20004']);
    expect(sam.data?.organizations[1].children).toEqual([{ id: '20005' }]);
  });

  it('hides organizations the viewer has no role in, without revealing whether they exist', async () => {
    const hidden = await gql(app, 'megan@example.com', '{ organization(id: "20004") { id } }');
    const missing = await gql(app, 'megan@example.com', '{ organization(id: "29999") { id } }');
    expect(codes(hidden)).toEqual(['NOT_FOUND']);
    expect(codes(missing)).toEqual(['NOT_FOUND']);
    expect(hidden.errors?.[0]?.message.replace('20004', 'X')).toBe(missing.errors?.[0]?.message.replace('29999', 'X'));
    expect(codes(await gql(app, null, '{ organization(id: "20003") { id } }'))).toEqual(['FORBIDDEN']);
  });
});

describe('GraphQL: visibleOrganizations', () => {
  const query = `query ($partOfId: ID, $first: Int, $after: String) {
    visibleOrganizations(partOfId: $partOfId, first: $first, after: $after) {
      totalCount nodes { id } pageInfo { hasNextPage endCursor }
    }
  }`;
  const ids = (result: Awaited<ReturnType<typeof gql>>) =>
    result.data?.visibleOrganizations.nodes.map((o: { id: string }) => o.id);

  it('pages the organizations the viewer holds a role in, like organizations; a super user’s are all', async () => {
    for (const email of ['mary@example.com', 'tom@example.com', 'mark@example.com']) {
      const own = await gql(app, email, '{ organizations { id } }');
      const visible = await gql(app, email, query);
      expect(ids(visible), email).toEqual(own.data?.organizations.map((o: { id: string }) => o.id));
      expect(visible.data?.visibleOrganizations.totalCount).toBe(own.data?.organizations.length);
    }
    const first = await gql(app, 'sam@example.com', query, { first: 5 });
    expect(first.data?.visibleOrganizations).toMatchObject({ totalCount: 8, pageInfo: { hasNextPage: true } });
    const rest = await gql(app, 'sam@example.com', query, {
      after: first.data?.visibleOrganizations.pageInfo.endCursor,
    });
    expect([...ids(first), ...ids(rest)]).toEqual([
      '20001',
      '20002',
      '20003',
      '20004',
      '20005',
      '20006',
      '20007',
      '20008',
    ]);
  });

  it('partOfId: the visible direct children, none under a parent the viewer may not see', async () => {
    expect(ids(await gql(app, 'sam@example.com', query, { partOfId: '20006' }))).toEqual(['20007', '20008']);
    expect(ids(await gql(app, 'mark@example.com', query, { partOfId: '20006' }))).toEqual(['20007']);
    const tom = await gql(app, 'tom@example.com', query, { partOfId: '20006' });
    expect(tom.data?.visibleOrganizations).toMatchObject({ totalCount: 0, nodes: [] });
    expect(codes(await gql(app, 'sam@example.com', query, { partOfId: 'x' }))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('GraphQL: organization mutations', () => {
  const create = `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id name type partOf { id } viewerRole } }`;
  const update = `mutation($id: ID!, $input: UpdateOrganizationInput!) { updateOrganization(id: $id, input: $input) { id name } }`;

  it('lets a manager create a sub-organization, whom it makes its manager', async () => {
    const result = await gql(app, 'mary@example.com', create, {
      input: { name: 'BIDS Lab A', type: 'TEAM', partOfId: '20003' },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.createOrganization).toMatchObject({
      name: 'BIDS Lab A',
      type: 'TEAM',
      partOf: { id: '20003' },
      viewerRole: null,
    });
  });

  it('denies members, viewers and anonymous callers, and top-level creation to non-super users', async () => {
    const input = { name: 'Nope', type: 'TEAM', partOfId: '20003' };
    expect(codes(await gql(app, 'megan@example.com', create, { input }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(app, 'victor@example.com', create, { input }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(app, null, create, { input }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(app, 'mary@example.com', create, { input: { name: 'Top', type: 'EDU' } }))).toEqual([
      'FORBIDDEN',
    ]);
    const top = await gql(app, 'sam@example.com', create, { input: { name: 'Stanford', type: 'EDU' } });
    expect(top.data?.createOrganization).toMatchObject({ name: 'Stanford', partOf: null });
  });

  it('validates input with BAD_USER_INPUT and writes nothing', async () => {
    const blank = await gql(app, 'mary@example.com', create, {
      input: { name: '   ', type: 'TEAM', partOfId: '20003' },
    });
    expect(codes(blank)).toEqual(['BAD_USER_INPUT']);
    expect(blank.errors?.[0]?.message).toMatch(/name: must not be empty/);
    const badType = await gql(app, 'mary@example.com', create, {
      input: { name: 'X', type: 'SPACESHIP', partOfId: '20003' },
    });
    expect(codes(badType)).toEqual(['BAD_USER_INPUT']);
    const badId = await gql(app, 'mary@example.com', create, { input: { name: 'X', type: 'TEAM', partOfId: 'abc' } });
    expect(codes(badId)).toEqual(['BAD_USER_INPUT']);
    const [row] = await app.db.orm.em
      .getConnection()
      .execute<{ n: string }[]>(`select count(*) as n from organizations where name = 'X'`);
    expect(Number(row!.n)).toBe(0);
  });

  it('lets managers rename, not members', async () => {
    const ok = await gql(app, 'mary@example.com', update, { id: '20003', input: { name: 'BIDS' } });
    expect(ok.data?.updateOrganization).toEqual({ id: '20003', name: 'BIDS' });
    expect(codes(await gql(app, 'megan@example.com', update, { id: '20003', input: { name: 'Mine' } }))).toEqual([
      'FORBIDDEN',
    ]);
    expect(codes(await gql(app, 'mark@example.com', update, { id: '20008', input: { name: 'Mine' } }))).toEqual([
      'FORBIDDEN',
    ]);
  });
});

describe('GraphQL: requests', () => {
  it('reject a bad token with 401 UNAUTHENTICATED', async () => {
    const response = await fetch(`${app.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer nope.nope.nope' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('bound query depth', async () => {
    const deep = `{ organizations { ${'children { '.repeat(12)}id${' }'.repeat(12)} } }`;
    const result = await gql(app, 'mary@example.com', deep);
    expect(result.status).toBe(400);
    expect(codes(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(result.errors?.[0]?.message).toMatch(/exceeds maximum operation depth/);
  });

  it('pages by edges: each edge carries its node’s cursor, and the next page begins after it', async () => {
    const query = `query ($after: String) { observations(filter: { patientId: "40001" }, first: 3, after: $after) {
      edges { cursor node { id } } nodes { id } pageInfo { endCursor } } }`;
    type Page = {
      edges: { cursor: string; node: { id: string } }[];
      nodes: { id: string }[];
      pageInfo: { endCursor: string };
    };
    const first = (await gql(app, 'mary@example.com', query)).data!.observations as Page;
    expect(first.edges.map((edge) => edge.node.id)).toEqual(first.nodes.map((node) => node.id));
    expect(first.edges).toHaveLength(3);
    expect(first.edges[2]!.cursor).toBe(first.pageInfo.endCursor);
    const after = (await gql(app, 'mary@example.com', query, { after: first.edges[1]!.cursor })).data!
      .observations as Page;
    expect(after.nodes[0]!.id).toBe(first.nodes[2]!.id);
  });

  it('continues a patient’s nested observations from their end cursor, nested and at the top alike', async () => {
    type Page = { nodes: { id: string }[]; pageInfo: { endCursor: string } };
    const ids = (page: Page) => page.nodes.map((node) => node.id);
    const flat = (
      await gql(app, 'mary@example.com', '{ observations(filter: { patientId: "40001" }, first: 4) { nodes { id } } }')
    ).data!.observations as Page;
    const nested = `query ($after: String) { patient(id: "40001") {
      observations(first: 2, after: $after) { nodes { id } pageInfo { endCursor } } } }`;
    const head = ((await gql(app, 'mary@example.com', nested)).data!.patient as { observations: Page }).observations;
    const tail = (
      (await gql(app, 'mary@example.com', nested, { after: head.pageInfo.endCursor })).data!.patient as {
        observations: Page;
      }
    ).observations;
    const top = (
      await gql(
        app,
        'mary@example.com',
        `query ($after: String) {
      observations(filter: { patientId: "40001" }, first: 2, after: $after) { nodes { id } pageInfo { endCursor } } }`,
        {
          after: head.pageInfo.endCursor,
        },
      )
    ).data!.observations as Page;
    expect(ids(flat)).toHaveLength(4);
    expect([...ids(head), ...ids(tail)]).toEqual(ids(flat));
    expect(ids(top)).toEqual(ids(tail));
  });

  it('answer malformed queries with 400', async () => {
    const result = await gql(app, 'mary@example.com', '{ organizations { id ');
    expect(result.status).toBe(400);
    expect(codes(result)).toEqual(['GRAPHQL_PARSE_FAILED']);
  });
});
