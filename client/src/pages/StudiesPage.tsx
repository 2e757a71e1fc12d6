import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { OrgTabs } from '../components/OrgTabs.tsx';
import { Empty, ErrorNote, Field, Loading, Section } from '../components/ui.tsx';
import { graphql } from '../graphql.ts';
import { canEditContent } from '../permissions.ts';
import { useViewer } from '../viewer.tsx';

const StudiesQuery = graphql(`
  query OrganizationStudies($id: ID!) {
    organization(id: $id) {
      id
      name
      viewerRole
      studies(first: 1000) {
        totalCount
        nodes {
          id
          name
          description
        }
      }
    }
  }
`);

const CreateStudy = graphql(`
  mutation CreateStudy($input: CreateStudyInput!) {
    createStudy(input: $input) {
      id
      name
      description
    }
  }
`);

function CreateStudyForm({ organizationId }: { organizationId: string }) {
  const navigate = useNavigate();
  const [values, setValues] = useState({ name: '', description: '' });
  const [result, create] = useMutation(CreateStudy);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await create({
      input: { organizationId, name: values.name.trim(), description: values.description.trim() },
    });
    if (r.data) navigate(`/studies/${r.data.createStudy.id}`);
  };
  return (
    <form onSubmit={submit} className="stacked-form" aria-label="New study">
      <Field label="Study name">
        {(id) => (
          <input
            id={id}
            value={values.name}
            required
            maxLength={200}
            onChange={(e) => setValues({ ...values, name: e.target.value })}
          />
        )}
      </Field>
      <Field label="Description">
        {(id) => (
          <textarea
            id={id}
            value={values.description}
            onChange={(e) => setValues({ ...values, description: e.target.value })}
          />
        )}
      </Field>
      <button type="submit" disabled={result.fetching || !values.name.trim()}>
        Create study
      </button>
      <ErrorNote error={result.error} />
    </form>
  );
}

export function StudiesPage() {
  const { id = '' } = useParams();
  const { me } = useViewer();
  const [{ data, fetching, error }] = useQuery({ query: StudiesQuery, variables: { id } });
  if (fetching && !data) return <Loading />;
  if (!data) return <ErrorNote error={error} />;
  const org = data.organization;
  return (
    <>
      <OrgTabs id={org.id} name={org.name} />
      <Section title={`Studies (${org.studies.totalCount})`}>
        {org.studies.nodes.length === 0 ? (
          <Empty>No studies yet.</Empty>
        ) : (
          <ul className="list">
            {org.studies.nodes.map((s) => (
              <li key={s.id}>
                <Link to={`/studies/${s.id}`}>{s.name}</Link>
                {s.description && <p className="muted">{s.description}</p>}
              </li>
            ))}
          </ul>
        )}
      </Section>
      {canEditContent(me, org.viewerRole) && (
        <Section title="New study">
          <CreateStudyForm organizationId={org.id} />
        </Section>
      )}
    </>
  );
}
