import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { fhirFetch } from './support/fhir.js';
import { scopedToken } from './support/scoped-tokens.js';
import { codes, gql } from './support/tokens.js';

/** FHIR search result parameters: `_sort=-date`, `_elements`, `_summary`, `_include`, and `Group?member=`. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

type Entry = { fullUrl: string; resource: any; search: { mode: string } };
const HR = 'code=https://w3id.org/openmhealth|omh:heart-rate:2.0';
const withToken = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const matches = (bundle: { entry: Entry[] }) => bundle.entry.filter((e) => e.search.mode === 'match');
const included = (bundle: { entry: Entry[] }) =>
  bundle.entry.filter((e) => e.search.mode === 'include').map((e) => `${e.resource.resourceType}/${e.resource.id}`);
const next = (bundle: { link: { relation: string; url: string }[] }) =>
  bundle.link.find((l) => l.relation === 'next')?.url;
/** A link of ours as a path under /fhir/r5. */
const pathOf = (url: string) => url.slice(url.indexOf('/fhir/r5') + '/fhir/r5'.length);

async function search(path: string, init: Parameters<typeof fhirFetch>[2] = { as: 'mary@example.com' }) {
  const { status, body } = await fhirFetch(app, path, init);
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
}

/** Every page from `path` on, following next links: the bundles. */
async function walk(path: string, as = 'mary@example.com') {
  const bundles = [];
  for (let at: string | undefined = path; at; at = next(bundles.at(-1)) && pathOf(next(bundles.at(-1))!)) {
    bundles.push(await search(at, { as }));
  }
  return bundles;
}

async function refused(path: string, expression: string, as = 'mary@example.com') {
  const { status, body } = await fhirFetch(app, path, { as });
  expect(status, JSON.stringify(body)).toBe(400);
  expect(body.resourceType).toBe('OperationOutcome');
  expect(body.issue[0].expression).toEqual([expression]);
  return body.issue[0].diagnostics as string;
}

describe('_sort=-date on Observation', () => {
  const base = `/Observation?patient=40001&${HR}`;

  it('pages the latest first across page boundaries, the exact reverse of date order, without gaps', async () => {
    const ascending = matches(await search(`${base}&_sort=date&_count=1000`)).map((e) => e.resource);
    expect(ascending.length).toBeGreaterThan(10);
    const pages = await walk(`${base}&_sort=-date&_count=7`);
    expect(pages.length).toBe(Math.ceil(ascending.length / 7));
    const descending = pages.flatMap((page) => matches(page).map((e) => e.resource));
    expect(descending.map((o) => o.id)).toEqual(ascending.map((o) => o.id).reverse());
    expect(new Set(descending.map((o) => o.id)).size).toBe(descending.length);
    const times = descending.map((o) => Date.parse(o.effectiveDateTime));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // the next links keep the order
    expect(new URL(next(pages[0])!).searchParams.get('_sort')).toBe('-date');
  });

  it('refuses a cursor of one order replayed with the other', async () => {
    const down = await search(`${base}&_sort=-date&_count=3`);
    const downCursor = new URL(next(down)!).searchParams.get('_cursor')!;
    expect(await refused(`${base}&_sort=date&_cursor=${downCursor}`, 'after')).toMatch(/other order/);
    const up = await search(`${base}&_count=3`);
    const upCursor = new URL(next(up)!).searchParams.get('_cursor')!;
    expect(await refused(`${base}&_sort=-date&_cursor=${upCursor}`, 'after')).toMatch(/other order/);
  });

  it('is refused across patients or codes, and for _lastUpdated, naming the accepted values', async () => {
    expect(await refused('/Observation?_sort=-date', '_sort')).toMatch(
      /accepted: "patient,code,date", "patient,code,date,_id" \("date" and "-date" too, with patient and code given\)/,
    );
    expect(await refused(`/Observation?${HR}&_sort=-date`, '_sort')).toMatch(/with patient and code given/);
    expect(await refused('/Observation?patient=40001&_sort=patient,code,-date', '_sort')).toMatch(/accepted/);
    expect(await refused(`${base}&_sort=-_lastUpdated`, '_sort')).toMatch(
      /accepted: "patient,code,date", "patient,code,date,_id", "date", "-date"/,
    );
  });

  it('is the GraphQL order TIME_DESC, which needs one patient and one code', async () => {
    const query = `query ($filter: ObservationFilter!, $after: String) {
      observations(filter: $filter, order: TIME_DESC, first: 2, after: $after) {
        nodes { id effectiveTime } pageInfo { endCursor }
      }
    }`;
    const code = { system: 'https://w3id.org/openmhealth', code: 'omh:heart-rate:2.0' };
    const first = await gql(app, 'mary@example.com', query, { filter: { patientId: '40001', code } });
    const [a, b] = first.data!.observations.nodes;
    expect(Date.parse(a.effectiveTime)).toBeGreaterThanOrEqual(Date.parse(b.effectiveTime));
    const after = first.data!.observations.pageInfo.endCursor;
    const second = await gql(app, 'mary@example.com', query, { filter: { patientId: '40001', code }, after });
    expect(Date.parse(second.data!.observations.nodes[0].effectiveTime)).toBeLessThanOrEqual(
      Date.parse(b.effectiveTime),
    );
    const acrossPatients = await gql(app, 'mary@example.com', query, { filter: { code } });
    expect(codes(acrossPatients)).toEqual(['BAD_USER_INPUT']);
    expect(acrossPatients.errors![0]!.extensions!.field).toBe('order');
  });
});

describe('_elements and _summary', () => {
  const keys = (resource: object) => Object.keys(resource).sort();

  it('_elements keeps the listed top-level elements, id, meta and resourceType, tagged SUBSETTED', async () => {
    const bundle = await search('/Observation?patient=40001&_elements=status,code&_count=3');
    for (const { resource } of matches(bundle)) {
      expect(keys(resource)).toEqual(['code', 'id', 'meta', 'resourceType', 'status']);
      expect(resource.meta.lastUpdated).toEqual(expect.any(String));
      expect(resource.meta.tag).toEqual([expect.objectContaining({ code: 'SUBSETTED' })]);
    }
    // a choice element by its base name
    const values = await search('/Observation?patient=40001&_elements=value,effective&_count=1');
    expect(keys(matches(values)[0]!.resource)).toEqual([
      'effectiveDateTime',
      'id',
      'meta',
      'resourceType',
      'valueAttachment',
    ]);
    const patients = await search('/Patient?_elements=name');
    expect(matches(patients).map((e) => keys(e.resource))).toEqual([
      ['id', 'meta', 'name', 'resourceType'],
      ['id', 'meta', 'name', 'resourceType'],
    ]);
    expect(await refused('/Patient?_elements=name,%20', '_elements')).toMatch(/not an element name/);
    expect(await refused('/Patient?_elements=Patient.name', '_elements')).toMatch(/not an element name/);
  });

  it('_summary=true keeps the R5 summary elements, tagged; data and false the whole resource', async () => {
    const full = matches(await search('/Observation?patient=40001&_count=2'))[0]!.resource;
    const summary = matches(await search('/Observation?patient=40001&_count=2&_summary=true'))[0]!.resource;
    expect(full.device).toEqual({ reference: expect.stringMatching(/^Device\//) });
    const { device: _device, ...summaryOfFull } = full;
    expect(summary).toEqual({
      ...summaryOfFull,
      meta: { ...full.meta, tag: [expect.objectContaining({ code: 'SUBSETTED' })] },
    });
    for (const mode of ['data', 'false']) {
      expect(matches(await search(`/Observation?patient=40001&_count=2&_summary=${mode}`))[0]!.resource).toEqual(full);
    }
    const patient = matches(await search('/Patient?_id=40001&_summary=true'))[0]!.resource;
    expect(patient).toMatchObject({ id: '40001', name: expect.any(Array), telecom: expect.any(Array) });
    expect(patient.meta.tag).toEqual([expect.objectContaining({ code: 'SUBSETTED' })]);
    const group = matches(await search('/Group?_id=30001&_summary=true'))[0]!.resource;
    expect(group.member).toBeUndefined();
    expect(group.characteristic).toBeUndefined();
    expect(group).toMatchObject({ name: expect.any(String), quantity: expect.any(Number) });
  });

  it('keeps _summary=count and refuses bad values and combinations with 400', async () => {
    const count = await search('/Observation?patient=40001&_summary=count');
    expect(count.total).toBeGreaterThan(0);
    expect(count.entry).toEqual([]);
    expect(await refused('/Observation?_summary=text', '_summary')).toMatch(/true, data, count or false/);
    expect(await refused('/AuditEvent?_summary=true', '_summary')).toMatch(/data, count or false for AuditEvent/);
    expect(await refused('/Observation?_summary=true&_elements=code', '_elements')).toMatch(/cannot be combined/);
  });
});

describe('_include', () => {
  const both = '_include=Observation:patient&_include=Observation:device';

  it('brings each referenced Patient and Device once, as include entries after the matches', async () => {
    const bundle = await search(`/Observation?patient=40001&${both}&_count=20`);
    const found = matches(bundle).map((e) => e.resource);
    const devices = [...new Set(found.map((o) => o.device.reference))].sort();
    expect(included(bundle).sort()).toEqual(['Patient/40001', ...devices].sort());
    const patient = bundle.entry.find((e: Entry) => e.search.mode === 'include' && e.resource.id === '40001');
    expect(patient.fullUrl).toMatch(/\/fhir\/r5\/Patient\/40001$/);
    expect(patient.resource.name).toEqual(expect.any(Array));
    expect(bundle.entry.at(-1).search.mode).toBe('include');
    // Observation:subject is the same include
    expect(included(await search('/Observation?patient=40001&_include=Observation:subject&_count=2'))).toEqual([
      'Patient/40001',
    ]);
  });

  it('survives paging: the next link carries it and the next page has its own includes', async () => {
    const pages = await walk(`/Observation?_include=Observation:patient&_count=50`);
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) {
      const subjects = [...new Set(matches(page).map((e) => e.resource.subject.reference))].sort();
      expect(included(page).sort()).toEqual(subjects);
    }
    expect(new URL(next(pages[0])!).searchParams.getAll('_include')).toEqual(['Observation:patient']);
  });

  it('audits the included patients as read through the FHIR face', async () => {
    const requestId = randomUUID();
    await search('/Observation?patient=40001&_include=Observation:patient&_count=2', {
      as: 'mary@example.com',
      headers: { 'x-request-id': requestId },
    });
    await app.audit.flush();
    const events = await app.db.orm.em
      .fork()
      .getConnection()
      .execute<{ face: string; operation: string; resource_type: string; patient_ids: number[] }[]>(
        'select face, operation, resource_type, patient_ids from audit_events where request_id = ? order by id',
        [requestId],
      );
    expect(events).toContainEqual(
      expect.objectContaining({
        face: 'fhir',
        operation: 'Query.patients',
        resource_type: 'Patient',
        patient_ids: [40001],
      }),
    );
  });

  it('takes _include in a POST _search form body too', async () => {
    const { status, body } = await fhirFetch(app, '/Observation/_search', {
      as: 'mary@example.com',
      method: 'POST',
      body: 'patient=40001&_include=Observation:patient&_count=2',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(status).toBe(200);
    expect(matches(body)).toHaveLength(2);
    expect(included(body)).toEqual(['Patient/40001']);
    expect(new URL(next(body)!).searchParams.get('_include')).toBe('Observation:patient');
  });

  it('includes only what the viewer may see: another organization, narrower tokens', async () => {
    // mark (UCSF) sees neither BIDS patient: the search names one, 404; his own pages include only his own
    expect((await fhirFetch(app, `/Observation?patient=40001&${both}`, { as: 'mark@example.com' })).status).toBe(404);
    const marks = await search(`/Observation?${both}&_count=1000`, { as: 'mark@example.com' });
    const patients = included(marks).filter((r) => r.startsWith('Patient/'));
    expect(patients.length).toBeGreaterThan(0);
    expect(patients).not.toContain('Patient/40001');
    expect(patients).not.toContain('Patient/40002');
    // a token for Observations alone: the matches without the includes; with Patient too: the patients only
    const observationsOnly = await scopedToken(app, 'mary@example.com', 'user/Observation.rs');
    const narrow = await search(
      `/Observation?patient=40001&${both}&_count=5`,
      withToken(observationsOnly.access_token),
    );
    expect(matches(narrow)).toHaveLength(5);
    expect(included(narrow)).toEqual([]);
    const withPatients = await scopedToken(app, 'mary@example.com', 'user/Observation.rs user/Patient.rs');
    const some = await search(`/Observation?patient=40001&${both}&_count=5`, withToken(withPatients.access_token));
    expect(included(some)).toEqual(['Patient/40001']);
  });

  it('Group:member brings the enrolled patients the viewer may see', async () => {
    const bundle = await search('/Group?_include=Group:member');
    expect(matches(bundle).map((e) => e.resource.id)).toEqual(expect.arrayContaining(['30001', '30002']));
    expect(included(bundle).sort()).toEqual(['Patient/40001', 'Patient/40002']);
    const one = await search('/Group?_id=30001&_include=Group:member');
    const members = matches(one)[0]!.resource.member.map((m: { entity: { reference: string } }) => m.entity.reference);
    expect(included(one).sort()).toEqual(members.sort());
    const marks = included(await search('/Group?_include=Group:member', { as: 'mark@example.com' }));
    expect(marks.length).toBeGreaterThan(0);
    expect(marks).not.toContain('Patient/40001');
    const groupsOnly = await scopedToken(app, 'mary@example.com', 'user/Group.rs');
    const narrow = await search('/Group?_include=Group:member', withToken(groupsOnly.access_token));
    expect(matches(narrow).length).toBeGreaterThan(0);
    expect(included(narrow)).toEqual([]);
  });

  it('refuses include targets it does not serve, naming those it does', async () => {
    expect(await refused('/Observation?_include=Observation:performer', '_include')).toMatch(
      /accepted: "Observation:patient", "Observation:subject", "Observation:device"/,
    );
    expect(await refused('/Group?_include=Observation:patient', '_include')).toMatch(/accepted: "Group:member"/);
    expect(await refused('/Patient?_include=Patient:organization', '_include')).toMatch(/unsupported/);
    expect(await refused('/Patient?_revinclude=Observation:device', '_revinclude')).toMatch(
      /accepted: "Observation:patient", "Observation:subject"/,
    );
    expect(await refused('/Observation?_revinclude=Observation:patient', '_revinclude')).toMatch(/unsupported/);
  });
});

describe('Group?member=', () => {
  it('finds the studies a patient is enrolled in, as the viewer sees them', async () => {
    const ids = (bundle: { entry: Entry[] }) => matches(bundle).map((e) => e.resource.id);
    const peters = await search('/Group?member=Patient/40001');
    expect(ids(peters).sort()).toEqual(['30001', '30002']);
    expect(peters.total).toBe(2);
    expect(ids(await search('/Group?member=40001&managing-entity=Organization/20003'))).toEqual(['30001', '30002']);
    expect(ids(await search('/Group?member=40001&_id=30002'))).toEqual(['30002']);
    expect(ids(await search('/Group?member=40001&_id=30003'))).toEqual([]);
    expect((await search('/Group?member=40001&_summary=count')).total).toBe(2);
    // one short list, paged in memory by _page
    const first = await search('/Group?member=40001&_count=1');
    expect(first.total).toBe(2);
    const second = await search(pathOf(next(first)!));
    expect([...ids(first), ...ids(second)].sort()).toEqual(['30001', '30002']);
    expect(next(second)).toBeUndefined();
    expect(second.link.find((l: { relation: string }) => l.relation === 'previous').url).toMatch(/_page=1/);
    expect(await refused('/Group?member=40001&_cursor=abc', '_cursor')).toMatch(/_page/);
    // another organization's practitioner: the patient is not theirs, nothing matches
    expect(ids(await search('/Group?member=Patient/40001', { as: 'mark@example.com' }))).toEqual([]);
    expect(await refused('/Group?member=Device/70001', 'member')).toMatch(/an id/);
  });
});

describe('_revinclude=Observation:patient on Patient', () => {
  const subjects = (bundle: { entry: Entry[] }) =>
    bundle.entry.filter((e) => e.search.mode === 'include').map((e) => e.resource.subject.reference);

  it('brings every observation of the page’s patients the viewer may see, as includes', async () => {
    const peter = await search('/Patient?_id=40001&_revinclude=Observation:patient');
    expect(matches(peter).map((e) => e.resource.id)).toEqual(['40001']);
    const count = await search('/Observation?patient=40001&_summary=count');
    expect(subjects(peter)).toEqual(Array(count.total).fill('Patient/40001'));
    expect(included(peter).every((r) => r.startsWith('Observation/'))).toBe(true);
    const all = await search('/Patient?_revinclude=Observation:subject');
    expect(new Set(subjects(all))).toEqual(new Set(['Patient/40001', 'Patient/40002']));
    expect(subjects(all)).toHaveLength((await search('/Observation?_summary=count')).total);
  });

  it('another organization’s patients bring theirs; a token without Observation search none', async () => {
    const marks = await search('/Patient?_revinclude=Observation:patient', { as: 'mark@example.com' });
    expect(subjects(marks).length).toBeGreaterThan(0);
    expect(subjects(marks)).not.toContain('Patient/40001');
    const patientsOnly = await scopedToken(app, 'mary@example.com', 'user/Patient.rs');
    const narrow = await search('/Patient?_revinclude=Observation:patient', withToken(patientsOnly.access_token));
    expect(matches(narrow)).toHaveLength(2);
    expect(included(narrow)).toEqual([]);
  });

  // last: it adds observations
  it('refuses a page whose patients hold more than 1000 observations (400 too-costly)', async () => {
    const [one] = matches(await search('/Observation?patient=40002&_count=1'));
    await app.db.orm.em
      .fork()
      .getConnection()
      .execute(
        `insert into observations (subject_patient_id, codeable_concept_id, data_source_id, status, omh, effective_time, last_updated)
           select subject_patient_id, codeable_concept_id, data_source_id, status, omh,
                  effective_time + (g || ' seconds')::interval, last_updated
             from observations, generate_series(1, 1000) g where id = ?`,
        [Number(one!.resource.id)],
      );
    const { status, body } = await fhirFetch(app, '/Patient?_id=40002&_revinclude=Observation:patient', {
      as: 'mary@example.com',
    });
    expect(status).toBe(400);
    expect(body.issue[0]).toMatchObject({ code: 'too-costly', expression: ['_revinclude'] });
    expect(body.issue[0].diagnostics).toMatch(/more than the 1000 .*Observation\?patient=/);
    // the other patient's page still brings its own
    expect(subjects(await search('/Patient?_id=40001&_revinclude=Observation:patient')).length).toBeGreaterThan(0);
  });
});
