import type { GraphQLResolveInfo } from 'graphql';
import type { AuditedField } from './fields.js';

const PATIENT_REFERENCE = /^Patient\/(\d{1,15})$/;

const subjectsOf = (observations: unknown): unknown[] =>
  Array.isArray(observations)
    ? observations.map((o) => PATIENT_REFERENCE.exec(String(o?.subject?.reference ?? ''))?.[1])
    : [];

/**
 * The ids a field's arguments (and its parent) name: the resource it reads or changes (`resourceIds`) and the
 * patients concerned (`patientIds`); the rows it returns add theirs (wrap.ts).
 */
export function argumentIds(
  spec: AuditedField,
  info: GraphQLResolveInfo,
  source: unknown,
  args: Record<string, unknown>,
): { resourceIds: unknown[]; patientIds: unknown[] } {
  const resourceIds: unknown[] = [];
  const patientIds: unknown[] = [];
  if (spec.action !== 'search' && args.id !== undefined) resourceIds.push(args.id);
  if (spec.resourceType === 'Patient' && args.id !== undefined) patientIds.push(args.id);
  if (args.patientId !== undefined) patientIds.push(args.patientId);
  if (Array.isArray(args.patientIds)) patientIds.push(...args.patientIds);
  const filter = args.filter as { patientId?: unknown } | undefined;
  if (filter?.patientId) patientIds.push(filter.patientId);
  if (info.parentType.name === 'Patient') patientIds.push((source as { id?: unknown }).id);
  if (info.fieldName === 'uploadObservations') patientIds.push(...subjectsOf(args.observations));
  return { resourceIds, patientIds };
}
