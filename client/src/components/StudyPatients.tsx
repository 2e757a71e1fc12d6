import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../graphql.ts';
import { DangerButton, Empty, ErrorNote, Field, Section } from './ui.tsx';

const OrganizationPatients = graphql(`
  query EnrollablePatients($organizationId: ID!) {
    patients(organizationId: $organizationId, first: 1000) {
      nodes {
        id
        nameGiven
        nameFamily
      }
    }
  }
`);
const Enroll = graphql(`
  mutation EnrollPatient($studyId: ID!, $patientIds: [ID!]!) {
    addPatientsToStudy(studyId: $studyId, patientIds: $patientIds) {
      id
    }
  }
`);
const Unenroll = graphql(`
  mutation UnenrollPatient($studyId: ID!, $patientId: ID!) {
    removePatientFromStudy(studyId: $studyId, patientId: $patientId) {
      id
    }
  }
`);

interface PatientConsents {
  patient: { id: string; nameGiven: string; nameFamily: string };
  scopeConsents: readonly { consented: boolean | null; code: { id: string } }[];
}

function status(row: PatientConsents, scopeId: string): 'consented' | 'declined' | 'pending' {
  const answer = row.scopeConsents.find((c) => c.code.id === scopeId)?.consented;
  return answer === true ? 'consented' : answer === false ? 'declined' : 'pending';
}

function EnrollForm({
  studyId,
  organizationId,
  enrolled,
}: {
  studyId: string;
  organizationId: string;
  enrolled: Set<string>;
}) {
  const [{ data }] = useQuery({ query: OrganizationPatients, variables: { organizationId } });
  const [choice, setChoice] = useState('');
  const [result, enroll] = useMutation(Enroll);
  const candidates = (data?.patients.nodes ?? []).filter((p) => !enrolled.has(p.id));
  return (
    <div className="inline-form">
      <Field label="Enroll a patient of the organization">
        {(id) => (
          <select id={id} value={choice} onChange={(e) => setChoice(e.target.value)}>
            <option value="">Choose…</option>
            {candidates.map((p) => (
              <option key={p.id} value={p.id}>
                {p.nameGiven} {p.nameFamily}
              </option>
            ))}
          </select>
        )}
      </Field>
      <button
        type="button"
        disabled={!choice || result.fetching}
        onClick={() => void enroll({ studyId, patientIds: [choice] }).then((r) => !r.error && setChoice(''))}
      >
        Enroll
      </button>
      <ErrorNote error={result.error} />
    </div>
  );
}

export function StudyPatients(props: {
  studyId: string;
  organizationId: string;
  editable: boolean;
  scopes: readonly { id: string; text: string }[];
  consents: readonly PatientConsents[];
}) {
  const { studyId, scopes, consents, editable } = props;
  const [removed, unenroll] = useMutation(Unenroll);
  return (
    <Section title={`Patients and consents (${consents.length})`}>
      {consents.length === 0 ? (
        <Empty>No patients enrolled yet.</Empty>
      ) : (
        <table aria-label="Consents per scope">
          <thead>
            <tr>
              <th>Patient</th>
              {scopes.map((s) => (
                <th key={s.id}>{s.text}</th>
              ))}
              {editable && <th aria-label="Actions" />}
            </tr>
          </thead>
          <tbody>
            {consents.map((row) => (
              <tr key={row.patient.id}>
                <td>
                  <Link to={`/patients/${row.patient.id}`}>
                    {row.patient.nameGiven} {row.patient.nameFamily}
                  </Link>
                </td>
                {scopes.map((s) => {
                  const st = status(row, s.id);
                  return (
                    <td key={s.id}>
                      <span className={`badge ${st}`}>{st}</span>
                    </td>
                  );
                })}
                {editable && (
                  <td>
                    <DangerButton
                      label="Unenroll"
                      confirm={`Unenroll ${row.patient.nameGiven} ${row.patient.nameFamily}? Their consents for this study are removed.`}
                      onClick={() => void unenroll({ studyId, patientId: row.patient.id })}
                    />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorNote error={removed.error} />
      {editable && (
        <EnrollForm
          studyId={studyId}
          organizationId={props.organizationId}
          enrolled={new Set(consents.map((c) => c.patient.id))}
        />
      )}
    </Section>
  );
}
