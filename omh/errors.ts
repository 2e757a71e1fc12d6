import type { ErrorObject } from 'ajv';

export interface OmhError {
  /** JSON pointer into the data point, e.g. /body/heart_rate/unit ('' is the data point itself) */
  path: string;
  message: string;
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** `must have exactly one of: date_time, time_interval`, from oneOf branches that each require a set of keys. */
function oneOfMessage(error: ErrorObject): string {
  const branches = Array.isArray(error.schema) ? (error.schema as { required?: string[] }[]) : [];
  const alternatives = branches.map((branch) => branch.required?.join(' + '));
  if (alternatives.length === 0 || alternatives.some((keys) => !keys)) return error.message ?? 'is invalid';
  return `must have exactly one of: ${alternatives.join(', ')}`;
}

function describe(error: ErrorObject): OmhError {
  const path = error.instancePath;
  switch (error.keyword) {
    case 'required':
      return { path: `${path}/${escapePointer(String(error.params.missingProperty))}`, message: 'is required' };
    case 'enum':
      return { path, message: `must be one of: ${(error.params.allowedValues as unknown[]).join(', ')}` };
    case 'format':
      if (error.params.format === 'date-time') {
        return { path, message: 'must be an RFC 3339 date-time with a time zone' };
      }
      return { path, message: `must be a valid ${String(error.params.format)}` };
    case 'oneOf':
      return { path, message: oneOfMessage(error) };
    default:
      return { path, message: error.message ?? 'is invalid' };
  }
}

/**
 * The problem ajv stopped at, readable. Without allErrors, ajv stops at the first failing keyword and its error
 * comes last: any earlier errors are from the oneOf branches it tried, which would only confuse the reader.
 */
export function describeProblem(errors: ErrorObject[] | null | undefined): OmhError {
  const cause = errors?.at(-1);
  return cause ? describe(cause) : { path: '', message: 'is invalid' };
}
