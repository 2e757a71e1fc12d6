const MAX_FIELD = 512;

/** A posted form's field as a string of bounded length ('' when absent or not a string). */
export const formField = (body: unknown, name: string): string => {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.slice(0, MAX_FIELD) : '';
};
