/** Where the gateway's protected resource metadata (RFC 9728) is served, relative to PUBLIC_URL. */
export const PROTECTED_RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

export interface BearerChallengeOptions {
  error?: 'invalid_token' | 'insufficient_scope';
  description?: string;
  /** the scope(s) that would be enough (insufficient_scope) */
  scope?: string;
}

/**
 * An RFC 6750 quoted-string: header values must be printable ASCII, so anything else (a typographic apostrophe in
 * a message, a line break) becomes `'` or a space; backslashes and double quotes are escaped.
 */
export const quotedString = (value: string) =>
  `"${value
    .replace(/[\r\n\t]/g, ' ')
    .replace(/[^\x20-\x7e]/g, "'")
    .replace(/[\\"]/g, '\\$&')}"`;

/**
 * The `WWW-Authenticate` value of a 401 (or 403) from any face: it points the client at the protected resource
 * metadata, from which it finds the authorization server (the MCP authorization specification, RFC 9728 §5.1).
 */
export function bearerChallenge(publicUrl: string, options: BearerChallengeOptions = {}): string {
  const params: [string, string | undefined][] = [
    ['resource_metadata', `${publicUrl}${PROTECTED_RESOURCE_METADATA_PATH}`],
    ['error', options.error],
    ['error_description', options.description],
    ['scope', options.scope],
  ];
  return `Bearer ${params
    .filter((param): param is [string, string] => param[1] !== undefined && param[1] !== '')
    .map(([name, value]) => `${name}=${quotedString(value)}`)
    .join(', ')}`;
}

/**
 * The challenge of a face's 401: `invalid_token` with the reason when the request presented credentials, none
 * without (RFC 6750 §3.1: a request without authentication gets no error code).
 */
export const challengeFor = (publicUrl: string, req: { get(name: string): string | undefined }, reason: string) =>
  req.get('authorization')
    ? bearerChallenge(publicUrl, { error: 'invalid_token', description: reason })
    : bearerChallenge(publicUrl);
