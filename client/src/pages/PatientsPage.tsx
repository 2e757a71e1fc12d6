import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { OrgTabs } from '../components/OrgTabs.tsx';
import { emptyPatient, PatientForm, patientInput } from '../components/PatientForm.tsx';
import { Empty, ErrorNote, Field, Loading, Section } from '../components/ui.tsx';
import { graphql } from '../graphql.ts';

const PatientsQuery = graphql(`
  query OrganizationPatients($id: ID!) {
    organization(id: $id) {
      id
      name
      viewerCan {
        createPatient
        enrollPatients
      }
      studies(first: 1000) {
        nodes {
          id
          name
        }
      }
    }
    patients(organizationId: $id, first: 1000) {
      totalCount
      nodes {
        id
        nameGiven
        nameFamily
        email
        birthDate
        studies {
          id
          name
        }
      }
    }
  }
`);

const CreatePatient = graphql(`
  mutation CreatePatient($input: CreatePatientInput!) {
    createPatient(input: $input) {
      id
    }
  }
`);

const AddToStudy = graphql(`
  mutation AddPatientsToStudy($studyId: ID!, $patientIds: [ID!]!) {
    addPatientsToStudy(studyId: $studyId, patientIds: $patientIds) {
      id
    }
  }
`);

export function PatientsPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const [{ data, fetching, error }] = useQuery({ query: PatientsQuery, variables: { id } });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [studyId, setStudyId] = useState('');
  const [created, create] = useMutation(CreatePatient);
  const [enrolled, enroll] = useMutation(AddToStudy);
  if (fetching && !data) return <Loading />;
  if (!data) return <ErrorNote error={error} />;
  const { organization: org, patients } = data;
  const { createPatient, enrollPatients } = org.viewerCan;
  const toggle = (pid: string) => {
    const next = new Set(selected);
    if (!next.delete(pid)) next.add(pid);
    setSelected(next);
  };
  return (
    <>
      <OrgTabs id={org.id} name={org.name} />
      <Section title={`Patients (${patients.totalCount})`}>
        {patients.nodes.length === 0 ? (
          <Empty>No patients yet.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                {enrollPatients && <th aria-label="Select" />}
                <th>Name</th>
                <th>Email</th>
                <th>Birth date</th>
                <th>Studies</th>
              </tr>
            </thead>
            <tbody>
              {patients.nodes.map((p) => (
                <tr key={p.id}>
                  {enrollPatients && (
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Select ${p.nameGiven} ${p.nameFamily}`}
                        checked={selected.has(p.id)}
                        onChange={() => toggle(p.id)}
                      />
                    </td>
                  )}
                  <td>
                    <Link to={`/patients/${p.id}`}>
                      {p.nameGiven} {p.nameFamily}
                    </Link>
                  </td>
                  <td>{p.email}</td>
                  <td>{p.birthDate ?? '—'}</td>
                  <td>{p.studies.map((s) => s.name).join(', ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {enrollPatients && patients.nodes.length > 0 && (
          <div className="inline-form">
            <Field label="Add the selected patients to study">
              {(fid) => (
                <select id={fid} value={studyId} onChange={(e) => setStudyId(e.target.value)}>
                  <option value="">Choose a study…</option>
                  {org.studies.nodes.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <button
              type="button"
              disabled={!studyId || selected.size === 0 || enrolled.fetching}
              onClick={() =>
                void enroll({ studyId, patientIds: [...selected] }).then((r) => !r.error && setSelected(new Set()))
              }
            >
              Add to study ({selected.size})
            </button>
          </div>
        )}
        <ErrorNote error={enrolled.error} />
      </Section>
      {createPatient && (
        <Section title="New patient">
          <PatientForm
            initial={emptyPatient}
            submitLabel="Create patient"
            busy={created.fetching}
            onSubmit={async (v) => {
              const r = await create({ input: { ...patientInput(v), organizationId: org.id } });
              if (r.data) navigate(`/patients/${r.data.createPatient.id}`);
              return !r.error;
            }}
          />
          <ErrorNote error={created.error} />
        </Section>
      )}
    </>
  );
}
