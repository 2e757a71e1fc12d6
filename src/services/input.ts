import { z } from 'zod';
import { InvalidError } from '../errors.js';
import { describeValueIssue, dottedPath, findValueIssue, MAX_INPUT_STRING } from '../input-limits.js';

/**
 * Parses service input with a zod schema; the first problem becomes an InvalidError naming its field. No string
 * of any input may hold a NUL character (the database stores none), whatever its schema says.
 */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const valueIssue = findValueIssue(input, { maxDepth: 32, maxString: MAX_INPUT_STRING });
  if (valueIssue) {
    const field = dottedPath(valueIssue.path) || undefined;
    throw new InvalidError(`${field ?? 'input'}: ${describeValueIssue(valueIssue)}`, field);
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.join('.') || undefined;
  throw new InvalidError(path ? `${path}: ${issue?.message}` : (issue?.message ?? 'Invalid input'), path);
}

export const id = z
  .number()
  .int()
  .positive()
  .max(2 ** 53 - 1);
export const name = z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters');
export const personName = z.string().trim().min(1, 'must not be empty').max(150, 'must be at most 150 characters');
export const email = z
  .string()
  .trim()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be an email address'))
  .transform((value) => value.toLowerCase());
export const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2048, 'must be at most 2048 characters');
export const isoDate = z.iso.date('must be a date (YYYY-MM-DD)');
export const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ()\-.]{3,40}$/, 'must be a phone number (digits, spaces, + ( ) - .)')
  .max(40);
export const uri = z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters');
export const identifier = z.object({
  system: uri,
  value: z.string().trim().min(1, 'must not be empty').max(255),
});
