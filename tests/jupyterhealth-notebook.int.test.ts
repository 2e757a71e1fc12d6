import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { addConsentingPatients } from './support/extra-patients.js';
import { Code, collect, JupyterHealthClient, notebookToken, RequestError } from './support/notebook-client.js';
import { allPages, graphqlIds, patientAppToken } from './support/rest-pages.js';
import { ORG, PATIENT, STUDY } from './support/seed-viewers.js';
import { codes, gql } from './support/tokens.js';

/**
 * The jupyterhealth-client (0.4.0) getting-started notebook, replayed request by request against the gateway
 * (tests/support/notebook-client.ts sends what the client sends): a notebook token from the device flow, the
 * user, studies, patients and their consents, then observations of a study, of a patient and of a code into
 * the rows of a DataFrame. Thirty more consenting patients in study 30001 make the REST lists and the FHIR
 * searches longer than a page, so the client has to follow `next` links.
 */

let app: TestApp;
let mary: JupyterHealthClient;
beforeAll(async () => {
  app = await startTestApp();
  await addConsentingPatients(app, 30, 'notebook-extra');
  mary = new JupyterHealthClient(app.baseUrl, (await notebookToken(app, MARY)).access_token);
});
afterAll(() => app?.close());

const MARY = 'mary@example.com';
const MARK = 'mark@example.com';
const OMH = 'https://w3id.org/openmhealth';
const BIDS = 'Berkeley Institute for Data Science (BIDS)';

const GRAPHQL_PATIENTS = `query ($after: String) {
  patients(first: 1000, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } }
}`;

let maryRestToken: string | undefined;
/** mary's notebook token, for comparing with the REST face's own lists. */
const maryToken = async () => (maryRestToken ??= (await notebookToken(app, MARY)).access_token);

/** What the REST face lists for the same search (every page). */
const restObservations = async (token: string, query: string) =>
  (await allPages(app, `/observations?page_size=1000&${query}`, { token })).results;

/** The notebook's "Patients with data I have access to" cell: the lines it prints and the ids it remembers. */
async function patientsWithData(jh: JupyterHealthClient) {
  const printed: string[] = [];
  let bp: { patientId: number; studyId: number } | undefined;
  for await (const patient of jh.listPatients()) {
    const consents = await jh.getPatientConsents(patient.id);
    if (consents.studies.length === 0 && consents.studiesPendingConsent.length === 0) continue;
    printed.push(`[${patient.id}] ${patient.nameFamily}, ${patient.nameGiven} (${patient.telecomEmail})`);
    for (const study of consents.studies) {
      for (const scope of study.scopeConsents) {
        if (!scope.consented) continue;
        if (scope.code.codingCode === Code.BLOOD_PRESSURE) bp = { patientId: patient.id, studyId: study.id };
        printed.push(`  - [${study.id}] ${study.name} (${scope.code.text})`);
      }
    }
    for (const study of consents.studiesPendingConsent) printed.push(`  - (not consented) [${study.id}] ${study.name}`);
  }
  return { printed, bp };
}

describe('the getting-started notebook as a practitioner (mary, BIDS manager)', () => {
  it('gets the user, the studies (all, and of one organization) and one study', async () => {
    expect(await mary.getUser()).toMatchObject({
      id: 10002,
      email: MARY,
      firstName: expect.any(String),
      lastName: expect.any(String),
      patient: null,
      userType: 'practitioner',
    });

    const studies = await collect(mary.listStudies());
    const printed = studies.map((s) => `  - [${s.id}] ${s.name} org:${s.organization.name}`);
    expect(printed).toEqual([
      `  - [30001] BIDS Study on BP & HR org:${BIDS}`,
      `  - [30002] BIDS Study on BP org:${BIDS}`,
    ]);
    const study = await mary.getStudy(studies.at(-1).id);
    expect(study).toEqual({
      id: 30002,
      name: 'BIDS Study on BP',
      description: expect.any(String),
      organization: { id: ORG.bids, name: BIDS, type: 'laboratory' },
      iconUrl: null,
    });

    expect((await collect(mary.listStudies({ organizationId: ORG.bids }))).map((s) => s.id)).toEqual([30001, 30002]);
    // mary manages UC Berkeley too, which runs no study itself
    expect(await collect(mary.listStudies({ organizationId: ORG.ucb }))).toEqual([]);
    expect(mary.requested).toContain(`${app.baseUrl}/api/v1/studies?organization_id=${ORG.bids}`);
    expect(mary.requested).toContain(`${app.baseUrl}/api/v1/studies/30002`);
  });

  it('lists the organizations and data sources the client reads', async () => {
    const organizations = await collect(mary.listOrganizations());
    expect(organizations.map((o) => [o.id, o.partOf, o.currentUserRole])).toEqual([
      [ORG.ucb, null, 'manager'],
      [ORG.ccdss, ORG.ucb, 'manager'],
      [ORG.bids, ORG.ccdss, 'manager'],
    ]);
    expect(await mary.getOrganization(ORG.bids)).toEqual({
      id: ORG.bids,
      name: BIDS,
      type: 'laboratory',
      partOf: ORG.ccdss,
      currentUserRole: 'manager',
      children: [],
    });
    const sources = await collect(mary.listDataSources());
    expect(sources.map((s) => s.name)).toEqual(['iHealth', 'Dexcom', 'CareX', 'Oura']);
    expect(sources[0]).toMatchObject({
      id: 70001,
      type: 'personal_device',
      supportedScopes: expect.arrayContaining([
        { id: 50002, codingSystem: OMH, codingCode: Code.BLOOD_PRESSURE, text: 'Blood pressure' },
      ]),
    });
  });

  it('walks the patients page by page through next links and prints who shares what', async () => {
    const before = mary.requested.length;
    const { printed, bp } = await patientsWithData(mary);
    const patientPages = mary.requested.slice(before).filter((url) => /\/api\/v1\/patients(\?|$)/.test(url));
    // 32 patients, 20 a page: the first request as the client builds it, then the absolute next link
    expect(patientPages).toHaveLength(2);
    expect(patientPages[0]).toBe(`${app.baseUrl}/api/v1/patients`);
    expect(patientPages[1]).toMatch(new RegExp(`^${app.baseUrl}/api/v1/patients\\?.*cursor=`));

    const peter = printed.indexOf('[40001] Patient, Peter (peter@example.com)');
    expect(printed.slice(peter, peter + 4)).toEqual([
      '[40001] Patient, Peter (peter@example.com)',
      '  - [30001] BIDS Study on BP & HR (Blood pressure)',
      '  - [30001] BIDS Study on BP & HR (Heart rate)',
      '  - (not consented) [30002] BIDS Study on BP',
    ]);
    const pamela = printed.indexOf('[40002] Patient, Pamela (pamela@example.com)');
    expect(printed.slice(pamela, pamela + 4)).toEqual([
      '[40002] Patient, Pamela (pamela@example.com)',
      '  - [30001] BIDS Study on BP & HR (Blood pressure)',
      '  - [30001] BIDS Study on BP & HR (Heart rate)',
      '  - [30002] BIDS Study on BP (Blood pressure)',
    ]);
    // every one of mary's 32 patients has something to print; the last one sharing BP is an extra patient
    expect(printed.filter((line) => line.startsWith('['))).toHaveLength(32);
    expect(bp?.studyId).toBe(STUDY.bidsBpHr);
    expect(bp!.patientId).toBeGreaterThan(PATIENT.pat);

    const ofStudy = await collect(mary.listPatients({ studyId: STUDY.bidsBpHr }));
    expect(ofStudy).toHaveLength(32);
    expect(Object.keys(ofStudy[0]).sort()).toEqual([
      'birthDate',
      'id',
      'identifiers',
      'jheUserId',
      'nameFamily',
      'nameGiven',
      'organizations',
      'telecomEmail',
      'telecomPhone',
    ]);
    const narrowed = await collect(mary.listPatients({ organizationId: ORG.bids, studyId: STUDY.bidsBp }));
    expect(narrowed.map((p) => p.id)).toEqual([PATIENT.peter, PATIENT.pamela]);
    expect(mary.requested).toContain(`${app.baseUrl}/api/v1/patients?organization_id=${ORG.bids}&study_id=30002`);

    const found = await mary.lookupPatient({ email: 'peter@example.com' });
    expect(found).toEqual(await mary.getPatient(PATIENT.peter));
    expect(found).toMatchObject({ id: PATIENT.peter, jheUserId: 10007, nameGiven: 'Peter', nameFamily: 'Patient' });
  });

  it('reads one study’s blood pressure into DataFrame rows: the columns the notebook selects, the values stored', async () => {
    const observation = (await mary.listObservations({ studyId: STUDY.bidsBpHr, code: Code.BLOOD_PRESSURE }).next())
      .value;
    expect(observation).toMatchObject({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: OMH, code: Code.BLOOD_PRESSURE }] },
      subject: { reference: expect.stringMatching(/^Patient\/\d+$/) },
      valueAttachment: { contentType: 'application/json', data: expect.any(String) },
    });
    const decoded = JSON.parse(Buffer.from(observation.valueAttachment.data, 'base64').toString());
    expect(decoded.header.schema_id).toEqual({ namespace: 'omh', name: 'blood-pressure', version: '4.0' });
    expect(mary.requested.at(-1)).toBe(
      `${app.baseUrl}/FHIR/R5/Observation?patient._has%3AGroup%3Amember%3A_id=30001` +
        `&code=https%3A%2F%2Fw3id.org%2Fopenmhealth%7Comh%3Ablood-pressure%3A4.0&_count=1000`,
    );

    const fullBp = await mary.listObservationsDf({ studyId: STUDY.bidsBpHr, code: Code.BLOOD_PRESSURE });
    const columns = [
      'subject_reference',
      'effective_time_frame_date_time',
      'systolic_blood_pressure_value',
      'diastolic_blood_pressure_value',
    ];
    for (const row of fullBp) {
      for (const column of [
        'code',
        'id',
        'meta_lastUpdated',
        'uuid',
        'effective_time_frame_date_time_local',
        ...columns,
      ]) {
        expect(row[column], column).toBeDefined();
      }
      expect(row.code).toBe(Code.BLOOD_PRESSURE);
      expect(row.effective_time_frame_date_time).toBeInstanceOf(Date);
    }
    const bp = fullBp.map((row) =>
      columns.map((c) => (row[c] instanceof Date ? (row[c] as Date).toISOString() : row[c])),
    );
    // groupby("subject_reference"): one group per patient of the study
    expect(new Set(bp.map(([subject]) => subject)).size).toBe(32);

    // the same observations as the REST face's list, value for value
    const token = await maryToken();
    const listed = await restObservations(token, `study_id=30001&code=${Code.BLOOD_PRESSURE}`);
    expect(bp.map(String).sort()).toEqual(
      listed
        .map((o: any) => [
          `Patient/${o.subjectPatientId}`,
          new Date(o.omhData.body.effective_time_frame.date_time).toISOString(),
          o.omhData.body.systolic_blood_pressure.value,
          o.omhData.body.diastolic_blood_pressure.value,
        ])
        .map(String)
        .sort(),
    );
  });

  it('follows the Bundle’s next links through a study longer than a page; the default limit stops at 2000', async () => {
    const before = mary.requested.length;
    const everything = await mary.listObservationsDf({ studyId: STUDY.bidsBpHr, limit: null });
    const pages = mary.requested.slice(before);
    const listed = await restObservations(await maryToken(), 'study_id=30001');
    expect(everything).toHaveLength(listed.length);
    expect(pages).toHaveLength(Math.ceil(listed.length / 1000));
    expect(pages.slice(1).every((url) => url.startsWith(`${app.baseUrl}/fhir/r5/Observation?`))).toBe(true);
    expect(pages.slice(1).every((url) => url.includes('_cursor='))).toBe(true);
    expect(new Set(everything.map((row) => row.id)).size).toBe(everything.length);
    expect(new Set(everything.map((row) => row.code))).toEqual(new Set([Code.BLOOD_PRESSURE, Code.HEART_RATE]));

    expect(await mary.listObservationsDf({ studyId: STUDY.bidsBpHr })).toHaveLength(2000);
  });

  it('reads one patient’s heart rate (patient= and code=system|code)', async () => {
    const rows = await mary.listObservationsDf({ patientId: PATIENT.peter, code: `${OMH}|${Code.HEART_RATE}` });
    expect(mary.requested.at(-1)).toBe(
      `${app.baseUrl}/FHIR/R5/Observation?patient=40001&code=https%3A%2F%2Fw3id.org%2Fopenmhealth%7Comh%3Aheart-rate%3A2.0&_count=1000`,
    );
    const listed = await restObservations(await maryToken(), `patient_id=40001&code=${Code.HEART_RATE}`);
    expect(rows).toHaveLength(listed.length);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row).toMatchObject({
        code: Code.HEART_RATE,
        subject_reference: 'Patient/40001',
        heart_rate_unit: 'beats/min',
        schema_id_name: 'heart-rate',
      });
      expect(typeof row.heart_rate_value).toBe('number');
    }
    expect(rows.map((row) => Number(row.id)).sort()).toEqual(listed.map((o: any) => o.id).sort());
  });
});

describe('denied sides', () => {
  it('a practitioner of another organization (mark) sees none of those patients or observations, as in GraphQL', async () => {
    const mark = new JupyterHealthClient(app.baseUrl, (await notebookToken(app, MARK)).access_token);
    const patients = (await collect(mark.listPatients())).map((p) => p.id);
    expect(patients).toEqual(await graphqlIds(app, MARK, 'patients', GRAPHQL_PATIENTS));
    expect(patients).not.toContain(PATIENT.peter);
    expect(patients).not.toContain(PATIENT.pamela);
    expect((await collect(mark.listStudies())).map((s) => s.id)).toEqual([STUDY.cardioRr, STUDY.moslehiBt]);
    for (const call of [
      () => mark.getPatient(PATIENT.peter),
      () => mark.getPatientConsents(PATIENT.peter),
      () => mark.getStudy(STUDY.bidsBpHr),
      () => collect(mark.listPatients({ studyId: STUDY.bidsBpHr })),
    ]) {
      await expect(call()).rejects.toMatchObject({ status: 404 });
    }
    // the FHIR searches name a study and a patient he may not see: not found, as GraphQL answers them
    for (const search of [{ studyId: STUDY.bidsBpHr }, { patientId: PATIENT.peter }]) {
      await expect(collect(mark.listObservations(search))).rejects.toMatchObject({ status: 404 });
      const filter = 'studyId' in search ? `studyId: "${search.studyId}"` : `patientId: "${search.patientId}"`;
      expect(codes(await gql(app, MARK, `{ observations(filter: { ${filter} }, first: 1) { totalCount } }`))).toEqual([
        'NOT_FOUND',
      ]);
    }
    // his own study's data he does read
    expect((await mark.listObservationsDf({ studyId: STUDY.cardioRr })).length).toBeGreaterThan(0);
  });

  it('a token asking for heart rate alone (user/Observation.rs?code=…) gets only that code', async () => {
    const granted = await notebookToken(app, MARY, `openid user/Observation.rs?code=${OMH}|${Code.HEART_RATE}`);
    expect(granted.scope.split(' ')).toContain(`user/Observation.rs?code=${OMH}|${Code.HEART_RATE}`);
    const narrow = new JupyterHealthClient(app.baseUrl, granted.access_token);
    const rows = await narrow.listObservationsDf({ studyId: STUDY.bidsBpHr, limit: null });
    expect(new Set(rows.map((row) => row.code))).toEqual(new Set([Code.HEART_RATE]));
    const heartRates = await restObservations(await maryToken(), `study_id=30001&code=${Code.HEART_RATE}`);
    expect(rows).toHaveLength(heartRates.length);
    expect(await collect(narrow.listObservations({ studyId: STUDY.bidsBpHr, code: Code.BLOOD_PRESSURE }))).toEqual([]);
    // who am I needs no scope; the studies need a Group scope this token lacks
    expect((await narrow.getUser()).id).toBe(10002);
    const refused = await collect(narrow.listStudies()).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RequestError);
    expect(refused).toMatchObject({ status: 403, detail: expect.stringContaining('user/Group.s') });
  });

  it('a patient’s token sees only the patient’s own record and data', async () => {
    const peter = new JupyterHealthClient(app.baseUrl, await patientAppToken(app, PATIENT.peter));
    expect(await peter.getUser()).toMatchObject({ userType: 'patient', patient: { id: PATIENT.peter } });
    expect((await collect(peter.listPatients())).map((p) => p.id)).toEqual([PATIENT.peter]);
    const own = await peter.listObservationsDf({ patientId: PATIENT.peter, limit: null });
    expect(own.length).toBeGreaterThan(0);
    expect(new Set(own.map((row) => row.subject_reference))).toEqual(new Set(['Patient/40001']));
    const ofStudy = await peter.listObservationsDf({ studyId: STUDY.bidsBpHr, limit: null });
    expect(new Set(ofStudy.map((row) => row.subject_reference))).toEqual(new Set(['Patient/40001']));
    await expect(collect(peter.listObservations({ patientId: PATIENT.pamela }))).rejects.toMatchObject({ status: 404 });
    await expect(peter.getPatientConsents(PATIENT.pamela)).rejects.toMatchObject({ status: 404 });
    await expect(peter.getPatient(PATIENT.pamela)).rejects.toMatchObject({ status: 404 });
  });
});
