import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { callTool, mcpClient, RecordingOAuthProvider } from './support/mcp.js';
import { authorizeInPages, patientToken, scopedToken } from './support/scoped-tokens.js';
import { gql, tokenFor } from './support/tokens.js';

/**
 * The MCP face over streamable HTTP with the SDK's own client and real tokens: each tool runs GraphQL as the
 * caller, so what an agent sees is what the policy lets the caller see (organization, patient, token scopes).
 */
let app: TestApp;
let mary: Client; // manager of BIDS (studies 30001, 30002)
let mark: Client; // manager at UCSF (studies 30003–30005)

const HR = 'omh:heart-rate:2.0';
const BP = 'omh:blood-pressure:4.0';

beforeAll(async () => {
  app = await startTestApp();
  mary = await mcpClient(app, await tokenFor(app, 'mary@example.com'));
  mark = await mcpClient(app, await tokenFor(app, 'mark@example.com'));
});
afterAll(async () => {
  await mary?.close();
  await mark?.close();
  await app?.close();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${app.baseUrl}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } },
};

describe('authorization at /mcp', () => {
  it('answers 401 pointing at the protected-resource metadata without a token, and invalid_token for a bad one', async () => {
    const anonymous = await post(INITIALIZE);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${app.baseUrl}/.well-known/oauth-protected-resource", scope="openid fhirUser profile email offline_access user/*.rs"`,
    );
    const forged = await post(INITIALIZE, { authorization: 'Bearer not-a-token' });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toMatch(/^Bearer resource_metadata="[^"]+", error="invalid_token"/);
    expect(((await forged.json()) as any).error).toMatchObject({ code: -32600 });
  });

  it("lets the SDK's own OAuth flow find the provider, register, sign the user in and call tools", async () => {
    const provider = new RecordingOAuthProvider();
    const url = new URL(`${app.baseUrl}/mcp`);
    const first = new Client({ name: 'inspector-like', version: '1' });
    await expect(first.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }))).rejects.toThrow(
      UnauthorizedError,
    );
    // the SDK registered itself and would now open the login page
    expect(provider.clientInformation()?.client_id).toEqual(expect.any(String));
    expect(provider.authorizationUrl?.href).toMatch(new RegExp(`^${app.baseUrl}/o/auth\\?`));
    // the scope the 401 named, ticked in full on the consent screen
    const asked = provider.authorizationUrl!.searchParams.get('scope')!;
    expect(asked).toBe('openid fhirUser profile email offline_access user/*.rs');
    const tick = asked.split(' ').filter((s) => s !== 'openid');
    const { at } = await authorizeInPages(
      provider.authorizationUrl!.href,
      'megan@example.com',
      provider.redirectUrl,
      tick,
    );
    const finishing = new StreamableHTTPClientTransport(url, { authProvider: provider });
    await finishing.finishAuth(new URL(at).searchParams.get('code')!);
    expect(provider.tokens()?.scope?.split(' ')).toEqual(expect.arrayContaining(['offline_access', 'user/*.rs']));
    expect(provider.tokens()?.refresh_token).toEqual(expect.any(String));

    const agent = new Client({ name: 'inspector-like', version: '1' });
    await agent.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
    try {
      const studies = await callTool(agent, 'list_studies');
      expect(studies.data.studies.map((s: any) => s.id)).toEqual(['30001', '30002']);
    } finally {
      await agent.close();
    }
  });

  it('answers a token holder, refuses a foreign browser origin, and serves POST only', async () => {
    const token = await tokenFor(app, 'mary@example.com');
    const allowed = await post(INITIALIZE, { authorization: `Bearer ${token}` });
    expect(allowed.status).toBe(200);
    expect(((await allowed.json()) as any).result.serverInfo.name).toBe('health-exchange-gateway');
    const foreign = await post(INITIALIZE, { authorization: `Bearer ${token}`, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const stream = await fetch(`${app.baseUrl}/mcp`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    });
    expect(stream.status).toBe(405);
    const malformed = await fetch(`${app.baseUrl}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"jsonrpc":',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as any).error.code).toBe(-32700);
  });
});

describe('tools', () => {
  it('are listed with input and output schemas, all read-only', async () => {
    const { tools } = await mary.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'count_observations',
      'get_observations',
      'get_omh_schema',
      'get_patient',
      'get_patient_consents',
      'get_patient_date_range',
      'get_study',
      'list_organizations',
      'list_studies',
      'list_study_patients',
      'search_patients',
      'summarize_observations',
    ]);
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      expect(tool.annotations?.readOnlyHint).toBe(true);
    }
  });

  it("list studies and organizations: each caller's own, not another organization's", async () => {
    const ids = async (client: Client) => (await callTool(client, 'list_studies')).data.studies.map((s: any) => s.id);
    expect(await ids(mary)).toEqual(['30001', '30002']);
    expect(await ids(mark)).toEqual(['30003', '30004']); // not Olgin Lab's 30005: mark holds no role there
    const { data } = await callTool(mary, 'list_organizations');
    expect(data.organizations.map((o: any) => o.id)).toEqual(['20001', '20002', '20003']);
    expect(data.organizations[2]).toMatchObject({ name: expect.stringContaining('BIDS'), viewerRole: 'MANAGER' });
    const study = (await callTool(mary, 'list_studies')).data.studies[0];
    expect(study.requestedCodes.map((c: any) => c.code).sort()).toEqual([BP, HR]);
  });

  it("page a study's patients and observations, bounded, with the Open mHealth values", async () => {
    const patients = await callTool(mary, 'list_study_patients', { studyId: '30001', first: 1 });
    expect(patients.data).toMatchObject({ totalCount: 2, patients: [{ id: '40001', nameGiven: 'Peter' }] });
    const rest = await callTool(mary, 'list_study_patients', { studyId: 30001, after: patients.data.nextCursor });
    expect(rest.data).toMatchObject({ nextCursor: null, patients: [{ id: '40002' }] });

    const page = await callTool(mary, 'get_observations', { patientId: '40001', code: HR, first: 5 });
    expect(page.error).toBeNull();
    expect(page.data.observations).toHaveLength(5);
    expect(page.data.totalCount).toBeGreaterThan(5);
    expect(page.data.nextCursor).toEqual(expect.any(String));
    for (const o of page.data.observations) {
      expect(o).toMatchObject({ patientId: '40001', code: { code: HR } });
      expect(o.body.heart_rate).toMatchObject({ value: expect.any(Number), unit: 'beats/min' });
    }
    const next = await callTool(mary, 'get_observations', {
      patientId: '40001',
      code: HR,
      first: 5,
      after: page.data.nextCursor,
    });
    expect(next.data.observations.map((o: any) => o.id)).not.toContain(page.data.observations[0].id);
  });

  it("answer another organization's patient as not found, as every face does", async () => {
    const reads = ['get_patient', 'get_patient_consents'];
    for (const name of reads) {
      expect((await callTool(mary, name, { patientId: '40001' })).error).toBeNull();
      expect((await callTool(mark, name, { patientId: '40001' })).error).toMatch(/^NOT_FOUND: /);
    }
    const foreign = await callTool(mark, 'get_observations', { studyId: '30001' });
    expect(foreign.error ?? foreign.data.totalCount).toSatisfy((v: unknown) => v === 0 || /^NOT_FOUND/.test(String(v)));
    expect((await callTool(mark, 'list_study_patients', { studyId: '30001' })).error).toMatch(/^NOT_FOUND: /);
  });

  it('answer bad arguments with a tool error, not a crash', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['get_observations', { patientId: '40001', first: 5000 }],
      ['get_patient', { patientId: 'abc' }],
      ['get_patient', {}],
      ['get_observations', { patientId: '40001', from: '2026-13-01' }],
      ['list_studies', { after: 'x'.repeat(500) }],
    ];
    for (const [name, args] of cases) {
      const { error } = await callTool(mary, name, args);
      expect(error, `${name} ${JSON.stringify(args)}`).toMatch(/Invalid arguments|validation/i);
    }
    expect((await callTool(mary, 'get_observations', { patientId: '40001', after: 'not-a-cursor' })).error).toMatch(
      /^BAD_USER_INPUT: /,
    );
    expect((await callTool(mary, 'no_such_tool')).error).toMatch(/not found/);
  });
});

/** Every observation of a filter through GraphQL's own pages, as the same caller. */
async function allObservations(email: string, filter: Record<string, unknown>) {
  const nodes: { effectiveTime: string; omh: { body: Record<string, { value?: number; unit?: string }> } }[] = [];
  let after: string | null = null;
  do {
    const page: any = await gql(
      app,
      email,
      `query ($filter: ObservationFilter!, $after: String) {
        observations(filter: $filter, first: 1000, after: $after) { nodes { effectiveTime omh } pageInfo { endCursor hasNextPage } }
      }`,
      { filter, after },
    );
    nodes.push(...page.data.observations.nodes);
    after = page.data.observations.pageInfo.hasNextPage ? page.data.observations.pageInfo.endCursor : null;
  } while (after);
  return nodes;
}

describe('summaries, counts and date ranges', () => {
  it('summarize_observations per day equals the aggregate of the GraphQL pages', async () => {
    const summary = await callTool(mary, 'summarize_observations', { studyId: '30001', code: BP, bucket: 'day' });
    expect(summary.error).toBeNull();
    const expected = new Map<string, { count: number; values: Map<string, number[]> }>();
    for (const o of await allObservations('mary@example.com', {
      studyId: '30001',
      code: { system: 'https://w3id.org/openmhealth', code: BP },
    })) {
      const day = o.effectiveTime.slice(0, 10);
      const entry = expected.get(day) ?? { count: 0, values: new Map() };
      entry.count++;
      for (const [name, quantity] of Object.entries(o.omh.body)) {
        if (typeof quantity?.value !== 'number') continue;
        entry.values.set(`${name} ${quantity.unit}`, [
          ...(entry.values.get(`${name} ${quantity.unit}`) ?? []),
          quantity.value,
        ]);
      }
      expected.set(day, entry);
    }
    expect(summary.data.rows.map((r: any) => r.periodStart.slice(0, 10))).toEqual([...expected.keys()].sort());
    for (const row of summary.data.rows) {
      const want = expected.get(row.periodStart.slice(0, 10))!;
      expect(row.count).toBe(want.count);
      expect(row.quantities.map((q: any) => `${q.name} ${q.unit}`).sort()).toEqual([...want.values.keys()].sort());
      for (const q of row.quantities) {
        const values = want.values.get(`${q.name} ${q.unit}`)!;
        expect(q).toMatchObject({ count: values.length, min: Math.min(...values), max: Math.max(...values) });
        expect(q.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
      }
    }
  });

  it('count_observations and get_patient_date_range agree with the pages', async () => {
    const nodes = await allObservations('mary@example.com', { patientId: '40001' });
    const times = nodes.map((n) => n.effectiveTime).sort();
    const count = await callTool(mary, 'count_observations', { patientId: '40001' });
    expect(count.data).toEqual({ count: nodes.length, first: times[0], last: times.at(-1) });
    const range = await callTool(mary, 'get_patient_date_range', { patientId: 40001 });
    expect(range.data).toEqual({ patientId: '40001', count: nodes.length, first: times[0], last: times.at(-1) });
    const window = await callTool(mary, 'count_observations', {
      patientId: '40001',
      from: '2026-11-02',
      before: '2026-11-03',
    });
    expect(window.data.count).toBe(times.filter((t) => t >= '2026-11-02' && t < '2026-11-03').length);
  });
});

describe('each tool, allowed and denied', () => {
  /** what the caller of another organization gets: nothing, as "not found" or as an empty answer */
  const nothing = ({ error, data }: { error: string | null; data: any }) =>
    error === null ? (data.count ?? data.totalCount ?? data.rows?.length ?? data.patients?.length) : error;
  const cases: [string, Record<string, unknown>, (data: any) => void][] = [
    ['get_study', { studyId: '30001' }, (d) => expect(d.consentCounts.enrolled).toBe(2)],
    ['list_study_patients', { studyId: '30001' }, (d) => expect(d.totalCount).toBe(2)],
    ['search_patients', { name: 'peter' }, (d) => expect(d.patients.map((p: any) => p.id)).toEqual(['40001'])],
    ['get_patient_date_range', { patientId: '40002' }, (d) => expect(d.count).toBeGreaterThan(0)],
    ['count_observations', { studyId: '30001' }, (d) => expect(d.count).toBeGreaterThan(0)],
    ['summarize_observations', { studyId: '30001' }, (d) => expect(d.rows.length).toBeGreaterThan(0)],
    ['get_observations', { studyId: '30001' }, (d) => expect(d.totalCount).toBeGreaterThan(0)],
  ];
  for (const [tool, args, check] of cases) {
    it(`${tool}: the study's organization sees it, another organization nothing`, async () => {
      const allowed = await callTool(mary, tool, args);
      expect(allowed.error).toBeNull();
      check(allowed.data);
      expect(nothing(await callTool(mark, tool, args))).toSatisfy(
        (v: unknown) => v === 0 || /^NOT_FOUND: /.test(String(v)),
      );
    });
  }

  it('get_omh_schema: any signed-in caller, an unknown name is not found', async () => {
    const { data } = await callTool(mark, 'get_omh_schema', { name: 'omh:heart-rate:2.0' });
    expect(data).toMatchObject({ name: 'omh:heart-rate:2.0', version: '2.0', schema: { type: 'object' } });
    expect((await callTool(mark, 'get_omh_schema', { name: 'omh:no-such:1.0' })).error).toMatch(/^NOT_FOUND: /);
    const { resources } = await mark.listResources();
    expect(resources.map((r) => r.uri)).toContain('omh://schema/omh:blood-pressure:4.0');
    const read = await mark.readResource({ uri: 'omh://schema/omh:blood-pressure:4.0' });
    expect(JSON.parse(String((read.contents[0] as { text?: string }).text))).toMatchObject({ type: 'object' });
  });

  it("a patient's token counts their own observations only", async () => {
    const { access_token } = await patientToken(app, 40002, 'patient/*.rs');
    const pamela = await mcpClient(app, access_token);
    try {
      expect((await callTool(pamela, 'count_observations', { patientId: '40002' })).data.count).toBeGreaterThan(0);
      expect(nothing(await callTool(pamela, 'count_observations', { patientId: '40001' }))).toSatisfy(
        (v: unknown) => v === 0 || /^NOT_FOUND: /.test(String(v)),
      );
    } finally {
      await pamela.close();
    }
  });
});

describe('token scopes and patients', () => {
  it('a token for heart rate only sees heart rate, and no study list', async () => {
    const { access_token } = await scopedToken(
      app,
      'mary@example.com',
      `user/Observation.rs?code=https://w3id.org/openmhealth|${HR}`,
    );
    const narrow = await mcpClient(app, access_token);
    try {
      const codes = new Set<string>();
      const page = await callTool(narrow, 'get_observations', { studyId: '30001', first: 100 });
      expect(page.error).toBeNull();
      for (const o of page.data.observations) codes.add(o.code.code);
      expect([...codes]).toEqual([HR]);
      expect((await callTool(narrow, 'get_observations', { studyId: '30001', code: BP })).data.totalCount).toBe(0);
      expect((await callTool(narrow, 'list_studies')).error).toMatch(/^FORBIDDEN: .*user\/Group\.s/);
    } finally {
      await narrow.close();
    }
  });

  it("a patient's own agent sees the patient's own record only", async () => {
    const { access_token } = await patientToken(app, 40001, 'patient/*.rs');
    const peter = await mcpClient(app, access_token);
    try {
      expect((await callTool(peter, 'get_patient', { patientId: '40001' })).data).toMatchObject({ id: '40001' });
      expect((await callTool(peter, 'get_patient', { patientId: '40002' })).error).toMatch(/^NOT_FOUND: /);
    } finally {
      await peter.close();
    }
  });

  it('a revoked consent is gone from the next tool answer', async () => {
    const count = async () =>
      (await callTool(mary, 'get_observations', { patientId: '40001', code: HR, first: 1 })).data.totalCount;
    expect(await count()).toBeGreaterThan(0);
    const revoked = await gql(
      app,
      'peter@example.com',
      `mutation ($answers: [StudyScopeConsentsInput!]!) {
        revokeConsents(patientId: "40001", studyScopeConsents: $answers) { patient { id } }
      }`,
      {
        answers: [
          { studyId: '30001', scopeConsents: [{ codingSystem: 'https://w3id.org/openmhealth', codingCode: HR }] },
        ],
      },
    );
    expect(revoked.errors).toBeUndefined();
    expect(await count()).toBe(0);
  });
});

/** The audit events of one request, once the writer has written what it holds. */
async function eventsOf(requestId: string) {
  await app.audit.flush();
  return app.db.orm.em
    .fork()
    .getConnection()
    .execute<any[]>('select * from audit_events where request_id = ? order by id', [requestId]);
}

describe('audit trail', () => {
  it('records each tool call (who, tool, arguments, rows) and the GraphQL reads it ran, as the MCP face', async () => {
    const token = await tokenFor(app, 'mary@example.com');
    const traced = await mcpClient(app, token, { 'x-request-id': 'mcp-audit-allowed' });
    try {
      await callTool(traced, 'get_observations', { patientId: '40002', code: BP, first: 3 });
    } finally {
      await traced.close();
    }
    const rows = await eventsOf('mcp-audit-allowed');
    const call = rows.find((r) => r.operation === 'mcp.get_observations');
    expect(call).toMatchObject({
      user_id: 10002,
      client_id: 'portal',
      face: 'mcp',
      action: 'search',
      resource_type: 'Observation',
      patient_ids: [40002],
      params: { patientId: '40002', code: BP, first: 3 },
      row_count: 3,
      outcome: 'allowed',
    });
    expect(rows.find((r) => r.operation === 'Query.observations')).toMatchObject({ face: 'mcp', row_count: 3 });
  });

  it('records a refused call as such, and free text only as its hash', async () => {
    const token = await tokenFor(app, 'mark@example.com');
    const traced = await mcpClient(app, token, { 'x-request-id': 'mcp-audit-denied' });
    try {
      await callTool(traced, 'get_patient', { patientId: '40001' });
      await callTool(traced, 'search_patients', { email: 'peter@example.com' });
    } finally {
      await traced.close();
    }
    const rows = await eventsOf('mcp-audit-denied');
    expect(rows.find((r) => r.operation === 'mcp.get_patient')).toMatchObject({
      user_id: 10006,
      outcome: 'error',
      error_code: 'NOT_FOUND',
      patient_ids: [40001],
    });
    const search = rows.find((r) => r.operation === 'mcp.search_patients');
    expect(search.params.email).toMatch(/^hmac:[0-9a-f]{16}$/);
    expect(JSON.stringify(rows)).not.toContain('peter@example.com');
  });
});

describe('prompts', () => {
  it('offer the common questions, naming the tools that answer them', async () => {
    const { prompts } = await mary.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(['patient_overview', 'summarize_study_measure']);
    const prompt = await mary.getPrompt({
      name: 'summarize_study_measure',
      arguments: { studyId: '30001', code: BP, period: 'last week' },
    });
    const [message] = prompt.messages;
    expect(message?.content).toMatchObject({ type: 'text', text: expect.stringContaining('summarize_observations') });
  });
});
