import type { Request } from 'express';
import { FhirError } from '../outcome.js';

/** `_outputFormat` values that mean NDJSON (the IG's, and its abbreviations). */
const NDJSON_FORMATS = new Set(['application/fhir+ndjson', 'application/ndjson', 'ndjson']);
const INSTANT =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?(Z|[+-](0\d|1[0-4]):[0-5]\d)$/;
const CODING = /^([^|,\s]+)\|([^|,\s]+)$/;
const ACCEPTED = new Set(['_type', '_since', '_typeFilter', '_outputFormat']);
/** kickoff parameters of the IG the gateway does not serve (yet): refused rather than ignored */
const NOT_SERVED = new Set([
  '_elements',
  'patient',
  'includeAssociatedData',
  '_until',
  'organizeOutputBy',
  'allowPartialManifests',
]);

export interface KickoffInput {
  types: string[] | null;
  since: string | null;
  codes: { system: string; code: string }[];
}

const invalid = (name: string, message: string) => new FhirError(400, 'invalid', `${name}: ${message}`, name);

/** `Prefer: respond-async` is what makes a request asynchronous; the export is asynchronous only. */
export function requireRespondAsync(prefer: string | undefined) {
  if (!/(^|[,;\s])respond-async($|[,;\s])/.test(prefer ?? '')) {
    throw new FhirError(400, 'invalid', 'Bulk export needs the header Prefer: respond-async');
  }
}

/** The kickoff's parameters, from the query (GET) or a Parameters resource (POST), as name → values. */
export function kickoffParams(req: Request): Map<string, string[]> {
  const params = new Map<string, string[]>();
  const add = (name: string, value: string) => params.set(name, [...(params.get(name) ?? []), value]);
  if (req.method === 'POST') {
    const body = req.body as { resourceType?: unknown; parameter?: unknown } | undefined;
    if (body?.resourceType !== 'Parameters' || !Array.isArray(body.parameter ?? [])) {
      throw new FhirError(400, 'structure', 'A POST kickoff takes a Parameters resource');
    }
    for (const p of (body.parameter ?? []) as Record<string, unknown>[]) {
      const value = p.valueString ?? p.valueInstant ?? p.valueCode;
      if (typeof p.name !== 'string' || typeof value !== 'string') {
        throw new FhirError(
          400,
          'structure',
          'Each parameter needs a name and a valueString, valueInstant or valueCode',
        );
      }
      add(p.name, value);
    }
    return params;
  }
  for (const [name, value] of new URLSearchParams(req.url.split('?')[1] ?? '')) add(name, value);
  return params;
}

/** `Observation?code=<system>|<code>[,…]`: the only `_typeFilter` served (the code is what consent is about). */
function typeFilterCodes(query: string) {
  const [type, search, ...rest] = query.split('?');
  const filter = new URLSearchParams(search ?? '');
  if (
    type !== 'Observation' ||
    rest.length > 0 ||
    [...filter.keys()].some((k) => k !== 'code') ||
    !filter.has('code')
  ) {
    throw new FhirError(
      400,
      'not-supported',
      `_typeFilter: only Observation?code=<system>|<code> is supported (got ${query})`,
      '_typeFilter',
    );
  }
  return filter.getAll('code').flatMap((value) =>
    value.split(',').map((token) => {
      const match = CODING.exec(token);
      if (!match) throw invalid('_typeFilter', `the code must be <system>|<code> (got ${token})`);
      return { system: match[1]!, code: match[2]! };
    }),
  );
}

/** Checks and reads the kickoff parameters; the types themselves are checked by the export (policy). */
export function readKickoff(params: Map<string, string[]>): KickoffInput {
  for (const name of params.keys()) {
    if (NOT_SERVED.has(name))
      throw new FhirError(400, 'not-supported', `${name} is not supported by this server`, name);
    if (!ACCEPTED.has(name)) throw invalid(name, 'unknown parameter of $export');
  }
  for (const format of params.get('_outputFormat') ?? []) {
    if (!NDJSON_FORMATS.has(format)) {
      throw invalid('_outputFormat', `only application/fhir+ndjson is served (got ${format})`);
    }
  }
  const since = params.get('_since');
  if (since && (since.length > 1 || !INSTANT.test(since[0]!) || Number.isNaN(Date.parse(since[0]!)))) {
    throw invalid('_since', `must be one FHIR instant, e.g. 2026-11-01T00:00:00Z (got ${since.join(', ')})`);
  }
  const types = params.get('_type')?.flatMap((value) => value.split(',').map((t) => t.trim()));
  if (types?.some((t) => !/^[A-Z][A-Za-z]{0,63}$/.test(t))) throw invalid('_type', 'must be resource type names');
  // several _typeFilter values, or queries joined by commas, are alternatives (OR): their codes together
  const queries = (params.get('_typeFilter') ?? []).flatMap((value) => value.split(/,(?=[A-Z][A-Za-z]*\?)/));
  return {
    types: types ? [...new Set(types)] : null,
    since: since ? new Date(since[0]!).toISOString() : null,
    codes: [...new Map(queries.flatMap(typeFilterCodes).map((c) => [`${c.system}|${c.code}`, c])).values()],
  };
}
