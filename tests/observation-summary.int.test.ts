import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { heartRate, observation, OMH } from './support/omh.js';
import { gqlWith, patientToken, scopedToken } from './support/scoped-tokens.js';
import { CODE, PATIENT, STUDY } from './support/seed-viewers.js';
import { codes, gql } from './support/tokens.js';
import type { QuantitySummary } from '../src/services/observation-summary.js';

/**
 * Query.observationSummary and Query.observationDateRange over real HTTP on the seeded demo (study 30001: peter
 * and pamela share blood pressure and heart rate, four days from 2026-11-01), with real tokens: the aggregates
 * equal what a client computes from the `observations` pages of the same filter, and follow the same gate.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const MARY = 'mary@example.com'; // manager of BIDS, which runs 30001
const MARK = 'mark@example.com'; // UCSF, Medicine, Cardiology, Moslehi: nothing of BIDS
const HR = { system: OMH, code: 'omh:heart-rate:2.0' };

type Quantity = QuantitySummary;
interface Row {
  code: { id: string };
  periodStart: string | null;
  count: number;
  firstTime: string | null;
  lastTime: string | null;
  quantities: Quantity[];
}

const SUMMARY = `query ($filter: ObservationFilter!, $bucket: SummaryBucket, $first: Int) {
  observationSummary(filter: $filter, bucket: $bucket, first: $first) {
    code { id } periodStart count firstTime lastTime quantities { name unit count min max mean }
  }
}`;
const RANGE = 'query ($filter: ObservationFilter!) { observationDateRange(filter: $filter) { count first last } }';

async function summary(as: string, filter: object, bucket?: string, first?: number): Promise<Row[]> {
  const result = await gql(app, as, SUMMARY, { filter, bucket, first });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.observationSummary;
}

interface Node {
  effectiveTime: string;
  code: { id: string };
  omh: { body: Record<string, unknown> };
}

/** Every observation `observations(filter)` lists, page by page. */
async function allObservations(send: (query: string, variables: object) => Promise<any>, filter: object) {
  const nodes: Node[] = [];
  for (let after: string | null = null; ;) {
    const result = await send(
      `query ($filter: ObservationFilter!, $after: String) { observations(filter: $filter, first: 1000, after: $after) {
        nodes { effectiveTime code { id } omh } pageInfo { hasNextPage endCursor } } }`,
      { filter, after },
    );
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    nodes.push(...result.data.observations.nodes);
    if (!result.data.observations.pageInfo.hasNextPage) return nodes;
    after = result.data.observations.pageInfo.endCursor;
  }
}

/** The summary computed here from the observations themselves: by code and UTC day (or not bucketed). */
function expectedSummary(nodes: Node[], byDay: boolean): Row[] {
  const groups = new Map<string, Node[]>();
  for (const node of nodes) {
    const key = `${node.code.id.padStart(10, '0')} ${byDay ? node.effectiveTime.slice(0, 10) : ''}`;
    groups.set(key, [...(groups.get(key) ?? []), node]);
  }
  return [...groups.keys()].sort().map((key) => {
    const group = groups.get(key)!;
    const times = group.map((n) => n.effectiveTime).sort();
    const values = new Map<string, { name: string; unit: string | null; values: number[] }>();
    for (const node of group) {
      for (const [name, v] of Object.entries(node.omh.body)) {
        const unitValue = v as { value?: unknown; unit?: unknown } | null;
        if (typeof unitValue !== 'object' || unitValue === null || typeof unitValue.value !== 'number') continue;
        const unit = typeof unitValue.unit === 'string' ? unitValue.unit : null;
        const entry = values.get(`${name}|${unit}`) ?? { name, unit, values: [] };
        entry.values.push(unitValue.value);
        values.set(`${name}|${unit}`, entry);
      }
    }
    return {
      code: { id: group[0]!.code.id },
      periodStart: byDay ? `${group[0]!.effectiveTime.slice(0, 10)}T00:00:00.000Z` : null,
      count: group.length,
      firstTime: times[0]!,
      lastTime: times.at(-1)!,
      quantities: [...values.values()]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map(({ name, unit, values: all }) => ({
          name,
          unit,
          count: all.length,
          min: Math.min(...all),
          max: Math.max(...all),
          mean: all.reduce((a, b) => a + b, 0) / all.length,
        })),
    };
  });
}

/** Means to 9 significant digits: PostgreSQL and JavaScript sum in different orders. */
const comparable = (rows: Row[]) =>
  rows.map((row) => ({
    ...row,
    quantities: row.quantities.map((q) => ({ ...q, mean: q.mean === null ? null : Number(q.mean.toPrecision(9)) })),
  }));

const asMary = (query: string, variables: object) => gql(app, MARY, query, variables as Record<string, unknown>);

describe('observationSummary', () => {
  it('equals the aggregate of the observations pages of the same filter, per code and UTC day', async () => {
    const filter = { studyId: String(STUDY.bidsBpHr) };
    const nodes = await allObservations(asMary, filter);
    expect(nodes.length).toBeGreaterThan(200); // 2 patients × 4 days × (24 hr + 3 bp)
    const rows = await summary(MARY, filter, 'DAY');
    expect(comparable(rows)).toEqual(comparable(expectedSummary(nodes, true)));
    expect(rows.map((r) => r.code.id)).toEqual([...rows.map((r) => r.code.id)].sort()); // by code, then day
    const bp = rows.find((r) => r.code.id === String(CODE.bp))!;
    expect(bp.quantities.map((q) => [q.name, q.unit])).toEqual([
      ['diastolic_blood_pressure', 'mmHg'],
      ['systolic_blood_pressure', 'mmHg'],
    ]);
    // not bucketed: one row per code
    const whole = await summary(MARY, filter);
    expect(comparable(whole)).toEqual(comparable(expectedSummary(nodes, false)));
    expect(whole.map((r) => r.code.id)).toEqual([String(CODE.bp), String(CODE.hr)]);
  });

  it('narrows like the observations search (code, patient, dates)', async () => {
    const filter = {
      patientId: String(PATIENT.pamela),
      code: HR,
      from: '2026-11-02T00:00:00Z',
      before: '2026-11-03T00:00:00Z',
    };
    const nodes = await allObservations(asMary, filter);
    expect(nodes).toHaveLength(24);
    expect(comparable(await summary(MARY, filter, 'DAY'))).toEqual(comparable(expectedSummary(nodes, true)));
  });

  it('shows another organization’s practitioner nothing of the study', async () => {
    const result = await gql(app, MARK, SUMMARY, { filter: { studyId: String(STUDY.bidsBpHr) } });
    expect(codes(result)).toEqual(['NOT_FOUND']);
    const ofPeter = await gql(app, MARK, SUMMARY, { filter: { patientId: String(PATIENT.peter) } });
    expect(codes(ofPeter)).toEqual(['NOT_FOUND']);
    // unfiltered: exactly what mark's own observations pages hold, none of BIDS's codes' rows for its patients
    const marks = await allObservations((q, v) => gql(app, MARK, q, v as Record<string, unknown>), {});
    const rows = await summary(MARK, {});
    expect(comparable(rows)).toEqual(comparable(expectedSummary(marks, false)));
    expect(rows.some((r) => r.code.id === String(CODE.hr) || r.code.id === String(CODE.bp))).toBe(false);
  });

  it('gives a token with a per-code scope that code alone', async () => {
    const { access_token } = await scopedToken(app, MARY, `user/Observation.rs?code=${HR.system}|${HR.code}`);
    const filter = { studyId: String(STUDY.bidsBpHr) };
    const result = await gqlWith(access_token, app, SUMMARY, { filter });
    expect(result.errors).toBeUndefined();
    const rows = result.data!.observationSummary as Row[];
    expect(rows.map((r) => r.code.id)).toEqual([String(CODE.hr)]);
    const hrOnly = await allObservations(asMary, { ...filter, code: HR });
    expect(rows[0]!.count).toBe(hrOnly.length);
    const range = await gqlWith(access_token, app, RANGE, { filter });
    expect(range.data!.observationDateRange.count).toBe(hrOnly.length);
  });

  it('buckets by UTC day and by ISO week from Monday, at the exact boundaries', async () => {
    const times = [
      '2026-10-04T23:59:59.999Z',
      '2026-10-05T00:00:00.000Z',
      '2026-10-11T23:59:59.999Z',
      '2026-10-12T00:00:00.000Z',
    ];
    const upload = await gql(
      app,
      MARY,
      'mutation ($o: [ObservationInput!]!) { uploadObservations(observations: $o) { status error { message } } }',
      {
        o: times.map((when, i) => {
          const { resourceType: _type, ...input } = observation({
            patient: PATIENT.peter,
            omh: heartRate(60 + i, when),
            identifier: `summary-boundary-${i}`,
          });
          return input;
        }),
      },
    );
    expect(upload.data!.uploadObservations.map((r: { status: string }) => r.status)).toEqual(
      times.map(() => 'CREATED'),
    );
    const filter = { patientId: String(PATIENT.peter), code: HR, before: '2026-11-01T00:00:00Z' };
    const days = await summary(MARY, filter, 'DAY');
    expect(days.map((r) => [r.periodStart, r.count])).toEqual([
      ['2026-10-04T00:00:00.000Z', 1],
      ['2026-10-05T00:00:00.000Z', 1],
      ['2026-10-11T00:00:00.000Z', 1],
      ['2026-10-12T00:00:00.000Z', 1],
    ]);
    const weeks = await summary(MARY, filter, 'WEEK');
    expect(weeks.map((r) => [r.periodStart, r.count, r.firstTime, r.lastTime])).toEqual([
      ['2026-09-28T00:00:00.000Z', 1, times[0], times[0]], // Sunday 4 October ends the week of Monday 28 September
      ['2026-10-05T00:00:00.000Z', 2, times[1], times[2]],
      ['2026-10-12T00:00:00.000Z', 1, times[3], times[3]],
    ]);
    expect(weeks[1]!.quantities).toEqual([
      { name: 'heart_rate', unit: 'beats/min', count: 2, min: 61, max: 62, mean: 61.5 },
    ]);
    const range = await gql(app, MARY, RANGE, { filter });
    expect(range.data!.observationDateRange).toEqual({ count: 4, first: times[0], last: times[3] });
  });

  it('refuses more rows than `first` with a 4xx telling how to narrow it, and bad arguments', async () => {
    const filter = { studyId: String(STUDY.bidsBpHr) };
    const tooMany = await gql(app, MARY, SUMMARY, { filter, bucket: 'DAY', first: 3 });
    expect(codes(tooMany)).toEqual(['BAD_USER_INPUT']);
    expect(tooMany.errors![0]!.message).toMatch(/more than 3 rows: narrow the filter .* coarser bucket/);
    expect((await summary(MARY, filter, 'NONE', 2)).length).toBe(2);
    for (const first of [0, 1001, -5]) {
      expect(codes(await gql(app, MARY, SUMMARY, { filter, first })), String(first)).toEqual(['BAD_USER_INPUT']);
    }
    expect(codes(await gql(app, MARY, SUMMARY, { filter, bucket: 'MONTH' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(app, MARY, SUMMARY, { filter: { studyId: 'x' } }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(app, null, SUMMARY, { filter }))).not.toEqual([]);
  });

  it('is audited like a search: the observations aggregated and their patients', async () => {
    const filter = { studyId: String(STUDY.bidsBpHr), code: HR };
    const rows = await summary(MARY, filter, 'DAY');
    await app.audit.flush();
    const [event] = await app.db.orm.em
      .fork()
      .getConnection()
      .execute<{ action: string; resource_type: string; row_count: number; patient_ids: number[]; outcome: string }[]>(
        "select * from audit_events where operation = 'Query.observationSummary' order by id desc limit 1",
      );
    expect(event).toMatchObject({ action: 'search', resource_type: 'Observation', outcome: 'allowed' });
    expect(event!.row_count).toBe(rows.reduce((sum, r) => sum + r.count, 0));
    expect([...event!.patient_ids].sort()).toEqual([PATIENT.peter, PATIENT.pamela]);
    await gql(app, MARK, RANGE, { filter });
    await app.audit.flush();
    const [denied] = await app.db.orm.em
      .fork()
      .getConnection()
      .execute<{ outcome: string; error_code: string; row_count: number | null }[]>(
        "select * from audit_events where operation = 'Query.observationDateRange' order by id desc limit 1",
      );
    expect(denied).toMatchObject({ error_code: 'NOT_FOUND', row_count: null });
    expect(denied!.outcome).not.toBe('allowed');
  });

  it('drops a revoked consent’s rows from the next summary at once', async () => {
    const filter = { patientId: String(PATIENT.peter), studyId: String(STUDY.bidsBpHr) };
    const before = await summary(MARY, filter);
    expect(before.map((r) => r.code.id)).toEqual([String(CODE.bp), String(CODE.hr)]);
    const { access_token } = await patientToken(app, PATIENT.peter, 'patient/*.cruds');
    const revoked = await gqlWith(
      access_token,
      app,
      `mutation { revokeConsents(patientId: "${PATIENT.peter}", studyScopeConsents: [{ studyId: "${STUDY.bidsBpHr}",
        scopeConsents: [{ codingSystem: "${OMH}", codingCode: "${HR.code}" }] }]) { consolidatedConsentedScopes { id } } }`,
    );
    expect(revoked.errors).toBeUndefined();
    const after = await summary(MARY, filter);
    expect(after).toEqual(before.filter((r) => r.code.id !== String(CODE.hr)));
    const range = await gql(app, MARY, RANGE, { filter: { ...filter, code: HR } });
    expect(range.data!.observationDateRange).toEqual({ count: 0, first: null, last: null });
  });
});

describe('omhSchemas', () => {
  it('lists the project’s schemas by name and reads one; an unknown name is NOT_FOUND', async () => {
    const list = await gql(app, MARY, '{ omhSchemas { name namespace version } }');
    const names = list.data!.omhSchemas.map((s: { name: string }) => s.name);
    expect(names).toContain('omh:heart-rate:2.0');
    expect(names).toContain('ieee:unit-value:1.0');
    expect(list.data!.omhSchemas.find((s: { name: string }) => s.name === 'omh:blood-pressure:4.0')).toEqual({
      name: 'omh:blood-pressure:4.0',
      namespace: 'omh',
      version: '4.0',
    });
    const one = await gql(app, MARY, '{ omhSchema(name: "omh:heart-rate:2.0") { name schema } }');
    expect(one.data!.omhSchema.schema.$id).toBe('https://w3id.org/openmhealth/schemas/omh/heart-rate-2.0.json');
    expect(codes(await gql(app, MARY, '{ omhSchema(name: "omh:nothing:1.0") { name } }'))).toEqual(['NOT_FOUND']);
    // a patient too (the app validates before it uploads); nobody anonymous
    const { access_token } = await patientToken(app, PATIENT.peter, 'patient/*.rs');
    expect((await gqlWith(access_token, app, '{ omhSchemas { name } }')).errors).toBeUndefined();
    expect(codes(await gql(app, null, '{ omhSchemas { name } }'))).not.toEqual([]);
  });
});

describe('Query.patients search arguments', () => {
  const PATIENTS = `query ($name: String, $family: String, $given: String, $email: String, $birthDate: String) {
    patients(name: $name, family: $family, given: $given, email: $email, birthDate: $birthDate) { totalCount nodes { id } }
  }`;
  const found = async (as: string, variables: Record<string, string>) => {
    const result = await gql(app, as, PATIENTS, variables);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!.patients.nodes.map((p: { id: string }) => Number(p.id));
  };

  it('finds by name, family, given, email and birth date, only among the patients the viewer may see', async () => {
    expect(await found(MARY, { name: 'PET' })).toEqual([PATIENT.peter]);
    expect(await found(MARY, { email: ' Pamela@Example.com ' })).toEqual([PATIENT.pamela]);
    expect(await found(MARY, { birthDate: '1980-01-01' })).toEqual([PATIENT.peter]);
    // percy is Moslehi's: mark finds him, mary (BIDS) does not
    expect(await found(MARK, { given: 'perc' })).toEqual([PATIENT.percy]);
    expect(await found(MARY, { given: 'perc' })).toEqual([]);
    expect(await found(MARY, { email: 'percy@example.com' })).toEqual([]);
  });

  it('answers bad values with BAD_USER_INPUT naming the argument', async () => {
    for (const variables of [
      { name: ' ' },
      { family: 'x'.repeat(151) },
      { email: 'nope' },
      { birthDate: '2001-13-01' },
    ]) {
      const result = await gql(app, MARY, PATIENTS, variables);
      expect(codes(result), JSON.stringify(variables)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors![0]!.message).toContain(`${Object.keys(variables)[0]}:`);
    }
  });
});

describe('Study.consentCounts', () => {
  const COUNTS = `query ($id: ID!) { study(id: $id) { consentCounts {
    enrolled fullyAnswered pending scopes { code { id } consented declined pending } } } }`;

  it('counts the enrolled patients’ answers: pending, consented, declined', async () => {
    // BIDS Study on BP: pamela consented, peter has only been asked
    const bp = await gql(app, MARY, COUNTS, { id: String(STUDY.bidsBp) });
    expect(bp.data!.study.consentCounts).toEqual({
      enrolled: 2,
      fullyAnswered: 1,
      pending: 1,
      scopes: [{ code: { id: String(CODE.bp) }, consented: 1, declined: 0, pending: 1 }],
    });
    const { access_token } = await patientToken(app, PATIENT.peter, 'patient/*.cruds');
    const declined = await gqlWith(
      access_token,
      app,
      `mutation { setConsents(patientId: "${PATIENT.peter}", studyScopeConsents: [{ studyId: "${STUDY.bidsBp}",
        scopeConsents: [{ codingSystem: "${OMH}", codingCode: "omh:blood-pressure:4.0", consented: false }] }]) { consolidatedConsentedScopes { id } } }`,
    );
    expect(declined.errors).toBeUndefined();
    const after = await gql(app, MARY, COUNTS, { id: String(STUDY.bidsBp) });
    expect(after.data!.study.consentCounts).toEqual({
      enrolled: 2,
      fullyAnswered: 2,
      pending: 0,
      scopes: [{ code: { id: String(CODE.bp) }, consented: 1, declined: 1, pending: 0 }],
    });
    // the patient sees the study, and counts over their own record alone
    const own = await gqlWith(access_token, app, COUNTS, { id: String(STUDY.bidsBp) });
    expect(own.data!.study.consentCounts).toMatchObject({ enrolled: 1, fullyAnswered: 1, pending: 0 });
  });

  it('is not shown to another organization’s practitioner', async () => {
    expect(codes(await gql(app, MARK, COUNTS, { id: String(STUDY.bidsBp) }))).toEqual(['NOT_FOUND']);
  });
});
