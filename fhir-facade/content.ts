import type { NextFunction, Request, Response } from 'express';
import { FhirError } from './outcome.js';

export const FHIR_JSON = 'application/fhir+json';
/** the body of `POST [type]/_search` */
export const FORM = 'application/x-www-form-urlencoded';
const ACCEPTABLE = [FHIR_JSON, 'application/json', 'application/*', '*/*'];
const FORMATS = new Set(['json', FHIR_JSON, 'application/json']);
/** a bulk export's files are NDJSON */
const EXPORT_FILE = ['application/fhir+ndjson', 'application/ndjson', ...ACCEPTABLE];

/**
 * Content negotiation: FHIR JSON or plain JSON (`Accept` or `_format`), nothing else (406); request bodies
 * must be FHIR JSON or JSON, and searches' (`POST [type]/_search`) form-encoded (415).
 */
export function negotiate(req: Request, _res: Response, next: NextFunction) {
  const format = req.query._format;
  if (format !== undefined) {
    if (typeof format !== 'string' || !FORMATS.has(format)) {
      throw new FhirError(406, 'not-supported', `_format=${String(format)} is not supported; use json`);
    }
  } else if (req.get('accept') && !req.accepts(req.path.startsWith('/$export-file/') ? EXPORT_FILE : ACCEPTABLE)) {
    throw new FhirError(
      406,
      'not-supported',
      `Cannot answer with ${req.get('accept')}; this server speaks ${FHIR_JSON}`,
    );
  }
  if (req.method === 'POST' || req.method === 'PUT') {
    const type = req.get('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (req.path.endsWith('/_search')) {
      if (type !== FORM) throw new FhirError(415, 'not-supported', `Send ${FORM} (got ${type ?? 'no content type'})`);
    } else if (type !== FHIR_JSON && type !== 'application/json') {
      throw new FhirError(415, 'not-supported', `Send ${FHIR_JSON} (got ${type ?? 'no content type'})`);
    }
  }
  next();
}
