// placeholder until the mcpauth branch lands (it owns this file)
export function bearerChallenge(
  publicUrl: string,
  opts: { error?: 'invalid_token' | 'insufficient_scope'; description?: string; scope?: string } = {},
): string {
  const parts = [`resource_metadata="${publicUrl}/.well-known/oauth-protected-resource"`];
  if (opts.error) parts.push(`error="${opts.error}"`);
  return `Bearer ${parts.join(', ')}`;
}
