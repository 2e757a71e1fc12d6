import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { cspViolations, launchChromium, screenshot, see, signIn } from '../support/chromium.js';
import { json } from '../support/http.js';
import { redeemInvitation } from '../support/invitations.js';
import { OMH } from '../support/omh.js';

let app: TestApp;
let browser: Browser;
let page: Page;
let violations: string[];

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchChromium()]);
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  violations = cspViolations(page);
  page.on('dialog', (dialog) => void dialog.accept());
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const idFromUrl = (page: Page, kind: string) => new RegExp(`/${kind}/(\\d+)`).exec(page.url())?.[1] ?? '';

/** The patient app's part, done over HTTP: redeem the invitation, consent, upload FHIR Observations. */
async function patientAppRedeems(link: string, studyId: string, patientId: string, glucose: number[]) {
  const code = link.slice(link.lastIndexOf('|') + 1);
  const token = await redeemInvitation(app, code);
  expect(token.status).toBe(200);
  const auth = { authorization: `Bearer ${(await json(token)).access_token}` };

  const consent = await fetch(`${app.baseUrl}/graphql`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `mutation($p: ID!, $s: [StudyScopeConsentsInput!]!) { setConsents(patientId: $p, studyScopeConsents: $s) { patient { id } } }`,
      variables: {
        p: patientId,
        s: [{ studyId, scopeConsents: [{ codingSystem: OMH, codingCode: 'omh:blood-glucose:4.0', consented: true }] }],
      },
    }),
  });
  expect(await json(consent)).not.toHaveProperty('errors');

  const entry = glucose.map((value, i) => {
    const when = new Date(Date.UTC(2026, 10, 20, 6 + i * 2)).toISOString();
    const omh = {
      header: {
        uuid: `9e2b1c3a-0000-4000-8000-${String(i).padStart(12, '0')}`,
        schema_id: { namespace: 'omh', name: 'blood-glucose', version: '4.0' },
        source_creation_date_time: when,
        modality: 'sensed',
      },
      body: { blood_glucose: { value, unit: 'mg/dL' }, effective_time_frame: { date_time: when } },
    };
    return {
      request: { method: 'POST', url: 'Observation' },
      resource: {
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: OMH, code: 'omh:blood-glucose:4.0' }] },
        subject: { reference: `Patient/${patientId}` },
        device: { reference: 'Device/70002' },
        identifier: [{ system: 'https://dexcom.example/readings', value: `e2e-${i}` }],
        valueAttachment: { contentType: 'application/json', data: Buffer.from(JSON.stringify(omh)).toString('base64') },
      },
    };
  });
  const upload = await fetch(`${app.baseUrl}/fhir/r5/`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/fhir+json' },
    body: JSON.stringify({ resourceType: 'Bundle', type: 'batch', entry }),
  });
  expect(upload.status).toBe(200);
  const statuses = (await json(upload)).entry.map((e: { response: { status: string } }) => e.response.status);
  expect(statuses).toEqual(glucose.map(() => '201'));
}

describe('the JupyterHealth use case in the portal, as mary (manager of BIDS)', () => {
  const glucose = [96, 142, 118, 171, 105];
  let studyId = '';
  let patientId = '';

  it('signs in through the real login form and lands in her first organization', async () => {
    await signIn(page, app.baseUrl, 'mary@example.com');
    await see(page.getByRole('heading', { level: 1, name: 'University of California Berkeley' }));
    const tree = page.getByRole('complementary', { name: 'Organizations' });
    await see(tree.getByRole('link', { name: 'Berkeley Institute for Data Science (BIDS)' }));
    expect(await tree.getByRole('link', { name: 'Moslehi Lab' }).count()).toBe(0);
    await screenshot(page, '01-mary-signed-in');
  });

  it('creates a sub-organization of BIDS and becomes its manager', async () => {
    await page.getByRole('combobox', { name: 'Switch organization' }).selectOption('20003');
    await see(page.getByRole('heading', { level: 1, name: 'Berkeley Institute for Data Science (BIDS)' }));
    const form = page.getByRole('form', { name: 'New organization' });
    await form.getByLabel('Name').fill('BIDS Glucose Lab');
    await form.getByLabel('Type').selectOption('TEAM');
    await form.getByRole('button', { name: 'Create organization' }).click();
    await see(page.getByRole('heading', { level: 1, name: 'BIDS Glucose Lab' }));
    await see(page.getByRole('cell', { name: 'mary@example.com' }));
    await see(
      page.getByRole('complementary', { name: 'Organizations' }).getByRole('link', { name: 'BIDS Glucose Lab' }),
    );
  });

  it('creates a study, adds a data source and a scope request', async () => {
    await page.getByRole('link', { name: 'Studies', exact: true }).click();
    await see(page.getByText('No studies yet.'));
    const form = page.getByRole('form', { name: 'New study' });
    await form.getByLabel('Study name').fill('Glucose after meals');
    await form.getByLabel('Description').fill('Continuous glucose monitoring of the lab’s volunteers');
    await form.getByRole('button', { name: 'Create study' }).click();
    await see(page.getByRole('heading', { level: 1, name: 'Glucose after meals' }));
    studyId = idFromUrl(page, 'studies');
    expect(studyId).toMatch(/^\d+$/);

    await page.getByLabel('Add data source').selectOption({ label: 'Dexcom' });
    await page.getByRole('region', { name: 'Data sources' }).getByRole('button', { name: 'Add' }).click();
    await see(page.getByRole('button', { name: 'Remove Dexcom' }));
    await page.getByLabel('Add scope').selectOption({ label: 'Blood glucose (omh:blood-glucose:4.0)' });
    await page.getByRole('region', { name: 'Scope requests' }).getByRole('button', { name: 'Add' }).click();
    await see(page.getByRole('button', { name: 'Remove Blood glucose (omh:blood-glucose:4.0)' }));
    await screenshot(page, '02-study-set-up');
  });

  it('creates a patient and enrolls them from the patient list', async () => {
    await page.getByRole('link', { name: 'BIDS Glucose Lab' }).first().click();
    await page.getByRole('link', { name: 'Patients', exact: true }).click();
    const form = page.getByRole('form', { name: 'Create patient' });
    await form.getByLabel('Given name').fill('Gina');
    await form.getByLabel('Family name').fill('Glucose');
    await form.getByLabel('Email').fill('gina@example.com');
    await form.getByLabel('Birth date').fill('1984-03-09');
    await form.getByRole('button', { name: 'Create patient' }).click();
    await see(page.getByRole('heading', { level: 1, name: 'Gina Glucose' }));
    patientId = idFromUrl(page, 'patients');

    await page.getByRole('link', { name: 'BIDS Glucose Lab' }).first().click();
    await page.getByRole('link', { name: 'Patients', exact: true }).click();
    await page.getByRole('checkbox', { name: 'Select Gina Glucose' }).check();
    await page.getByLabel('Add the selected patients to study').selectOption({ label: 'Glucose after meals' });
    await page.getByRole('button', { name: 'Add to study (1)' }).click();
    await see(page.getByRole('cell', { name: 'Glucose after meals' }));
    await screenshot(page, '03-patient-enrolled');
  });

  it('shows the consent as pending, then generates an invitation link', async () => {
    await page.goto(`${app.baseUrl}/studies/${studyId}`);
    await see(page.getByRole('table', { name: 'Consents per scope' }).getByText('pending'));
    await page.goto(`${app.baseUrl}/patients/${patientId}`);
    await page.getByRole('button', { name: 'Generate invitation link' }).click();
    const link = await (await see(page.getByTestId('invitation-link'))).inputValue();
    expect(link).toContain('/invitation/');
    expect(link).toContain('|');
    const invitations = page.getByRole('table', { name: 'Invitations' });
    await see(invitations.getByText(/^pending, expires/));
    await screenshot(page, '04-invitation');

    await patientAppRedeems(link, studyId, patientId, glucose);
    await page.reload();
    await see(invitations.getByText(/^redeemed .* by patient-app$/));
  });

  it('sees the consent, the observations in the table and the chart', async () => {
    await page.goto(`${app.baseUrl}/studies/${studyId}`);
    await see(page.getByRole('table', { name: 'Consents per scope' }).getByText('consented'));

    await page.getByRole('link', { name: 'Observations of this study' }).click();
    const filters = page.getByRole('form', { name: 'Filter observations' });
    await filters.getByLabel('Patient').selectOption({ label: 'Gina Glucose' });
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await see(page.getByText(`${glucose.length} observations match`));
    const rows = page.locator('table.observations tbody tr');
    await expect.poll(() => rows.count()).toBe(glucose.length);
    await see(rows.filter({ hasText: 'blood glucose 171 mg/dL' }));
    const chart = await see(page.getByRole('figure', { name: 'Chart: Blood glucose' }));
    expect(await chart.locator('canvas').count()).toBe(1);
    await see(chart.getByText('blood glucose (mg/dL)'));
    await screenshot(page, '05-observations-and-chart');
  });

  it('pages the table with keyset links and charts systolic and diastolic blood pressure', async () => {
    await page.goto(`${app.baseUrl}/observations?study=30001&patient=40001`);
    await see(page.getByText(/observations match; page 1$/));
    const rows = page.locator('table.observations tbody tr');
    await expect.poll(() => rows.count()).toBe(50);
    const firstOfPage1 = await rows.first().textContent();
    await page.getByRole('button', { name: 'Next' }).click();
    await see(page.getByText(/observations match; page 2$/));
    expect(await rows.first().textContent()).not.toBe(firstOfPage1);
    await page.getByRole('button', { name: 'Previous' }).click();
    await see(page.getByText(/observations match; page 1$/));
    expect(await rows.first().textContent()).toBe(firstOfPage1);

    const filters = page.getByRole('form', { name: 'Filter observations' });
    await filters.getByLabel('Code').selectOption({ label: 'Blood pressure' });
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    // The unfiltered page already charts blood pressure beside the other codes: wait for the filtered
    // series to replace them before counting.
    await page.getByRole('figure').nth(1).waitFor({ state: 'detached' });
    const chart = await see(page.getByRole('figure', { name: 'Chart: Blood pressure' }));
    await see(chart.getByText('systolic blood pressure (mmHg)'));
    await see(chart.getByText('diastolic blood pressure (mmHg)'));
    expect(await page.getByRole('figure').count()).toBe(1);
    await screenshot(page, '06-blood-pressure-chart');
  });

  it('edits a study, manages practitioners, and shows the server’s errors', async () => {
    await page.goto(`${app.baseUrl}/studies/${studyId}`);
    const edit = page.getByRole('form', { name: 'Edit study' });
    await edit.getByLabel('Study name').fill('Glucose after meals (2027)');
    await edit.getByRole('button', { name: 'Save study' }).click();
    await see(edit.getByRole('status').filter({ hasText: 'Saved.' }));
    await see(page.getByRole('heading', { level: 1, name: 'Glucose after meals (2027)' }));

    await page.getByRole('link', { name: 'BIDS Glucose Lab' }).first().click();
    const add = page.getByRole('form', { name: 'Add practitioner' });
    await add.getByLabel('Email').fill('nobody@example.com');
    await add.getByRole('button', { name: 'Add practitioner' }).click();
    await see(add.getByRole('alert').filter({ hasText: 'nobody@example.com not found' }));

    await add.getByLabel('Email').fill('megan@example.com');
    await add.getByLabel('Role').selectOption('VIEWER');
    await add.getByRole('button', { name: 'Add practitioner' }).click();
    const role = await see(page.getByRole('combobox', { name: 'Role of megan@example.com' }));
    expect(await role.inputValue()).toBe('VIEWER');
    await role.selectOption('MEMBER');
    await page.reload();
    expect(await (await see(page.getByRole('combobox', { name: 'Role of megan@example.com' }))).inputValue()).toBe(
      'MEMBER',
    );
    await page
      .getByRole('row', { name: /megan@example.com/ })
      .getByRole('button', { name: 'Remove' })
      .click();
    await page.getByRole('combobox', { name: 'Role of megan@example.com' }).waitFor({ state: 'detached' });
    await screenshot(page, '07-practitioners');
  });

  it('edits a patient, adds and removes an identifier, and deletes a patient and a study', async () => {
    await page.goto(`${app.baseUrl}/patients/${patientId}`);
    const form = page.getByRole('form', { name: 'Save patient' });
    await form.getByLabel('Phone').fill('+1 510 555 0142');
    await form.getByRole('button', { name: 'Save patient' }).click();
    await see(page.getByRole('region', { name: 'Details' }).getByRole('status').filter({ hasText: 'Saved.' }));

    const identifier = page.getByRole('form', { name: 'Add identifier' });
    await identifier.getByLabel('System').fill('https://bids.example/mrn');
    await identifier.getByLabel('Value').fill('MRN-0042');
    await identifier.getByRole('button', { name: 'Add identifier' }).click();
    await see(page.getByText('https://bids.example/mrn|MRN-0042'));
    await page.getByRole('button', { name: 'Remove identifier MRN-0042' }).click();
    await see(page.getByText('No identifiers.'));

    await page.goto(`${app.baseUrl}/organizations/20003/patients`);
    const create = page.getByRole('form', { name: 'Create patient' });
    await create.getByLabel('Given name').fill('Temporary');
    await create.getByLabel('Family name').fill('Record');
    await create.getByLabel('Email').fill('temporary@example.com');
    await create.getByRole('button', { name: 'Create patient' }).click();
    await page.getByRole('button', { name: 'Delete patient' }).click();
    await see(page.getByRole('heading', { level: 1, name: 'Berkeley Institute for Data Science (BIDS)' }));
    expect(await page.getByRole('link', { name: 'Temporary Record' }).count()).toBe(0);

    await page.getByRole('link', { name: 'Studies', exact: true }).click();
    await page.getByRole('form', { name: 'New study' }).getByLabel('Study name').fill('Pilot to delete');
    await page.getByRole('button', { name: 'Create study' }).click();
    await page.getByRole('button', { name: 'Delete study' }).click();
    await see(page.getByRole('link', { name: 'BIDS Study on BP & HR' }));
    expect(await page.getByRole('link', { name: 'Pilot to delete' }).count()).toBe(0);
  });
});

describe('the Content-Security-Policy', () => {
  it('was never violated during the session (Chromium reports violations in the console)', () => {
    expect(violations).toEqual([]);
  });
});
