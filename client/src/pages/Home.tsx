import { Link, Navigate, useNavigate } from 'react-router';
import { CreateOrganizationForm } from '../components/OrganizationForm.tsx';
import { Section } from '../components/ui.tsx';
import { useViewer } from '../viewer.tsx';

/** Lands a practitioner in their first organization. */
export function Home() {
  const { me, can, forest } = useViewer();
  const navigate = useNavigate();
  const first = forest[0];
  if (first && !me.isSuperuser) return <Navigate to={`/organizations/${first.id}`} replace />;
  return (
    <>
      <h1>Welcome, {me.firstName}</h1>
      {me.kind === 'PATIENT' && (
        <p>This portal is for practitioners. Your data and consents are managed in your patient app.</p>
      )}
      {forest.length > 0 && (
        <ul>
          {forest.map((o) => (
            <li key={o.id}>
              <Link to={`/organizations/${o.id}`}>{o.name}</Link>
            </li>
          ))}
        </ul>
      )}
      {can.createTopLevelOrganization && (
        <Section title="New top-level organization">
          <CreateOrganizationForm onCreated={(id) => navigate(`/organizations/${id}`)} />
        </Section>
      )}
    </>
  );
}
