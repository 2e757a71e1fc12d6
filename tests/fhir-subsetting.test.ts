import { describe, expect, it } from 'vitest';
import { FhirError } from '../fhir-facade/outcome.js';
import { parseSubsetting, subset } from '../fhir-facade/subsetting.js';

/** `_summary` and `_elements` on an Observation beyond Open mHealth: narrative, quantity, components, notes. */
const observation = {
  resourceType: 'Observation' as const,
  id: '60500',
  meta: { lastUpdated: '2026-12-01T10:00:00.000Z', tag: [{ system: 'urn:example', code: 'kept' }] },
  text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">72 bpm</div>' },
  status: 'final',
  category: [{ coding: [{ code: 'vital-signs' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
  subject: { reference: 'Patient/40001' },
  device: { reference: 'Device/70001' },
  effectiveDateTime: '2026-12-01T09:00:00Z',
  valueQuantity: { value: 72, unit: 'beats/min' },
  interpretation: [{ text: 'normal' }],
  note: [{ text: 'after a walk' }],
  component: [{ code: { text: 'x' }, valueQuantity: { value: 1 } }],
};
const SUBSETTED = expect.objectContaining({ code: 'SUBSETTED' });
const tags = (resource: { meta?: { tag?: unknown[] } }) => resource.meta?.tag;

describe('_summary and _elements', () => {
  it('_summary=true keeps the R5 summary elements and the meta tags, adding SUBSETTED', () => {
    const summary = subset(observation, parseSubsetting('Observation', 'true'));
    expect(Object.keys(summary).sort()).toEqual(
      [
        'category',
        'code',
        'component',
        'effectiveDateTime',
        'id',
        'meta',
        'resourceType',
        'status',
        'subject',
        'valueQuantity',
      ].sort(),
    );
    expect(tags(summary)).toEqual([{ system: 'urn:example', code: 'kept' }, SUBSETTED]);
    expect(summary.meta.lastUpdated).toBe(observation.meta.lastUpdated);
  });

  it('_summary=data drops the narrative alone (tagged); false and none keep all, untagged', () => {
    const { text: _text, ...withoutText } = observation;
    const data = subset(observation, parseSubsetting('Observation', 'data'));
    expect(data).toEqual({ ...withoutText, meta: { ...observation.meta, tag: [...observation.meta.tag, SUBSETTED] } });
    expect(subset(observation, parseSubsetting('Observation', 'false'))).toBe(observation);
    expect(subset(observation, parseSubsetting('Observation'))).toBe(observation);
  });

  it('_elements names elements, choices by their base; SUBSETTED once however often subsetted', () => {
    const kept = subset(observation, parseSubsetting('Observation', undefined, 'value,note'));
    expect(Object.keys(kept).sort()).toEqual(['id', 'meta', 'note', 'resourceType', 'valueQuantity']);
    const twice = subset(kept, parseSubsetting('Observation', undefined, 'note'));
    expect(tags(twice)).toEqual([{ system: 'urn:example', code: 'kept' }, SUBSETTED]);
  });

  it('refuses what it does not serve', () => {
    const refused = (...args: Parameters<typeof parseSubsetting>) => {
      try {
        parseSubsetting(...args);
      } catch (error) {
        return error instanceof FhirError ? `${error.status} ${error.expression}` : 'other';
      }
      return 'accepted';
    };
    expect(refused('AuditEvent', 'true')).toBe('400 _summary');
    expect(refused('Observation', 'TRUE')).toBe('400 _summary');
    expect(refused('Observation', 'true', 'code')).toBe('400 _elements');
    expect(refused('Observation', undefined, 'Observation.code')).toBe('400 _elements');
    expect(refused('Observation', undefined, '')).toBe('400 _elements');
    expect(refused('AuditEvent', 'data')).toBe('accepted');
  });
});
