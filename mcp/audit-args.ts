import { redactedValue } from '../src/audit/redact.js';

/** Arguments that are ids, codes, cursors, times or choices: never a person's details, kept as given. */
const PLAIN = new Set(['studyId', 'patientId', 'organizationId', 'partOfId', 'first', 'after', 'code', 'codeSystem']);
const TIMES = new Set(['from', 'before']);
const CHOICES = new Set(['bucket']);

/**
 * A tool call's arguments as the audit trail keeps them: ids, codes, times and numbers as given; any other text
 * (a name, an email, an identifier's value) as its keyed hash, as for GraphQL's arguments.
 */
export function auditArgs(args: Record<string, unknown>, hashKey: string | undefined): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) {
    if (value === undefined || value === null) continue;
    const plain = PLAIN.has(name) || TIMES.has(name) || CHOICES.has(name) || typeof value !== 'string';
    params[name] = plain ? value : redactedValue(value, hashKey);
  }
  return params;
}

/** The ids a call names, as the event's resources and patients. */
export function namedIds(args: Record<string, unknown>): { resourceIds: number[]; patientIds: number[] } {
  const ids = (names: string[]) =>
    names.map((name) => Number(args[name])).filter((n) => Number.isSafeInteger(n) && n > 0);
  return { resourceIds: ids(['studyId', 'organizationId', 'partOfId']), patientIds: ids(['patientId']) };
}
