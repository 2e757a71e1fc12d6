import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { CreateOrganizationForm, EditOrganizationForm } from '../components/OrganizationForm.tsx';
import { OrgTabs } from '../components/OrgTabs.tsx';
import { Practitioners } from '../components/Practitioners.tsx';
import { DangerButton, Empty, ErrorNote, Loading, Section } from '../components/ui.tsx';
import { graphql } from '../graphql.ts';
import { useViewer } from '../viewer.tsx';

const OrganizationQuery = graphql(`
  query Organization($id: ID!) {
    organization(id: $id) {
      id
      name
      type
      viewerRole
      viewerCan {
        edit
        delete
        createSubOrganization
        managePractitioners
      }
      partOf {
        id
        name
      }
      children {
        id
        name
        type
      }
      practitioners {
        role
        practitioner {
          id
          user {
            id
            email
            firstName
            lastName
          }
        }
      }
    }
  }
`);

const DeleteOrganization = graphql(`
  mutation DeleteOrganization($id: ID!) {
    deleteOrganization(id: $id)
  }
`);

export function OrganizationPage() {
  const { id = '' } = useParams();
  const { me } = useViewer();
  const navigate = useNavigate();
  const [{ data, fetching, error }] = useQuery({ query: OrganizationQuery, variables: { id } });
  const [deleted, remove] = useMutation(DeleteOrganization);
  if (fetching && !data) return <Loading />;
  if (!data) return <ErrorNote error={error} />;
  const org = data.organization;
  const can = org.viewerCan;
  return (
    <>
      <OrgTabs id={org.id} name={org.name} />
      <ErrorNote error={error} />
      <Section
        title="Details"
        actions={
          can.delete && (
            <DangerButton
              label="Delete organization"
              confirm={`Delete ${org.name} and all its sub-organizations, studies and memberships?`}
              onClick={() =>
                void remove({ id: org.id }).then(
                  (r) => !r.error && navigate(org.partOf ? `/organizations/${org.partOf.id}` : '/'),
                )
              }
            />
          )
        }
      >
        <dl className="facts">
          <dt>Type</dt>
          <dd>{org.type}</dd>
          <dt>Part of</dt>
          <dd>{org.partOf ? <Link to={`/organizations/${org.partOf.id}`}>{org.partOf.name}</Link> : '—'}</dd>
          <dt>Your role</dt>
          <dd>{org.viewerRole ?? (me.isSuperuser ? 'super user' : '—')}</dd>
        </dl>
        {can.edit && <EditOrganizationForm key={org.id} id={org.id} name={org.name} type={org.type} />}
        <ErrorNote error={deleted.error} />
      </Section>
      <Section title="Sub-organizations">
        {org.children.length ? (
          <ul>
            {org.children.map((c) => (
              <li key={c.id}>
                <Link to={`/organizations/${c.id}`}>{c.name}</Link> <span className="muted">{c.type}</span>
              </li>
            ))}
          </ul>
        ) : (
          <Empty>No sub-organizations.</Empty>
        )}
        {can.createSubOrganization && (
          <CreateOrganizationForm partOfId={org.id} onCreated={(child) => navigate(`/organizations/${child}`)} />
        )}
      </Section>
      <Practitioners organizationId={org.id} practitioners={org.practitioners} editable={can.managePractitioners} />
    </>
  );
}
