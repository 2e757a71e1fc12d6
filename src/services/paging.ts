import { z } from 'zod';
import { InvalidError } from '../errors.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  /** cursor of the last node; pass it as `after` for the next page */
  endCursor: string | null;
  /** the cursor of any node of the list (a connection's edges) */
  cursorOf: (node: T) => string;
}

/** Keyset cursors are opaque: base64url of the text of where the page ended. Pages never use OFFSET. */
export const opaqueCursor = (text: string) => Buffer.from(text).toString('base64url');

/**
 * The parts of a cursor, by the pattern of the text it was made from; null for no cursor. A cursor that does
 * not match, or whose parts `valid` refuses, was not issued by this server: a 400.
 */
export function readCursor(
  cursor: string | null | undefined,
  pattern: RegExp,
  valid: (parts: RegExpExecArray) => boolean = () => true,
): RegExpExecArray | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  const parts = pattern.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!parts || !valid(parts)) throw new InvalidError('after: not a cursor this server issued', 'after');
  return parts;
}

/** The cursor of lists by id: the last row's id. */
export const encodeCursor = (id: number) => opaqueCursor(`id:${id}`);

export const cursorById = (node: { id: number }) => encodeCursor(node.id);

export function decodeCursor(cursor: string | null | undefined): number | null {
  const parts = readCursor(cursor, /^id:(\d{1,16})$/);
  return parts && Number(parts[1]);
}

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  const parsed = z.number().int().min(0).max(MAX_PAGE_SIZE).safeParse(first);
  if (!parsed.success) throw new InvalidError(`first: must be an integer from 0 to ${MAX_PAGE_SIZE}`, 'first');
  return parsed.data;
}

/** Shapes rows fetched with `limit size + 1` into a page; the cursor is the last row's id unless `cursorOf` says. */
export function toPage<T extends { id: number }>(
  rows: T[],
  size: number,
  cursorOf: (node: T) => string = cursorById,
): Page<T> {
  const nodes = rows.slice(0, size);
  const last = nodes.at(-1);
  return { nodes, hasNextPage: rows.length > size, endCursor: last ? cursorOf(last) : null, cursorOf };
}
