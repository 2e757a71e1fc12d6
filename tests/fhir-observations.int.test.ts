import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { allPages, fhirClient, fhirFetch } from './support/fhir.js';
import { gql } from './support/tokens.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const BP = 'https://w3id.org/openmhealth|omh:blood-pressure:4.0';

describe('FHIR Observation search (the JupyterHealth examples)', () => {
  it('study + patient + code, followed through next links to the end', async () => {
    const client = await fhirClient(app, 'mary@example.com');
    const first = (await client.search({
      resourceType: 'Observation',
      searchParams: {
        'patient._has:Group:member:_id': '30001',
        patient: '40001',
        code: BP,
        _count: 5,
        _total: 'accurate',
      },
    })) as any;
    expect(first.total).toBeGreaterThan(5);
    const { resources, pages } = await allPages(client, first);
    expect(resources).toHaveLength(first.total);
    expect(pages).toBe(Math.ceil(first.total / 5));
    // one patient and code: in effective time order (ids break ties)
    const keys = resources.map((r: any) => `${r.effectiveDateTime} ${String(r.id).padStart(12, '0')}`);
    expect(keys).toEqual([...keys].sort());
    const ids = resources.map((r: any) => Number(r.id));
    expect(new Set(ids).size).toBe(ids.length);
    const sample = resources[0] as any;
    expect(sample).toMatchObject({
      resourceType: 'Observation',
      status: 'final',
      subject: { reference: 'Patient/40001' },
      device: { reference: 'Device/70001' },
      code: { coding: [{ system: 'https://w3id.org/openmhealth', code: 'omh:blood-pressure:4.0' }] },
      valueAttachment: { contentType: 'application/json' },
      meta: { lastUpdated: expect.any(String) },
    });
    const omh = JSON.parse(Buffer.from(sample.valueAttachment.data, 'base64').toString());
    expect(omh.header.schema_id.name).toBe('blood-pressure');
    expect(first.link.find((l: any) => l.relation === 'next').url).toContain('_cursor=');
  });

  it('accepts the notebook client’s _has:Group:member:_id and patient.identifier', async () => {
    const viaHas = await fhirFetch(
      app,
      '/Observation?_has:Group:member:_id=30001&_total=accurate&code=' + encodeURIComponent(BP),
      { as: 'mary@example.com' },
    );
    const viaPatient = await fhirFetch(
      app,
      '/Observation?patient._has:Group:member:_id=30001&_total=accurate&code=' + encodeURIComponent(BP),
      { as: 'mary@example.com' },
    );
    expect(viaHas.status).toBe(200);
    expect(viaHas.body.total).toBeGreaterThan(0);
    expect(viaHas.body.total).toBe(viaPatient.body.total);
    const byIdentifier = await fhirFetch(
      app,
      `/Observation?patient.identifier=${encodeURIComponent('https://ehr.example.com|peter-mrn-40001')}&_summary=count`,
      { as: 'mary@example.com' },
    );
    const byPatient = await fhirFetch(app, '/Observation?patient=40001&_summary=count', { as: 'mary@example.com' });
    expect(byIdentifier.body.total).toBe(byPatient.body.total);
    expect(byIdentifier.body.entry).toEqual([]);
  });

  it('filters by date with prefixes and by _lastUpdated', async () => {
    const day = await fhirFetch(app, '/Observation?patient=40001&date=ge2026-11-02&date=lt2026-11-03&_count=1000', {
      as: 'mary@example.com',
    });
    expect(day.status).toBe(200);
    expect(day.body.total).toBeGreaterThan(0);
    for (const entry of day.body.entry) expect(entry.resource.effectiveDateTime.slice(0, 10)).toBe('2026-11-02');
    const month = await fhirFetch(app, '/Observation?patient=40001&date=eq2026-11&_summary=count', {
      as: 'mary@example.com',
    });
    const all = await fhirFetch(app, '/Observation?patient=40001&_summary=count', { as: 'mary@example.com' });
    expect(month.body.total).toBe(all.body.total);
    const none = await fhirFetch(app, '/Observation?patient=40001&_lastUpdated=gt2030-01-01', {
      as: 'mary@example.com',
    });
    expect(none.body).toMatchObject({ total: 0, entry: [] });
    const bad = await fhirFetch(app, '/Observation?date=yesterday', { as: 'mary@example.com' });
    expect(bad.status).toBe(400);
    expect(bad.body.issue[0].diagnostics).toMatch(/date/);
    // days and months that do not exist are refused, not rolled over into the next year
    for (const date of ['gt2026-13-45', 'eq2026-02-30', 'ge2026-00', 'lt2026-11-31T10:00:00Z']) {
      const impossible = await fhirFetch(app, `/Observation?date=${date}`, { as: 'mary@example.com' });
      expect(impossible.status, date).toBe(400);
      expect(impossible.body.issue[0].diagnostics, date).toMatch(/invalid date/);
    }
  });

  it('reads one observation and hides those the viewer may not see', async () => {
    const page = await fhirFetch(app, '/Observation?patient=40003&_count=1', { as: 'tom@example.com' });
    const id = page.body.entry[0].resource.id;
    expect((await fhirFetch(app, `/Observation/${id}`, { as: 'tom@example.com' })).status).toBe(200);
    const hidden = await fhirFetch(app, `/Observation/${id}`, { as: 'mary@example.com' });
    expect(hidden.status).toBe(404);
    const missing = await fhirFetch(app, '/Observation/99999999', { as: 'mary@example.com' });
    expect(missing.status).toBe(404);
    expect(missing.body.issue[0].diagnostics.replace('99999999', id)).toBe(hidden.body.issue[0].diagnostics);
  });

  it('shows exactly what GraphQL shows, for every role', async () => {
    for (const who of ['sam', 'mary', 'victor', 'tom', 'mark', 'peter', 'pat']) {
      const email = `${who}@example.com`;
      const client = await fhirClient(app, email);
      const { resources } = await allPages(
        client,
        (await client.search({ resourceType: 'Observation', searchParams: { _count: 1000 } })) as any,
      );
      const viaFhir = resources.map((r: any) => r.id).sort();
      const viaGraphQL: string[] = [];
      let after: string | null = null;
      for (;;) {
        const result = await gql(
          app,
          email,
          'query ($after: String) { observations(filter: {}, first: 1000, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }',
          { after },
        );
        viaGraphQL.push(...result.data!.observations.nodes.map((n: { id: string }) => n.id));
        if (!result.data?.observations.pageInfo.hasNextPage) break;
        after = result.data.observations.pageInfo.endCursor;
      }
      expect(viaFhir, who).toEqual(viaGraphQL.sort());
    }
  });
});

describe('FHIR paging', () => {
  it('accepts JupyterHealth’s _page, giving the pages the next links give', async () => {
    const query = '/Observation?patient=40001&_count=5';
    const first = await fhirFetch(app, query, { as: 'mary@example.com' });
    const next = first.body.link
      .find((l: { relation: string }) => l.relation === 'next')
      .url.replace(`${app.baseUrl}/fhir/r5`, '');
    const second = await fhirFetch(app, next, { as: 'mary@example.com' });
    const viaPage = await fhirFetch(app, `${query}&_page=2`, { as: 'mary@example.com' });
    expect(viaPage.body.entry.map((e: any) => e.resource.id)).toEqual(second.body.entry.map((e: any) => e.resource.id));
    const bad = await fhirFetch(app, `${query}&_count=5000`, { as: 'mary@example.com' });
    expect(bad.status).toBe(400);
    const tampered = await fhirFetch(app, `${query}&_cursor=bm9wZQ`, { as: 'mary@example.com' });
    expect(tampered.status).toBe(400);
    expect(tampered.body.issue[0].diagnostics).toMatch(/not a cursor this server issued/);
  });

  it('counts every match only when asked (_total), or when the page is the whole result', async () => {
    const query = '/Observation?patient=40001&_count=5';
    const counted = await fhirFetch(app, `${query}&_total=accurate`, { as: 'mary@example.com' });
    const all = await fhirFetch(app, '/Observation?patient=40001&_summary=count', { as: 'mary@example.com' });
    expect(counted.body.total).toBe(all.body.total);
    expect(counted.body.total).toBeGreaterThan(5);
    expect(counted.body.entry).toHaveLength(5);
    const uncounted = await fhirFetch(app, query, { as: 'mary@example.com' });
    expect(uncounted.body.entry).toHaveLength(5);
    expect(uncounted.body).not.toHaveProperty('total');
    const whole = await fhirFetch(app, `/Observation?patient=40001&_count=1000`, { as: 'mary@example.com' });
    expect(whole.body.total).toBe(all.body.total);
    expect(whole.body.entry).toHaveLength(all.body.total);
    const none = await fhirFetch(app, `/Observation?patient=40001&_count=1000&_total=none`, { as: 'mary@example.com' });
    expect(none.body).not.toHaveProperty('total');
    const bad = await fhirFetch(app, `${query}&_total=some`, { as: 'mary@example.com' });
    expect(bad.status).toBe(400);
    expect(bad.body.issue[0].diagnostics).toMatch(/_total must be/);
  });
});
