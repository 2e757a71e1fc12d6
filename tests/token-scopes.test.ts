import { describe, expect, it } from 'vitest';
import { buildBareSchema } from '../graphql/schema.js';
import { TOKEN_SCOPES, UNSCOPED_OPERATIONS } from '../graphql/rules/scopes.js';
import { parseScope, parseScopes } from '../src/policy/token-scopes.js';
import { tokenAllows, tokenObservationCodeIds } from '../src/policy/token.js';
import { ANONYMOUS, type Viewer } from '../src/policy/viewer.js';

const viewer = (scope: string, patientId: number | null = null, codeIds: number[] | null = null): Viewer => ({
  ...ANONYMOUS,
  userId: 1,
  kind: patientId === null ? 'practitioner' : 'patient',
  practitionerId: patientId === null ? 1 : null,
  patientId,
  scopes: parseScopes(scope).map((rule) => ({ ...rule, codeIds: rule.codings ? new Set(codeIds ?? []) : null })),
});

describe('SMART scopes', () => {
  it('parse v2 scopes with their interactions, v1 aliases, and code constraints', () => {
    expect(parseScope('user/Observation.rs')).toMatchObject({
      context: 'user',
      resource: 'Observation',
      codings: null,
    });
    expect([...parseScope('patient/*.cruds')!.interactions]).toEqual(['c', 'r', 'u', 'd', 's']);
    expect([...parseScope('user/Patient.read')!.interactions]).toEqual(['r', 's']);
    expect([...parseScope('user/Patient.write')!.interactions]).toEqual(['c', 'u', 'd']);
    expect(
      parseScope('user/Observation.rs?code=https://w3id.org/openmhealth|omh:heart-rate:2.0,http://loinc.org|8867-4')!
        .codings,
    ).toEqual([
      { system: 'https://w3id.org/openmhealth', code: 'omh:heart-rate:2.0' },
      { system: 'http://loinc.org', code: '8867-4' },
    ]);
  });

  it('refuse what they cannot honour rather than drop it and widen the scope', () => {
    for (const bad of [
      'system/*.rs',
      'user/Foo.rs',
      'user/Patient.',
      'user/Patient.sr',
      'user/Patient.rs?name=x',
      'user/Observation.rs?category=vital-signs',
      'user/Observation.rs?code=nobar',
      'user/Observation.rs?code=a|b&code=c|d',
      'user/*.rs?code=a|b',
      'openid',
      'launch/patient',
    ]) {
      expect(parseScope(bad), bad).toBeNull();
    }
  });

  it('decide by context: patient/ counts for a patient login alone', () => {
    expect(tokenAllows(viewer('patient/*.rs'), 'Patient', 'r')).toBe(false);
    expect(tokenAllows(viewer('patient/*.rs', 40001), 'Patient', 'r')).toBe(true);
    expect(tokenAllows(viewer('patient/*.rs', 40001), 'Patient', 'u')).toBe(false);
    expect(tokenAllows(viewer('user/Group.rs'), 'Patient', 's')).toBe(false);
    expect(tokenAllows(viewer('user/*.c'), '*', 'c')).toBe(true);
    expect(tokenAllows(viewer('user/Device.c'), '*', 'c')).toBe(false);
    expect(tokenAllows(ANONYMOUS, 'Patient', 'r')).toBe(false);
  });

  it('collect the codes an Observation scope allows: any unconstrained scope allows all', () => {
    expect(tokenObservationCodeIds(viewer('user/Observation.rs?code=a|b', null, [7]), 's')).toEqual(new Set([7]));
    expect(tokenObservationCodeIds(viewer('user/Observation.rs?code=a|b user/*.rs', null, [7]), 's')).toBeNull();
    expect(tokenObservationCodeIds(viewer('user/Patient.rs'), 's')).toEqual(new Set());
  });

  it('name every query and mutation: a scope each needs, or none on purpose', async () => {
    const schema = await buildBareSchema();
    for (const [type, unscoped] of [
      ['Query', UNSCOPED_OPERATIONS.Query],
      ['Mutation', UNSCOPED_OPERATIONS.Mutation],
    ] as const) {
      const root = type === 'Query' ? schema.getQueryType()! : schema.getMutationType()!;
      const fields = Object.keys(root.getFields());
      expect(
        fields.filter((f) => !(f in TOKEN_SCOPES[type]!) && !unscoped.includes(f)),
        type,
      ).toEqual([]);
    }
  });
});
