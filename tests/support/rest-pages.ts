import { expect } from 'vitest';
import type { TestApp } from './app.js';
import { json } from './http.js';
import { redeemInvitation } from './invitations.js';
import { rest } from './rest.js';
import { gql } from './tokens.js';

type RestInit = Parameters<typeof rest>[2];

/**
 * Every page of a paginated `/api/v1` list, following `next` links to the end as JupyterHealth's client does;
 * checks on the way that each page says the same count and that the links go forward.
 */
export async function allPages(app: TestApp, path: string, init: RestInit = {}) {
  const results: any[] = [];
  const pages: any[] = [];
  let next: string | null = path;
  while (next) {
    const { status, body } = await rest(app, next, init);
    expect(status, `${next}: ${JSON.stringify(body)}`).toBe(200);
    if (pages.length > 0) expect(body.count).toBe(pages[0].count);
    pages.push(body);
    results.push(...body.results);
    expect(pages.length, 'pages never end').toBeLessThan(2000);
    next = body.next;
  }
  expect(results).toHaveLength(pages[0].count);
  return { results, pages, count: pages[0].count as number };
}

/**
 * A patient's own access token, as the patient app gets it: an invitation minted by a super user, redeemed at the
 * token endpoint.
 */
export async function patientAppToken(app: TestApp, patientId: number): Promise<string> {
  const invited = await gql(
    app,
    'sam@example.com',
    'mutation ($id: ID!) { createPatientInvitation(patientId: $id) { code } }',
    {
      id: String(patientId),
    },
  );
  if (invited.errors) throw new Error(JSON.stringify(invited.errors));
  const tokens = await json(await redeemInvitation(app, invited.data!.createPatientInvitation.code));
  if (!tokens.access_token) throw new Error(`redeeming the invitation failed: ${JSON.stringify(tokens)}`);
  return tokens.access_token;
}

/** Every node id of a GraphQL connection, walked with `first: 1000` pages: `query` takes $after and answers `{ <field>: connection }`. */
export async function graphqlIds(
  app: TestApp,
  as: string,
  field: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<number[]> {
  const ids: number[] = [];
  let after: string | null = null;
  do {
    const result = await gql(app, as, query, { ...variables, after });
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    const connection: any = result.data![field];
    ids.push(...connection.nodes.map((n: { id: string }) => Number(n.id)));
    after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
  } while (after);
  return ids;
}
