import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { type SignInState, userManager } from '../auth.ts';

/** The OIDC redirect target: trades the code for tokens, then returns to where sign-in started. */
export function AuthCallback() {
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return; // StrictMode runs effects twice; a code can be redeemed once
    started.current = true;
    userManager
      .signinRedirectCallback()
      .then((user) => navigate((user.state as SignInState | undefined)?.returnTo ?? '/', { replace: true }))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [navigate]);
  if (!error) return <p className="muted">Signing in…</p>;
  return (
    <main className="centered">
      <h1>Sign-in failed</h1>
      <p role="alert">{error}</p>
      <a href="/">Back to the portal</a>
    </main>
  );
}
