import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { fhirFetch } from './support/fhir.js';
import { heartRate, observation } from './support/omh.js';
import { rest } from './support/rest.js';
import { gqlWith, patientToken } from './support/scoped-tokens.js';
import { PATIENT } from './support/seed-viewers.js';
import { type GraphQLResult, tokenFor } from './support/tokens.js';

/**
 * The audit trail end to end: real tokens, real HTTP through each face, events read back from audit_events
 * after awaiting the writer's flush (never a sleep). Each request carries its own X-Request-Id, by which its
 * events are found.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const MARY = 'mary@example.com';
const SAM = 'sam@example.com';
const MEGAN = 'megan@example.com';
const AGENT = 'audit-test/1.0';

async function gqlAs(as: string, query: string, variables: Record<string, unknown> = {}, requestId = randomUUID()) {
  const response = await fetch(`${app.baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${await tokenFor(app, as)}`,
      'x-request-id': requestId,
      'user-agent': AGENT,
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as object) } as GraphQLResult;
}

interface Row {
  user_id: number | null;
  client_id: string | null;
  face: string;
  address: string | null;
  user_agent: string | null;
  request_id: string;
  operation: string;
  action: string;
  resource_type: string;
  resource_ids: number[];
  patient_ids: number[];
  params: Record<string, unknown>;
  row_count: number | null;
  outcome: string;
  error_code: string | null;
}

/** The events of one request, after the writer has written everything queued. */
async function eventsOf(requestId: string): Promise<Row[]> {
  await app.audit.flush();
  return app.db.orm.em
    .fork()
    .getConnection()
    .execute<Row[]>('select * from audit_events where request_id = ? order by id', [requestId]);
}

describe('what is recorded', () => {
  it('a GraphQL read: who, what, when, from where, the outcome', async () => {
    const id = randomUUID();
    const before = new Date();
    const result = await gqlAs(MARY, '{ patient(id: "40001") { id nameFamily } }', {}, id);
    expect(result.errors).toBeUndefined();
    const [event, ...others] = await eventsOf(id);
    expect(others).toEqual([]);
    expect(event).toMatchObject({
      user_id: 10002,
      client_id: 'portal',
      face: 'graphql',
      user_agent: AGENT,
      operation: 'Query.patient',
      action: 'read',
      resource_type: 'Patient',
      resource_ids: [40001],
      patient_ids: [40001],
      params: { id: '40001' },
      row_count: 1,
      outcome: 'allowed',
      error_code: null,
    });
    expect(event!.address).toMatch(/127\.0\.0\.1/);
    const [{ recorded_at }] = await app.db.orm.em
      .fork()
      .getConnection()
      .execute('select recorded_at from audit_events where request_id = ?', [id]);
    expect(new Date(recorded_at).getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
  });

  it('a nested list is one event per field, with every patient it read and the rows it returned', async () => {
    const id = randomUUID();
    const result = await gqlAs(
      MARY,
      '{ patients(organizationId: "20003") { nodes { id observations(first: 2) { nodes { id } } } } }',
      {},
      id,
    );
    expect(result.errors).toBeUndefined();
    const nodes = result.data!.patients.nodes as { id: string; observations: { nodes: unknown[] } }[];
    const events = await eventsOf(id);
    expect(events.map((e) => e.operation)).toEqual(['Query.patients', 'Patient.observations']);
    expect(events[0]).toMatchObject({
      action: 'search',
      params: { organizationId: '20003' },
      row_count: nodes.length,
    });
    expect([...events[0]!.patient_ids].sort()).toEqual(nodes.map((n) => Number(n.id)).sort());
    expect(events[1]).toMatchObject({
      resource_type: 'Observation',
      row_count: nodes.reduce((sum, n) => sum + n.observations.nodes.length, 0),
    });
  });

  it('a FHIR search: the face, the search parameters, the count; a REST read: its face', async () => {
    const id = randomUUID();
    const search = await fhirFetch(app, '/Observation?patient=40001&_count=5', {
      as: MARY,
      headers: { 'x-request-id': id, 'user-agent': AGENT },
    });
    expect(search.status).toBe(200);
    const [event] = await eventsOf(id);
    expect(event).toMatchObject({
      face: 'fhir',
      operation: 'Query.observations',
      action: 'search',
      resource_type: 'Observation',
      patient_ids: [40001],
      params: { filter: { patientId: '40001' }, first: 5 },
      row_count: search.body.entry.length,
      outcome: 'allowed',
    });

    const restId = randomUUID();
    const read = await rest(app, '/patients/40001', { as: MARY, headers: { 'x-request-id': restId } });
    expect(read.status).toBe(200);
    const events = await eventsOf(restId);
    expect(events.map((e) => [e.face, e.operation, e.outcome])).toContainEqual(['rest', 'Query.patient', 'allowed']);
  });

  it('writes: an upload records the observations written and their patient, never their values', async () => {
    const id = randomUUID();
    const upload = await fhirFetch(app, '/Observation', {
      as: MARY,
      body: observation({ patient: PATIENT.peter, omh: heartRate(187), identifier: `audit-${id}` }),
      headers: { 'x-request-id': id },
    });
    expect(upload.status).toBe(201);
    const [event] = await eventsOf(id);
    expect(event).toMatchObject({
      face: 'fhir',
      operation: 'Mutation.uploadObservations',
      action: 'create',
      resource_ids: [Number(upload.body.id)],
      patient_ids: [PATIENT.peter],
      row_count: 1,
      outcome: 'allowed',
    });
    expect(event!.params).toEqual({ observations: { count: 1 }, atomic: false });
    expect(JSON.stringify(event)).not.toContain('187');
  });

  it('denials and errors: the policy refusal, a narrower token, an unknown record', async () => {
    const denied = randomUUID();
    const trail = await gqlAs(MEGAN, '{ auditEvents { nodes { id } } }', {}, denied);
    expect(trail.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await eventsOf(denied)).toMatchObject([
      { user_id: 10003, operation: 'Query.auditEvents', outcome: 'denied', error_code: 'FORBIDDEN' },
    ]);

    // percy is not in any of mary's organizations: the attempt is in percy's log
    const other = randomUUID();
    const percy = await gqlAs(MARY, '{ patient(id: "40003") { id } }', {}, other);
    expect(percy.errors).toHaveLength(1);
    const [attempt] = await eventsOf(other);
    expect(attempt).toMatchObject({ operation: 'Query.patient', patient_ids: [PATIENT.percy], row_count: null });
    expect(['denied', 'error']).toContain(attempt!.outcome);
    expect(attempt!.error_code).toBe(percy.errors![0]!.extensions!.code);

    const bad = randomUUID();
    const invalid = await gqlAs(MARY, '{ observations(filter: { patientId: "x" }) { nodes { id } } }', {}, bad);
    expect(invalid.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await eventsOf(bad)).toMatchObject([{ outcome: 'error', error_code: 'BAD_USER_INPUT' }]);
  });

  it('no PHI: emails and identifier values are kept as keyed hashes, never as given', async () => {
    const id = randomUUID();
    await gqlAs(MARY, '{ patientLookup(email: "percy@example.com") { id } }', {}, id);
    const bySystem = await fhirFetch(
      app,
      `/Patient?identifier=${encodeURIComponent('https://ehr.example.com|peter-mrn-40001')}`,
      { as: MARY, headers: { 'x-request-id': id } },
    );
    expect(bySystem.status).toBe(200);
    const events = await eventsOf(id);
    expect(events.map((e) => e.operation)).toEqual(['Query.patientLookup', 'Query.patients']);
    const text = JSON.stringify(events);
    expect(text).not.toContain('percy@example.com');
    expect(text).not.toContain('peter-mrn-40001');
    expect(events[0]!.params.email).toMatch(/^hmac:[0-9a-f]{16}$/);
    expect(events[1]!.params.identifier).toEqual({
      system: 'https://ehr.example.com',
      value: expect.stringMatching(/^hmac:[0-9a-f]{16}$/),
    });
    // the same value hashes the same: two searches for it can be matched up
    const again = randomUUID();
    await gqlAs(MARY, '{ patientLookup(email: "percy@example.com") { id } }', {}, again);
    expect((await eventsOf(again))[0]!.params.email).toBe(events[0]!.params.email);
  });
});

const TRAIL = `query ($filter: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) {
    totalCount nodes { id userId user { email } operation outcome patientIds recordedAt } pageInfo { hasNextPage endCursor }
  }
}`;

describe('auditEvents (super users)', () => {
  it('filters by user, patient, time range and outcome, newest first, paged', async () => {
    const start = new Date();
    await gqlAs(MEGAN, '{ patient(id: "40002") { id } }');
    await gqlAs(MEGAN, '{ auditEvents { totalCount } }');
    await app.audit.flush();
    const result = await gqlAs(SAM, TRAIL, { filter: { userId: '10003', from: start.toISOString() } });
    expect(result.errors).toBeUndefined();
    const { nodes, totalCount } = result.data!.auditEvents;
    expect(nodes.map((n: { operation: string }) => n.operation)).toEqual(['Query.auditEvents', 'Query.patient']);
    expect(totalCount).toBe(2);
    expect(nodes[0].user).toEqual({ email: MEGAN });

    const denied = await gqlAs(SAM, TRAIL, {
      filter: { userId: '10003', from: start.toISOString(), outcome: 'DENIED' },
    });
    expect(denied.data!.auditEvents.nodes.map((n: { operation: string }) => n.operation)).toEqual([
      'Query.auditEvents',
    ]);
    const pamela = await gqlAs(SAM, TRAIL, { filter: { patientId: '40002', from: start.toISOString() } });
    expect(pamela.data!.auditEvents.nodes).toEqual([
      expect.objectContaining({ userId: '10003', operation: 'Query.patient', patientIds: ['40002'] }),
    ]);
    const none = await gqlAs(SAM, TRAIL, {
      filter: { userId: '10003', before: start.toISOString(), from: start.toISOString() },
    });
    expect(none.data!.auditEvents.nodes).toEqual([]);

    const first = await gqlAs(SAM, TRAIL, { filter: { userId: '10003', from: start.toISOString() }, first: 1 });
    expect(first.data!.auditEvents.pageInfo.hasNextPage).toBe(true);
    const second = await gqlAs(SAM, TRAIL, {
      filter: { userId: '10003', from: start.toISOString() },
      first: 1,
      after: first.data!.auditEvents.pageInfo.endCursor,
    });
    expect(second.data!.auditEvents.nodes.map((n: { operation: string }) => n.operation)).toEqual(['Query.patient']);
    expect(second.data!.auditEvents.pageInfo.hasNextPage).toBe(false);
  });

  it('is refused to anyone else, and bad filters are a 4xx', async () => {
    for (const who of [MARY, MEGAN]) {
      const result = await gqlAs(who, TRAIL);
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    }
    const none = await gqlAs(SAM, TRAIL, { filter: { patientId: '999999' } });
    expect(none.data!.auditEvents.nodes).toEqual([]);
    const bad = await gqlAs(SAM, TRAIL, { filter: { patientId: '99999999999' } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const cursor = await gqlAs(SAM, TRAIL, { after: 'nope' });
    expect(cursor.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

const ACCESS_LOG = `query ($id: ID!) {
  patient(id: $id) { viewerCan { viewAccessLog } accessLog(first: 50) { nodes { userId operation } } }
}`;

describe('Patient.accessLog: who read this patient’s data', () => {
  it('the patient sees it, and so do managers of their organization; members do not', async () => {
    const id = randomUUID();
    await gqlAs(MEGAN, '{ patient(id: "40001") { id } }', {}, id);
    await app.audit.flush();

    const peter = await patientToken(app, PATIENT.peter, 'patient/*.rs');
    const own = await gqlWith(peter.access_token, app, ACCESS_LOG, { id: '40001' });
    expect(own.errors).toBeUndefined();
    expect(own.data!.patient.viewerCan.viewAccessLog).toBe(true);
    expect(own.data!.patient.accessLog.nodes).toContainEqual({ userId: '10003', operation: 'Query.patient' });

    const manager = await gqlAs(MARY, ACCESS_LOG, { id: '40001' });
    expect(manager.errors).toBeUndefined();
    expect(manager.data!.patient.accessLog.nodes).toContainEqual({ userId: '10003', operation: 'Query.patient' });

    const member = await gqlAs(MEGAN, ACCESS_LOG, { id: '40001' });
    expect(member.data).toBeNull();
    expect(member.errors?.map((e) => [e.extensions?.code, e.path?.join('.')])).toEqual([
      ['FORBIDDEN', 'patient.accessLog'],
    ]);
    const memberCan = await gqlAs(MEGAN, '{ patient(id: "40001") { viewerCan { viewAccessLog } } }');
    expect(memberCan.data!.patient.viewerCan.viewAccessLog).toBe(false);

    // another patient's log: pamela cannot even read peter's record
    const pamela = await patientToken(app, PATIENT.pamela, 'patient/*.rs');
    const foreign = await gqlWith(pamela.access_token, app, ACCESS_LOG, { id: '40001' });
    expect(foreign.data).toBeNull();
    expect(foreign.errors?.[0]?.extensions?.code).toMatch(/NOT_FOUND|FORBIDDEN/);
  });

  it('a token without AuditEvent scopes does not show it', async () => {
    const peter = await patientToken(app, PATIENT.peter, 'patient/Patient.rs');
    const can = await gqlWith(peter.access_token, app, '{ patient(id: "40001") { viewerCan { viewAccessLog } } }');
    expect(can.data!.patient.viewerCan.viewAccessLog).toBe(false);
    const result = await gqlWith(peter.access_token, app, ACCESS_LOG, { id: '40001' });
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(result.errors![0]!.message).toContain('patient/AuditEvent.s');
  });
});

describe('FHIR AuditEvent search', () => {
  it('answers super users with R5 AuditEvents, by patient, agent, date and outcome', async () => {
    const start = new Date().toISOString();
    const id = randomUUID();
    await gqlAs(MEGAN, '{ patient(id: "40002") { id } }', {}, id);
    await app.audit.flush();
    const found = await fhirFetch(
      app,
      `/AuditEvent?patient=Patient/40002&agent=10003&date=ge${encodeURIComponent(start)}&outcome=0`,
      { as: SAM },
    );
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    expect(found.body.entry).toHaveLength(1);
    const event = found.body.entry[0].resource;
    expect(event).toMatchObject({
      resourceType: 'AuditEvent',
      action: 'R',
      code: { text: 'Query.patient' },
      outcome: { code: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-outcome', code: '0' } },
      agent: [{ who: { reference: 'Person/10003' }, requestor: true }, { who: { identifier: { value: 'portal' } } }],
      source: { observer: { display: 'Health Exchange Gateway (graphql)' } },
    });
    expect(event.entity).toContainEqual(expect.objectContaining({ what: { reference: 'Patient/40002' } }));
    expect(new Date(event.recorded).getTime()).toBeGreaterThanOrEqual(new Date(start).getTime());

    const denied = await fhirFetch(app, '/AuditEvent?outcome=4&agent=Person/10003', { as: SAM });
    expect(denied.status).toBe(200);
  });

  it('refuses others (403), bad parameters (400), and is in the CapabilityStatement', async () => {
    expect((await fhirFetch(app, '/AuditEvent', { as: MARY })).status).toBe(403);
    expect((await fhirFetch(app, '/AuditEvent')).status).toBe(401);
    const bad = await fhirFetch(app, '/AuditEvent?outcome=success', { as: SAM });
    expect(bad.status).toBe(400);
    expect(bad.body.resourceType).toBe('OperationOutcome');
    expect((await fhirFetch(app, '/AuditEvent?name=peter', { as: SAM })).status).toBe(400);
    const metadata = await fhirFetch(app, '/metadata');
    const types = metadata.body.rest[0].resource.map((r: { type: string }) => r.type);
    expect(types).toContain('AuditEvent');
  });
});
