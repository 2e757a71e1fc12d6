import http from 'node:http';
import type { TestApp } from './app.js';
import { approveDevice } from './device.js';

/**
 * A replay of what jupyterhealth-client 0.4.0 (`JupyterHealthClient`) sends and reads, written from its
 * documented behaviour: REST calls to `<JHE_URL>/api/v1/<path>` and FHIR searches to `<JHE_URL>/FHIR/R5/<path>`,
 * with the one header its session carries (`Authorization: Bearer <JHE_TOKEN>`), query parameters spelt as it
 * spells them, REST lists followed through their absolute `next` links until null, FHIR searches with
 * `_count=1000` followed through the Bundle's `next` link (stopping on a page with nothing new, or at `limit`).
 * Requests go out as python-requests sends them (no Accept header, `Accept-Encoding: identity`).
 */

/** The client's `Code` enum. */
export const Code = {
  BLOOD_PRESSURE: 'omh:blood-pressure:4.0',
  BLOOD_GLUCOSE: 'omh:blood-glucose:4.0',
  HEART_RATE: 'omh:heart-rate:2.0',
  SLEEP_STAGE_SUMMARY: 'ieee:sleep-stage-summary:1.0',
  FOOD_ENTRY: 'ieee:food-entry:0.1',
} as const;

/** The client's RequestError: the HTTP status, and the `detail` of a JSON error body. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string | undefined,
    readonly url: string,
  ) {
    super(`${status} for url: ${url}${detail ? `\n${detail}` : ''}`);
  }
}

type Params = Record<string, string | number>;
type Json = any;

/** One GET as python-requests sends it with the client's session headers. */
function requestsGet(url: string, token: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      url,
      {
        headers: {
          'user-agent': 'python-urllib3/2.3.0',
          'accept-encoding': 'identity',
          authorization: `Bearer ${token}`,
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
  });
}

/** `requests`' encoding of a params dict, in insertion order (`:` → %3A, `|` → %7C, `/` → %2F). */
const withParams = (url: string, params: Params = {}) => {
  const pairs = Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]);
  const query = new URLSearchParams(pairs).toString();
  return query ? `${url}?${query}` : url;
};

export class JupyterHealthClient {
  static defaultPageSize = 1000;
  /** every URL requested, in order */
  readonly requested: string[] = [];

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  private async request(path: string, opts: { params?: Params; fhir?: boolean } = {}): Promise<Json> {
    const base = path.includes('://') ? path : `${this.url}/${opts.fhir ? 'FHIR/R5' : 'api/v1'}/${path}`;
    const url = withParams(base, opts.params);
    this.requested.push(url);
    const { status, text } = await requestsGet(url, this.token);
    if (status >= 400) {
      let detail: string | undefined;
      try {
        detail = JSON.parse(text).detail;
      } catch {
        detail = text.slice(0, 1024);
      }
      throw new RequestError(status, detail, url);
    }
    return text ? JSON.parse(text) : null;
  }

  /** An /api/v1 list: the first page with its params, then each absolute `next` as given. */
  private async *list(path: string, params: Params = {}): AsyncGenerator<Json> {
    let page = await this.request(path, { params });
    yield* page.results;
    while (page.next) {
      page = await this.request(page.next);
      yield* page.results;
    }
  }

  /** A FHIR search: `_count` added, then the Bundle's `next` links, skipping ids seen before. */
  private async *fhirList(path: string, params: Params, limit: number | null): AsyncGenerator<Json> {
    let bundle = await this.request(path, {
      params: { ...params, _count: JupyterHealthClient.defaultPageSize },
      fhir: true,
    });
    const seen = new Set<string>();
    let records = 0;
    for (;;) {
      let fresh = false;
      for (const { resource } of bundle.entry) {
        if (seen.has(resource.id)) continue;
        fresh = true;
        seen.add(resource.id);
        yield resource;
        records += 1;
        if (limit && records >= limit) return;
      }
      const next = bundle.link.find((l: { relation: string }) => l.relation === 'next')?.url;
      if (!next || !fresh) return;
      bundle = await this.request(next);
    }
  }

  getUser = () => this.request('users/profile');
  getPatient = (id: number) => this.request(`patients/${id}`);
  getPatientConsents = (patientId: number) => this.request(`patients/${patientId}/consents`);
  getStudy = (id: number) => this.request(`studies/${id}`);
  getOrganization = (id: number) => this.request(`organizations/${id}`);
  listOrganizations = () => this.list('organizations');
  listDataSources = () => this.list('data_sources');

  listStudies({ organizationId }: { organizationId?: number } = {}) {
    return this.list('studies', organizationId === undefined ? {} : { organization_id: organizationId });
  }

  listPatients({ organizationId, studyId }: { organizationId?: number; studyId?: number } = {}) {
    const params: Params = {};
    if (organizationId !== undefined) params.organization_id = organizationId;
    if (studyId !== undefined) params.study_id = studyId;
    return this.list('patients', params);
  }

  /** `lookup_patient(email=…)`: the first of global_lookup's plain list, or the client's KeyError. */
  async lookupPatient({ email }: { email: string }) {
    const [first] = await this.request('patients/global_lookup', { params: { email } });
    if (!first) throw new Error(`KeyError: no patient found with email ${email}`);
    return first;
  }

  listObservations({
    patientId,
    studyId,
    code,
    limit = 2000,
  }: {
    patientId?: number;
    studyId?: number;
    code?: string;
    limit?: number | null;
  }): AsyncGenerator<Json> {
    if (!patientId && !studyId) throw new Error('Must specify at least one of patient_id or study_id');
    const params: Params = {};
    if (studyId) params['patient._has:Group:member:_id'] = studyId;
    if (patientId) params.patient = patientId;
    if (code) params.code = code.includes('|') ? code : `https://w3id.org/openmhealth|${code}`;
    return this.fhirList('Observation', params, limit);
  }

  /** `list_observations_df`: every observation through tidyObservation, as the DataFrame's records. */
  async listObservationsDf(query: Parameters<JupyterHealthClient['listObservations']>[0]) {
    const rows: Record<string, unknown>[] = [];
    for await (const observation of this.listObservations(query)) rows.push(tidyObservation(observation));
    return rows;
  }
}

/** Nested keys joined with `_`, list items by index: `{a: {b: [5]}}` → `{a_b_0: 5}`. */
function flatten(value: Json, prefix = ''): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  for (const [key, inner] of entries) {
    const name = prefix ? `${prefix}_${key}` : key;
    if (inner !== null && typeof inner === 'object') Object.assign(flat, flatten(inner, name));
    else flat[name] = inner;
  }
  return flat;
}

/**
 * The client's `tidy_observation`: the Observation's own fields (without `valueAttachment`), then the decoded
 * Open mHealth header and body, flattened into one row; `code` is the coding's code; every `…date_time` is a UTC
 * instant with a `…date_time_local` wall-clock twin; `meta_lastUpdated` an instant.
 */
export function tidyObservation(observation: Json): Record<string, unknown> {
  const attachment = observation.valueAttachment;
  if (!attachment.contentType.includes('json')) throw new Error(`Unrecognized contentType in ${observation.id}`);
  const record = JSON.parse(Buffer.from(attachment.data, 'base64').toString('utf8'));
  const [header, body] = 'body' in record ? [record.header ?? {}, record.body] : [{}, record];
  const coding = observation.code.coding[0];
  const { valueAttachment: _attachment, ...topLevel } = observation;
  const row: Record<string, unknown> = {
    resource_type: coding.code,
    code: coding.code,
    ...flatten(topLevel),
    ...flatten(header),
    ...flatten(body),
  };
  for (const key of Object.keys(row)) {
    if (!key.endsWith('date_time')) continue;
    const text = String(row[key]);
    row[key] = new Date(text);
    row[`${key}_local`] = text.replace(/(Z|[+-]\d\d:?\d\d)$/i, '');
  }
  if ('meta_lastUpdated' in row) row.meta_lastUpdated = new Date(String(row.meta_lastUpdated));
  return row;
}

/** Everything an async generator yields. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/**
 * A notebook user's token as the README's "Notebooks" says to get one: the `notebook` client's device
 * authorization grant, approved in a browser by `email`, then the notebook's poll of the token endpoint (once:
 * the grant is approved by then). Without a resource scope the notebook client's default (`user/*.rs`) is granted.
 */
export async function notebookToken(app: TestApp, email: string, scope = 'openid offline_access') {
  const post = async (path: string, form: Record<string, string>) => {
    const response = await fetch(`${app.baseUrl}/o/${path}`, { method: 'POST', body: new URLSearchParams(form) });
    return { status: response.status, body: (await response.json()) as Json };
  };
  const device = (await post('device/auth', { client_id: 'notebook', scope })).body;
  await approveDevice(device.verification_uri_complete, device.user_code, email);
  const tokens = await post('token', {
    grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    device_code: device.device_code,
    client_id: 'notebook',
  });
  if (tokens.status !== 200) throw new Error(`the device grant failed: ${JSON.stringify(tokens.body)}`);
  return { access_token: tokens.body.access_token as string, scope: (tokens.body.scope ?? '') as string };
}
