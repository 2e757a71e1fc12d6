import { UserManager, WebStorageStateStore } from 'oidc-client-ts';

const origin = window.location.origin;

/**
 * The portal is the public OAuth client `portal` of the gateway's own provider: authorization code + PKCE,
 * refresh tokens used for silent renewal, RP-initiated logout. Tokens live in sessionStorage (per tab).
 */
export const userManager = new UserManager({
  authority: `${origin}/o`,
  client_id: 'portal',
  redirect_uri: `${origin}/auth/callback`,
  post_logout_redirect_uri: `${origin}/`,
  response_type: 'code',
  scope: 'openid profile email',
  automaticSilentRenew: true,
  userStore: new WebStorageStateStore({ store: window.sessionStorage }),
});

/** Where to come back to after signing in. */
export interface SignInState {
  returnTo: string;
}

export function signIn(returnTo = window.location.pathname + window.location.search): Promise<void> {
  return userManager.signinRedirect({ state: { returnTo } satisfies SignInState });
}

export async function signOut(): Promise<void> {
  const user = await userManager.getUser();
  await userManager.removeUser();
  await userManager.signoutRedirect({ id_token_hint: user?.id_token });
}

/** A fresh access token, renewed with the refresh token when it is about to expire; null when signed out. */
export async function accessToken(): Promise<string | null> {
  let user = await userManager.getUser();
  if (user && (user.expires_in ?? 0) < 30) {
    user = await userManager.signinSilent().catch(() => null);
  }
  return user && !user.expired ? user.access_token : null;
}
