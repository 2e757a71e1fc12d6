import { getNamedType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AUDITED_FIELDS, NOT_AUDITED, PATIENT_DATA_TYPES } from '../graphql/audit/fields.js';
import { auditParams } from '../graphql/audit/params.js';
import { buildBareSchema } from '../graphql/schema.js';
import { loadConfig } from '../src/config.js';

describe('which fields the audit trail records', () => {
  it('every field that reaches patient data is audited, or says why not (graphql/audit/fields.ts)', async () => {
    const schema = await buildBareSchema();
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        if (!PATIENT_DATA_TYPES.includes(getNamedType(field.type).name)) continue;
        const name = `${type.name}.${field.name}`;
        if (!AUDITED_FIELDS[type.name]?.[field.name] && !(name in NOT_AUDITED)) missing.push(name);
      }
    }
    expect(missing).toEqual([]);
  });

  it('every mutation that names a patient is audited', async () => {
    const schema = await buildBareSchema();
    const mutations = Object.values(schema.getMutationType()!.getFields());
    const namingPatients = mutations.filter(
      (m) =>
        m.args.some((a) => a.name === 'patientId' || a.name === 'patientIds') ||
        PATIENT_DATA_TYPES.includes(getNamedType(m.type).name),
    );
    expect(namingPatients.map((m) => m.name).filter((name) => !AUDITED_FIELDS.Mutation![name])).toEqual([]);
  });
});

describe('what the trail keeps of the arguments', () => {
  it('ids, codes, dates and enums as given; other text as a keyed hash; lists of inputs by their count', async () => {
    const schema = await buildBareSchema();
    const fields = schema.getQueryType()!.getFields();
    const observations = auditParams(
      {
        filter: {
          patientId: '40001',
          code: { system: 'https://w3id.org/openmhealth', code: 'omh:heart-rate:2.0' },
          from: new Date('2026-11-01T00:00:00Z'),
          patientIdentifier: { system: 'https://ehr.example.com', value: 'peter-mrn-40001' },
        },
        first: 100,
      },
      fields.observations!.args,
      'key',
    );
    expect(observations).toEqual({
      filter: {
        patientId: '40001',
        code: { system: 'https://w3id.org/openmhealth', code: 'omh:heart-rate:2.0' },
        from: '2026-11-01T00:00:00.000Z',
        patientIdentifier: { system: 'https://ehr.example.com', value: expect.stringMatching(/^hmac:[0-9a-f]{16}$/) },
      },
      first: 100,
    });
    const lookup = auditParams({ email: 'percy@example.com' }, fields.patientLookup!.args, 'key');
    expect(JSON.stringify(lookup)).not.toContain('percy');
    expect(auditParams({ email: 'percy@example.com' }, fields.patientLookup!.args, 'other key')).not.toEqual(lookup);

    const mutations = schema.getMutationType()!.getFields();
    const created = auditParams(
      { input: { organizationId: '20003', nameFamily: 'Doe', nameGiven: 'Jane', email: 'jane@example.org' } },
      mutations.createPatient!.args,
      'key',
    );
    expect(JSON.stringify(created)).not.toMatch(/Doe|Jane|jane@/);
    expect((created.input as Record<string, unknown>).organizationId).toBe('20003');
    const upload = auditParams(
      { observations: [{ subject: { reference: 'Patient/40001' } }], atomic: true },
      mutations.uploadObservations!.args,
      'key',
    );
    expect(upload).toEqual({ observations: { count: 1 }, atomic: true });
  });
});

describe('configuration', () => {
  it('AUDIT_RETENTION_DAYS and the flush settings are read; production refuses to switch the trail off', () => {
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '30', AUDIT_FLUSH_MS: '50' }).audit).toMatchObject({
      retentionDays: 30,
      flushMs: 50,
      enabled: true,
    });
    expect(loadConfig({}).audit.retentionDays).toBe(2190);
    expect(loadConfig({ AUDIT_BENCH_DISABLE: '1' }).audit.enabled).toBe(false);
    expect(() => loadConfig({ AUDIT_RETENTION_DAYS: '-1' })).toThrow(/AUDIT_RETENTION_DAYS/);
    expect(() => loadConfig({ NODE_ENV: 'production', AUDIT_BENCH_DISABLE: '1' })).toThrow(/AUDIT_BENCH_DISABLE/);
  });
});
