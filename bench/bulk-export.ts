import { readFileSync } from 'node:fs';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { bearer, graphql } from './gateway-client.js';
import { round } from './stats.js';

/**
 * A study's Bulk Data export (`Group/<id>/$export?_type=Observation`) on a one-process gateway, from kickoff to
 * the complete manifest (the job reads, maps and stores every NDJSON line), against PostgreSQL's own
 * `COPY (SELECT json_build_object(…) …) TO STDOUT` of the same rows as the same FHIR JSON, read by node-postgres, in the
 * same run; with the gateway's resident memory sampled through the export against its idle figure. Once per size,
 * the `observations` GraphQL page loop the job does not use is timed too, for the record.
 */

/** The same rows as the export's Observation lines, in the same order, as one FHIR JSON object a line. */
const copySql = (studyId: number) => `copy (
  select json_build_object(
    'resourceType', 'Observation', 'id', o.id::text,
    'meta', json_build_object('lastUpdated', to_char(o.last_updated at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
    'identifier', o.identifiers,
    'status', o.status,
    'code', json_build_object('coding', json_build_array(json_build_object('system', c.coding_system, 'code', c.coding_code, 'display', c.text))),
    'subject', json_build_object('reference', 'Patient/' || o.subject_patient_id),
    'device', json_build_object('reference', 'Device/' || o.data_source_id),
    'effectiveDateTime', to_char(o.effective_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'valueAttachment', json_build_object('contentType', 'application/json',
      'data', translate(encode(convert_to(o.omh::text, 'UTF8'), 'base64'), E'\\n', '')))
  from observations o join codeable_concepts c on c.id = o.codeable_concept_id
  where (o.subject_patient_id, o.codeable_concept_id) in (
    select sp.patient_id, r.codeable_concept_id from study_patients sp
      join study_scope_requests r on r.study_id = sp.study_id
      join study_patient_scope_consents k on k.study_patient_id = sp.id and k.codeable_concept_id = r.codeable_concept_id and k.consented
     where sp.study_id = ${studyId})
  order by o.subject_patient_id, o.codeable_concept_id, o.effective_time, o.id
) to stdout`;

/** PostgreSQL's COPY to STDOUT, read by node-postgres (pg-copy-streams) as the export's job reads: lines and seconds. */
async function timeCopy(databaseUrl: string, studyId: number): Promise<{ lines: number; seconds: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const started = performance.now();
    let lines = 0;
    for await (const chunk of client.query(copyTo(copySql(studyId))) as AsyncIterable<Buffer>) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    }
    return { lines, seconds: (performance.now() - started) / 1000 };
  } finally {
    await client.end();
  }
}

const rssMiB = (pid: number) => {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return round(Number(kb) / 1024, 1);
};

/** Kickoff to complete manifest, sampling the gateway's RSS every 50 ms; the Observation lines the manifest counts. */
async function timeExport(base: string, token: string, studyId: number, pid: number) {
  let peak = rssMiB(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 50);
  const started = performance.now();
  try {
    const kickoff = await fetch(`${base}/fhir/r5/Group/${studyId}/$export?_type=Observation`, {
      headers: { ...bearer(token), prefer: 'respond-async' },
    });
    if (kickoff.status !== 202) throw new Error(`kickoff: ${kickoff.status} ${await kickoff.text()}`);
    const statusUrl = kickoff.headers.get('content-location')!;
    for (;;) {
      const status = await fetch(statusUrl, { headers: bearer(token) });
      if (status.status === 200) {
        const seconds = (performance.now() - started) / 1000;
        const manifest = (await status.json()) as { output: { url: string; count: number }[] };
        return { seconds, peak, manifest, lines: manifest.output.reduce((n, f) => n + f.count, 0) };
      }
      if (status.status !== 202) throw new Error(`status: ${status.status} ${await status.text()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    clearInterval(sampler);
  }
}

/** Downloads every file (bytes only), sampling RSS: the files stream chunk by chunk. */
async function timeDownload(token: string, urls: string[], pid: number) {
  let peak = rssMiB(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 50);
  const started = performance.now();
  let bytes = 0;
  try {
    for (const url of urls) {
      const response = await fetch(url, { headers: bearer(token) });
      for await (const chunk of response.body!) bytes += (chunk as Uint8Array).length;
    }
    return { seconds: (performance.now() - started) / 1000, bytes, peak };
  } finally {
    clearInterval(sampler);
  }
}

const PAGE = `query ($filter: ObservationFilter!, $after: String) { observations(filter: $filter, first: 1000, after: $after) {
  nodes { id status effectiveTime lastUpdated subject { id } code { codingSystem codingCode text } dataSource { id }
    identifiers { system value } valueAttachment { contentType data } } pageInfo { hasNextPage endCursor } } }`;

/** The alternative the job does not take: every page of the `observations` query, one after the other. */
async function timeGraphQLLoop(base: string, token: string, studyId: number) {
  const started = performance.now();
  let rows = 0;
  let after: string | null = null;
  for (;;) {
    const { data } = (await graphql(base, token, PAGE, { filter: { studyId: String(studyId) }, after })) as {
      data: { observations: { nodes: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    };
    rows += data.observations.nodes.length;
    if (!data.observations.pageInfo.hasNextPage) break;
    after = data.observations.pageInfo.endCursor;
  }
  return { rows, seconds: (performance.now() - started) / 1000 };
}

export async function measureBulkExport(
  gateway: { base: string; pid: number },
  token: string,
  databaseUrl: string,
  studyId: number,
  runs = 3,
) {
  const idleMiB = rssMiB(gateway.pid);
  const exports: Awaited<ReturnType<typeof timeExport>>[] = [];
  const copies: Awaited<ReturnType<typeof timeCopy>>[] = [];
  for (let run = 0; run < runs; run++) {
    copies.push(await timeCopy(databaseUrl, studyId));
    exports.push(await timeExport(gateway.base, token, studyId, gateway.pid));
  }
  const rows = exports[0]!.lines;
  if (copies.some((c) => c.lines !== rows) || exports.some((e) => e.lines !== rows)) {
    throw new Error(`the export wrote ${rows} lines, COPY ${copies[0]!.lines}`);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  const exportSeconds = median(exports.map((e) => e.seconds));
  const copySeconds = median(copies.map((c) => c.seconds));
  const last = exports.at(-1)!;
  const download = await timeDownload(
    token,
    last.manifest.output.map((f) => f.url),
    gateway.pid,
  );
  const loop = await timeGraphQLLoop(gateway.base, token, studyId);
  return {
    rows,
    runs,
    files: last.manifest.output.length,
    exportRowsPerSecond: Math.round(rows / exportSeconds),
    copyRowsPerSecond: Math.round(rows / copySeconds),
    /** the target: at least 0.5 */
    ratioToCopy: round(copySeconds / exportSeconds, 2),
    downloadRowsPerSecond: Math.round(rows / download.seconds),
    downloadMiB: round(download.bytes / 2 ** 20, 1),
    graphqlLoopRowsPerSecond: Math.round(loop.rows / loop.seconds),
    rss: {
      idleMiB,
      peakExportMiB: Math.max(...exports.map((e) => e.peak)),
      peakDownloadMiB: download.peak,
    },
  };
}
