import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { Identifiers } from '../components/Identifiers.tsx';
import { Invitation } from '../components/Invitation.tsx';
import { PatientAccessLog } from '../components/PatientAccessLog.tsx';
import { PatientConsents } from '../components/PatientConsents.tsx';
import { PatientForm, patientInput } from '../components/PatientForm.tsx';
import { DangerButton, ErrorNote, Loading, SavedNote, Section } from '../components/ui.tsx';
import { graphql } from '../graphql.ts';

const PatientQuery = graphql(`
  query Patient($id: ID!) {
    patient(id: $id) {
      id
      nameGiven
      nameFamily
      email
      birthDate
      phone
      identifiers {
        system
        value
      }
      viewerCan {
        edit
        delete
        invite
        viewAccessLog
      }
      organizations {
        id
        name
      }
      consents {
        studies {
          study {
            id
            name
          }
          scopeConsents {
            consented
            consentedTime
            code {
              id
              text
            }
          }
          pendingScopes {
            id
            text
          }
        }
      }
    }
  }
`);

const UpdatePatient = graphql(`
  mutation UpdatePatient($id: ID!, $input: UpdatePatientInput!) {
    updatePatient(id: $id, input: $input) {
      id
      nameGiven
      nameFamily
      email
      birthDate
      phone
    }
  }
`);

const DeletePatient = graphql(`
  mutation DeletePatient($id: ID!) {
    deletePatient(id: $id)
  }
`);

export function PatientPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const [{ data, fetching, error }] = useQuery({ query: PatientQuery, variables: { id } });
  const [updated, update] = useMutation(UpdatePatient);
  const [deleted, remove] = useMutation(DeletePatient);
  if (fetching && !data) return <Loading />;
  if (!data) return <ErrorNote error={error} />;
  const p = data.patient;
  const can = p.viewerCan;
  const editable = can.edit;
  const firstOrg = p.organizations[0];
  return (
    <>
      <p className="breadcrumb">
        {firstOrg && <Link to={`/organizations/${firstOrg.id}/patients`}>{firstOrg.name}</Link>} › Patient
      </p>
      <h1>
        {p.nameGiven} {p.nameFamily}
      </h1>
      <p>
        <Link to={`/observations?patient=${p.id}`}>Observations and charts</Link>
      </p>
      <Section
        title="Details"
        actions={
          can.delete && (
            <DangerButton
              label="Delete patient"
              confirm={`Delete ${p.nameGiven} ${p.nameFamily} and all their data?`}
              onClick={() =>
                void remove({ id: p.id }).then(
                  (r) => !r.error && navigate(firstOrg ? `/organizations/${firstOrg.id}/patients` : '/'),
                )
              }
            />
          )
        }
      >
        {editable ? (
          <PatientForm
            key={p.id}
            initial={{
              nameGiven: p.nameGiven,
              nameFamily: p.nameFamily,
              email: p.email,
              birthDate: p.birthDate ?? '',
              phone: p.phone ?? '',
            }}
            submitLabel="Save patient"
            busy={updated.fetching}
            onSubmit={async (v) => !(await update({ id: p.id, input: patientInput(v) })).error}
          />
        ) : (
          <dl className="facts">
            <dt>Email</dt>
            <dd>{p.email}</dd>
            <dt>Birth date</dt>
            <dd>{p.birthDate ?? '—'}</dd>
            <dt>Phone</dt>
            <dd>{p.phone ?? '—'}</dd>
          </dl>
        )}
        <p className="muted">Organizations: {p.organizations.map((o) => o.name).join(', ')}</p>
        <SavedNote result={updated} />
        <ErrorNote error={updated.error ?? deleted.error} />
      </Section>
      <Identifiers patientId={p.id} identifiers={p.identifiers} editable={editable} />
      {can.invite && <Invitation patientId={p.id} />}
      <PatientConsents studies={p.consents.studies} />
      {can.viewAccessLog && <PatientAccessLog patientId={p.id} />}
    </>
  );
}
