import { Link } from 'react-router';
import { Empty, Section } from './ui.tsx';

interface StudyConsents {
  study: { id: string; name: string };
  scopeConsents: readonly {
    consented: boolean | null;
    consentedTime: string | null;
    code: { id: string; text: string };
  }[];
  pendingScopes: readonly { id: string; text: string }[];
}

export function PatientConsents({ studies }: { studies: readonly StudyConsents[] }) {
  return (
    <Section title="Studies and consents">
      {studies.length === 0 ? (
        <Empty>Not enrolled in any study.</Empty>
      ) : (
        studies.map((s) => (
          <div key={s.study.id} className="consents">
            <h3>
              <Link to={`/studies/${s.study.id}`}>{s.study.name}</Link>
            </h3>
            <ul>
              {s.scopeConsents.map((c) => (
                <li key={c.code.id}>
                  {c.code.text}:{' '}
                  <span className={`badge ${c.consented ? 'consented' : 'declined'}`}>
                    {c.consented ? 'consented' : 'declined'}
                  </span>
                  {c.consentedTime && (
                    <span className="muted"> on {new Date(c.consentedTime).toLocaleDateString()}</span>
                  )}
                </li>
              ))}
              {s.pendingScopes.map((c) => (
                <li key={c.id}>
                  {c.text}: <span className="badge pending">pending</span>
                </li>
              ))}
            </ul>
          </div>
        ))
      )}
    </Section>
  );
}
