import { Client, CapabilityTool } from 'fhir-kit-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { allPages, fhirClient } from './support/fhir.js';
import { scopedToken } from './support/scoped-tokens.js';

/**
 * The gateway as a generic FHIR client (fhir-kit-client) uses it, with real tokens over real HTTP: discovery,
 * searches with includes, references followed from an Observation to its Patient, Device and studies, paging.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

type Resource = Record<string, any>;
type Bundle = { total?: number; entry: { resource: Resource; search: { mode: string } }[] };
const HR = 'https://w3id.org/openmhealth|omh:heart-rate:2.0';
const matches = (bundle: Bundle) => bundle.entry.filter((e) => e.search.mode === 'match').map((e) => e.resource);

/** The HTTP status a request of the client failed with (fhir-kit-client rejects with `response.status`). */
async function failedWith(request: Promise<unknown>): Promise<number> {
  const error = await request.then(
    () => null,
    (e: { response?: { status: number } }) => e,
  );
  expect(error, 'the request should have failed').not.toBeNull();
  return error!.response!.status;
}

describe('fhir-kit-client as a generic client', () => {
  it('reads the CapabilityStatement: interactions, search parameters and includes', async () => {
    const client = await fhirClient(app, 'mary@example.com');
    const statement = (await client.capabilityStatement()) as Resource;
    const capabilities = new CapabilityTool(statement as never);
    for (const type of ['Patient', 'Observation', 'Device', 'Group']) {
      expect(capabilities.resourceCan(type, 'read')).toBe(true);
      expect(capabilities.resourceCan(type, 'search-type')).toBe(true);
    }
    expect(capabilities.resourceSearch('Group', 'member')).toBe(true);
    expect(capabilities.resourceSearch('Observation', 'patient')).toBe(true);
    const searchInclude = (type: string) =>
      statement.rest[0].resource.find((r: Resource) => r.type === type).searchInclude;
    expect(searchInclude('Observation')).toEqual(['Observation:patient', 'Observation:subject', 'Observation:device']);
    expect(searchInclude('Group')).toEqual(['Group:member']);
    expect(searchInclude('Patient')).toBeUndefined();
    const patient = statement.rest[0].resource.find((r: Resource) => r.type === 'Patient');
    expect(patient.searchRevInclude).toEqual(['Observation:patient', 'Observation:subject']);
  });

  it('follows an Observation to its Patient, Device (from the includes) and studies (Group?member=)', async () => {
    const client = await fhirClient(app, 'mary@example.com');
    const bundle = (await client.search({
      resourceType: 'Observation',
      searchParams: {
        patient: '40001',
        code: HR,
        _include: ['Observation:patient', 'Observation:device'],
        _count: '10',
      } as never,
    })) as unknown as Bundle;
    const [observation] = matches(bundle);
    expect(observation).toBeDefined();
    const included = bundle.entry.filter((e) => e.search.mode === 'include').map((e) => e.resource.resourceType);
    expect(included).toEqual(['Patient', ...matches(bundle).map(() => 'Device')].slice(0, included.length));
    expect(included).toContain('Device');
    const patient = (await client.resolve({
      reference: observation!.subject.reference,
      context: bundle as never,
    })) as Resource;
    expect(patient).toMatchObject({ resourceType: 'Patient', id: '40001' });
    // what the bundle included is what a read answers
    expect(await client.read({ resourceType: 'Patient', id: '40001' })).toEqual(patient);
    const device = (await client.resolve({
      reference: observation!.device.reference,
      context: bundle as never,
    })) as Resource;
    expect(device).toMatchObject({ resourceType: 'Device', id: observation!.device.reference.split('/')[1] });
    expect(device.displayName).toEqual(expect.any(String));

    const studies = (await client.search({
      resourceType: 'Group',
      searchParams: { member: observation!.subject.reference },
    })) as unknown as Bundle;
    const studyIds = matches(studies).map((g) => g.id);
    expect(studyIds).toContain('30001');
    // the study requests the observation's code, and lists the patient among its members
    const study = (await client.read({ resourceType: 'Group', id: '30001' })) as Resource;
    expect(study.member.map((m: Resource) => m.entity.reference)).toContain('Patient/40001');
    expect(study.characteristic.map((c: Resource) => c.code.coding[0].code)).toContain('omh:heart-rate:2.0');
  });

  it('walks every page with nextPage, the includes on each, the same matches as one page', async () => {
    const client = await fhirClient(app, 'mary@example.com');
    const whole = matches(
      (await client.search({
        resourceType: 'Observation',
        searchParams: { patient: '40001', _count: '1000' },
      })) as unknown as Bundle,
    );
    const first = await client.search({
      resourceType: 'Observation',
      searchParams: { patient: '40001', _include: 'Observation:patient', _count: '9' } as never,
    });
    const { resources, pages } = await allPages(client, first as never);
    expect(pages).toBe(Math.ceil(whole.length / 9));
    const walked = resources.filter((r) => r.resourceType === 'Observation');
    expect(walked.map((o) => o.id)).toEqual(whole.map((o) => o.id));
    expect(resources.filter((r) => r.resourceType === 'Patient')).toHaveLength(pages);
  });

  it('sees 404 as another organization’s practitioner and 403 with a narrower token', async () => {
    const mary = await fhirClient(app, 'mary@example.com');
    const [observation] = matches(
      (await mary.search({
        resourceType: 'Observation',
        searchParams: { patient: '40001', _count: '1' },
      })) as unknown as Bundle,
    );
    const mark = await fhirClient(app, 'mark@example.com');
    expect(await failedWith(mark.read({ resourceType: 'Patient', id: '40001' }))).toBe(404);
    expect(await failedWith(mark.read({ resourceType: 'Observation', id: observation!.id }))).toBe(404);
    expect(await failedWith(mark.resolve({ reference: observation!.subject.reference }))).toBe(404);
    const marksStudies = (await mark.search({
      resourceType: 'Group',
      searchParams: { member: 'Patient/40001' },
    })) as unknown as Bundle;
    expect(marksStudies.entry).toEqual([]);

    const { access_token } = await scopedToken(app, 'mary@example.com', 'user/Observation.rs');
    const narrow = new Client({ baseUrl: `${app.baseUrl}/fhir/r5`, bearerToken: access_token });
    const bundle = (await narrow.search({
      resourceType: 'Observation',
      searchParams: { patient: '40001', _include: ['Observation:patient', 'Observation:device'], _count: '3' } as never,
    })) as unknown as Bundle;
    expect(bundle.entry.map((e) => e.search.mode)).toEqual(['match', 'match', 'match']);
    expect(
      await failedWith(narrow.resolve({ reference: observation!.subject.reference, context: bundle as never })),
    ).toBe(403);
    expect(await failedWith(narrow.search({ resourceType: 'Group', searchParams: { member: 'Patient/40001' } }))).toBe(
      403,
    );
  });
});
