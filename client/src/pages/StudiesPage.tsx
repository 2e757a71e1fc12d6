import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { OrgTabs } from '../components/OrgTabs.tsx';
import { CreateStudyForm } from '../components/StudyForm.tsx';
import { Empty, ErrorNote, Loading, Section } from '../components/ui.tsx';
import { graphql } from '../graphql.ts';

const StudiesQuery = graphql(`
  query OrganizationStudies($id: ID!) {
    organization(id: $id) {
      id
      name
      viewerCan {
        createStudy
      }
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

export function StudiesPage() {
  const { id = '' } = useParams();
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
      {org.viewerCan.createStudy && (
        <Section title="New study">
          <CreateStudyForm organizationId={org.id} />
        </Section>
      )}
    </>
  );
}
