import { once } from 'node:events';
import type { Request, Response, Router } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import type { Config } from '../../src/config.js';
import type { JobQueue } from '../../src/jobs/queue.js';
import { FHIR_JSON } from '../content.js';
import { runGraphQL } from '../execute.js';
import { FhirError, operationOutcome } from '../outcome.js';
import { parseId } from '../search-params.js';
import { kickoffParams, readKickoff, requireRespondAsync } from './params.js';
import { EXPORT_QUEUE, queueOptions } from './worker.js';

export const EXPORT_STATUS_PATH = '/$export-status';
export const EXPORT_FILE_PATH = '/$export-file';
export const NDJSON = 'application/fhir+ndjson';
const RETRY_AFTER_SECONDS = 2;

const START = `mutation ($input: BulkExportInput!) { startBulkExport(input: $input) { id } }`;
const CANCEL = `mutation ($id: ID!) { cancelBulkExport(id: $id) { id } }`;
const STATUS = `query ($id: ID!) { bulkExport(id: $id) {
  id status requestUrl transactionTime expiresAt error { code message } counts { type count }
  files { id type count }
} }`;
const FILE = `query ($id: ID!) { bulkExportFile(id: $id) { id type count chunks } }`;
const CHUNK = `query ($fileId: ID!, $seq: Int!) { bulkExportFileChunk(fileId: $fileId, seq: $seq) }`;

interface StatusNode {
  id: string;
  status: 'QUEUED' | 'RUNNING' | 'COMPLETE' | 'FAILED';
  requestUrl: string;
  transactionTime: string;
  expiresAt: string | null;
  error: { code: string; message: string } | null;
  counts: { type: string; count: number }[];
  files: { id: string; type: string; count: number }[];
}

export interface ExportRouteDependencies {
  schema: GraphQLSchema;
  config: Config;
  queue: JobQueue;
  baseUrl: string;
  context: (res: Response) => GraphQLContext;
}

/** A failed job's answer on its status URL: a refusal is the requester's (403), anything else the server's. */
const FAILED_STATUS: Record<string, [number, 'forbidden' | 'exception']> = {
  FORBIDDEN: [403, 'forbidden'],
  NOT_FOUND: [403, 'forbidden'],
};

/**
 * The Bulk Data Access IG's asynchronous export: kickoff (`Group/<id>/$export`, `Patient/$export`), the status URL
 * (poll, DELETE to cancel) and the files, each a GraphQL operation as the viewer; the job runs in the background
 * (worker.ts).
 */
export function addExportRoutes(router: Router, deps: ExportRouteDependencies) {
  const { schema, baseUrl } = deps;
  const run = <T>(res: Response, query: string, variables: Record<string, unknown>) =>
    runGraphQL<T>(schema, deps.context(res), query, variables);

  const kickoff = (studyId: string | null) => async (req: Request, res: Response) => {
    requireRespondAsync(req.get('prefer'));
    const input = readKickoff(kickoffParams(req));
    const requestUrl = `${deps.config.publicUrl}${req.originalUrl}`;
    let started: { startBulkExport: { id: string } };
    try {
      started = await run(res, START, { input: { ...input, studyId, requestUrl } });
    } catch (error) {
      // a type the kind does not hold is a bad request parameter
      if (error instanceof FhirError && error.status === 422)
        throw new FhirError(400, 'invalid', error.message, '_type');
      throw error;
    }
    const { id } = started.startBulkExport;
    try {
      await deps.queue.send(EXPORT_QUEUE, { exportId: id }, queueOptions(deps.config));
    } catch {
      await run(res, CANCEL, { id });
      throw new FhirError(503, 'transient', 'The export could not be queued; try again shortly');
    }
    res.status(202).set('content-location', `${baseUrl}${EXPORT_STATUS_PATH}/${id}`).end();
  };
  router.get('/Group/:id/\\$export', (req, res) => kickoff(parseId('id', String(req.params.id)))(req, res));
  router.post('/Group/:id/\\$export', (req, res) => kickoff(parseId('id', String(req.params.id)))(req, res));
  router.get('/Patient/\\$export', kickoff(null));
  router.post('/Patient/\\$export', kickoff(null));

  router.get(`${EXPORT_STATUS_PATH}/:id`, async (req, res) => {
    const { bulkExport: job } = await run<{ bulkExport: StatusNode }>(res, STATUS, { id: String(req.params.id) });
    if (job.status === 'QUEUED' || job.status === 'RUNNING') {
      const done = job.counts.map((c) => `${c.type} ${c.count}`).join(', ');
      res.status(202).set({
        'x-progress': `${job.status.toLowerCase()}${done ? `: ${done}` : ''}`,
        'retry-after': String(RETRY_AFTER_SECONDS),
      });
      res.end();
      return;
    }
    if (job.status === 'FAILED') {
      const [status, issue] = FAILED_STATUS[job.error?.code ?? ''] ?? [500, 'exception'];
      res
        .status(status)
        .type(FHIR_JSON)
        .send(JSON.stringify(operationOutcome(issue, job.error?.message ?? 'The export failed')));
      return;
    }
    if (job.expiresAt) res.set('expires', new Date(job.expiresAt).toUTCString());
    res.status(200).json({
      transactionTime: job.transactionTime,
      request: job.requestUrl,
      requiresAccessToken: true,
      output: job.files.map((f) => ({ type: f.type, url: `${baseUrl}${EXPORT_FILE_PATH}/${f.id}`, count: f.count })),
      error: [],
    });
  });

  router.delete(`${EXPORT_STATUS_PATH}/:id`, async (req, res) => {
    await run(res, CANCEL, { id: String(req.params.id) });
    res.status(202).end();
  });

  router.get(`${EXPORT_FILE_PATH}/:id`, async (req, res) => {
    const fileId = parseId('id', String(req.params.id));
    const { bulkExportFile: file } = await run<{ bulkExportFile: { id: string; chunks: number } }>(res, FILE, {
      id: fileId,
    });
    res.status(200).type(NDJSON);
    // chunk by chunk: a file of any size passes through a few megabytes of memory
    try {
      for (let seq = 0; seq < file.chunks && !res.destroyed; seq++) {
        const { bulkExportFileChunk: chunk } = await run<{ bulkExportFileChunk: string | null }>(res, CHUNK, {
          fileId,
          seq,
        });
        if (chunk === null) break;
        if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      }
      res.end();
    } catch (error) {
      res.destroy(error as Error); // the status is sent: a cut connection is all that tells the client
    }
  });
}
