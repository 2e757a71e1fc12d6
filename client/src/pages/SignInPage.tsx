import { signIn } from '../auth.ts';

export function SignInPage() {
  return (
    <main className="centered">
      <h1>Health Exchange Gateway</h1>
      <p>Share patient-consented device data with the practitioners of your studies.</p>
      <p>
        <button type="button" className="primary" onClick={() => void signIn()}>
          Sign in
        </button>
      </p>
      <p className="muted">
        New practitioner with an invite code? <a href="/o/signup">Sign up</a>
      </p>
    </main>
  );
}
