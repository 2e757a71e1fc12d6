import { useParams } from 'react-router';

/** Where an invitation link lands when opened in a browser instead of the patient app. */
export function InvitationPage() {
  const { '*': rest = '' } = useParams();
  const [host] = rest.split('|');
  return (
    <main className="centered">
      <h1>Open this invitation in your patient app</h1>
      <p>
        This link signs you in to the study app of <strong>{host}</strong>. Open it on your phone with the patient app
        installed, or paste it into the app.
      </p>
      <p className="muted">The link works once and expires; ask your study team for a new one if needed.</p>
    </main>
  );
}
