/** How much a write answers with (FHIR `Prefer: return=...`, RFC 7240). */
export type ReturnPreference = 'minimal' | 'representation';

/**
 * The client's `return` preference, or `fallback` when it states none. `return=OperationOutcome` is answered
 * minimally: failed entries carry their OperationOutcome either way.
 */
export function returnPreference(header: string | undefined, fallback: ReturnPreference): ReturnPreference {
  const value = /(?:^|[;,\s])return=([A-Za-z]+)/.exec(header ?? '')?.[1];
  if (value === 'representation') return 'representation';
  if (value === 'minimal' || value === 'OperationOutcome') return 'minimal';
  return fallback;
}
