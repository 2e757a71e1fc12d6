import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { StudyClients } from '../components/StudyClients.tsx';
import { StudyPatients } from '../components/StudyPatients.tsx';
import { EditStudyForm } from '../components/StudyForm.tsx';
import { StudySetup } from '../components/StudySetup.tsx';
import { DangerButton, ErrorNote, Loading, Section } from '../components/ui.tsx';
import { graphql } from '../graphql.ts';

const StudyQuery = graphql(`
  query Study($id: ID!) {
    study(id: $id) {
      id
      name
      description
      viewerCan {
        edit
        delete
        enrollPatients
      }
      organization {
        id
        name
      }
      dataSources {
        id
        name
      }
      clients {
        id
        name
        clientId
      }
      scopeRequests {
        id
        text
        codingCode
      }
      consents(first: 1000) {
        patient {
          id
          nameGiven
          nameFamily
        }
        scopeConsents {
          consented
          code {
            id
          }
        }
      }
    }
    dataSources {
      id
      name
      supportedScopes {
        id
      }
    }
    codeableConcepts {
      id
      text
      codingCode
    }
  }
`);

const DeleteStudy = graphql(`
  mutation DeleteStudy($id: ID!) {
    deleteStudy(id: $id)
  }
`);

export function StudyPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const [{ data, fetching, error }] = useQuery({ query: StudyQuery, variables: { id } });
  const [deleted, remove] = useMutation(DeleteStudy);
  if (fetching && !data) return <Loading />;
  if (!data) return <ErrorNote error={error} />;
  const { study } = data;
  // null for a viewer who may see the study but not its organization (a patient)
  const organization = study.organization;
  const studiesPath = organization ? `/organizations/${organization.id}/studies` : '/';
  const can = study.viewerCan;
  const editable = can.edit;
  return (
    <>
      {organization && (
        <p className="breadcrumb">
          <Link to={studiesPath}>{organization.name}</Link> › Study
        </p>
      )}
      <h1>{study.name}</h1>
      <p>
        <Link to={`/observations?study=${study.id}`}>Observations of this study</Link>
      </p>
      <Section
        title="Details"
        actions={
          can.delete && (
            <DangerButton
              label="Delete study"
              confirm={`Delete the study ${study.name}? Enrollments and consents go with it.`}
              onClick={() => void remove({ id: study.id }).then((r) => !r.error && navigate(studiesPath))}
            />
          )
        }
      >
        {editable ? (
          <EditStudyForm key={study.id} id={study.id} name={study.name} description={study.description} />
        ) : (
          <p>{study.description || <span className="muted">No description.</span>}</p>
        )}
        <ErrorNote error={deleted.error} />
      </Section>
      <StudySetup
        studyId={study.id}
        editable={editable}
        dataSources={study.dataSources}
        scopeRequests={study.scopeRequests}
        catalog={{ dataSources: data.dataSources, codeableConcepts: data.codeableConcepts }}
      />
      <StudyClients studyId={study.id} editable={editable} clients={study.clients} />
      <StudyPatients
        studyId={study.id}
        organizationId={organization?.id ?? ''}
        editable={can.enrollPatients && organization !== null}
        scopes={study.scopeRequests}
        consents={study.consents}
      />
    </>
  );
}
