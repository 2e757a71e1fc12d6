import Provider, { type AdapterPayload } from 'oidc-provider';

/**
 * Invitation codes are minted by the server and handed out as links, so their redirect URI carries nothing: the
 * app redeems one with any redirect URI registered for its client. The code is stored with this marker instead
 * of a URI; when the token request that finds it names a URI its client registered, the code reads as minted
 * for that URI, so the provider's exact match passes. Any other code, or another URI, is left as it is.
 */
export const INVITATION_REDIRECT_URI = 'urn:hxg:invitation';

export function withInvitationRedirect(payload: AdapterPayload): AdapterPayload {
  if (payload.redirectUri !== INVITATION_REDIRECT_URI) return payload;
  const oidc = Provider.ctx?.oidc;
  const requested = oidc?.params?.redirect_uri;
  if (typeof requested !== 'string' || !oidc?.client?.redirectUriAllowed(requested)) return payload;
  return { ...payload, redirectUri: requested };
}
