import { FhirError } from '../outcome.js';

export const MAX_BUNDLE_ENTRIES = 1000;

export interface BundleEntry {
  resource: unknown;
  request?: { method?: string; url?: string };
}

/** A `batch` or `transaction` Bundle of POSTs of Observations, at most MAX_BUNDLE_ENTRIES of them. */
export function parseBundle(body: unknown): { type: 'batch' | 'transaction'; entries: BundleEntry[] } {
  const bundle = body as { resourceType?: unknown; type?: unknown; entry?: unknown } | null;
  if (typeof bundle !== 'object' || bundle === null || bundle.resourceType !== 'Bundle') {
    throw new FhirError(400, 'structure', 'POST / takes a Bundle (resourceType "Bundle")', 'Bundle.resourceType');
  }
  if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
    throw new FhirError(400, 'not-supported', 'Bundle.type must be "batch" or "transaction"', 'Bundle.type');
  }
  const entries = bundle.entry ?? [];
  if (!Array.isArray(entries)) throw new FhirError(400, 'structure', 'Bundle.entry must be an array', 'Bundle.entry');
  if (entries.length > MAX_BUNDLE_ENTRIES) {
    throw new FhirError(
      413,
      'too-costly',
      `A Bundle may hold at most ${MAX_BUNDLE_ENTRIES} entries (got ${entries.length})`,
      'Bundle.entry',
    );
  }
  return { type: bundle.type, entries: entries as BundleEntry[] };
}

/** Entries must POST an Observation; anything else is refused for that entry. */
export function checkEntryRequest(entry: BundleEntry, index: number): void {
  if (typeof entry !== 'object' || entry === null) {
    throw new FhirError(400, 'structure', `Bundle.entry[${index}] must be an object`, `Bundle.entry[${index}]`);
  }
  const { method, url } = entry.request ?? {};
  if (method !== 'POST' || (url !== 'Observation' && url !== '/Observation')) {
    throw new FhirError(
      405,
      'not-supported',
      `Bundle.entry[${index}].request must be POST Observation (got ${method ?? 'no method'} ${url ?? 'no url'})`,
      `Bundle.entry[${index}].request`,
    );
  }
}
