import { InvalidError } from '../src/errors.js';

/** GraphQL IDs arrive as strings; the domain's ids are positive integers. */
export function toId(value: string | number, field = 'id'): number {
  const id = typeof value === 'number' ? value : /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id) || id <= 0) throw new InvalidError(`${field}: not a valid id`, field);
  return id;
}

export const toIds = (values: readonly (string | number)[], field = 'ids') => values.map((v) => toId(v, field));
