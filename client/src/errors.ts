import type { CombinedError } from 'urql';

const MESSAGES: Record<string, string> = {
  UNAUTHENTICATED: 'Your session has ended. Please sign in again.',
  FORBIDDEN: 'You are not allowed to do this.',
  INTERNAL_SERVER_ERROR: 'The server failed to answer. Please try again later.',
};

/**
 * One readable sentence per GraphQL error: the server's own message for input errors, conflicts and unknown
 * records (it names what was not found); a fixed sentence for the rest (the server masks internal errors).
 */
export function describeError(error: CombinedError): string[] {
  if (error.networkError) return ['The gateway cannot be reached. Check your connection and try again.'];
  return error.graphQLErrors.map((e) => {
    const code = String(e.extensions?.code ?? '');
    const field = e.extensions?.field ? ` (${String(e.extensions.field)})` : '';
    return MESSAGES[code] ?? `${e.message}${field}`;
  });
}
