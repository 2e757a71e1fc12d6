import { useRef, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { copyText } from '../clipboard.ts';
import { graphql, type ResultOf } from '../graphql.ts';
import { Empty, ErrorNote, Field, Loading, Section } from './ui.tsx';

const InvitationFields = graphql(`
  fragment InvitationFields on PatientInvitation {
    id
    status
    clientId
    clientName
    createdAt
    expiresAt
    redeemedAt
    redeemedByClient
    cancelledAt
    supersededAt
    createdBy {
      id
      email
    }
  }
`);

const Invitations = graphql(
  `
    query PatientInvitations($patientId: ID!) {
      patientInvitations(patientId: $patientId) {
        ...InvitationFields
      }
    }
  `,
  [InvitationFields],
);

const PatientClients = graphql(`
  query PatientClients($patientId: ID!) {
    patientClients(patientId: $patientId) {
      id
      name
    }
  }
`);

const CreateInvitation = graphql(
  `
    mutation CreatePatientInvitation($patientId: ID!, $clientId: ID) {
      createPatientInvitation(patientId: $patientId, clientId: $clientId) {
        ...InvitationFields
        link
      }
    }
  `,
  [InvitationFields],
);

const CancelInvitation = graphql(
  `
    mutation CancelPatientInvitation($id: ID!) {
      cancelPatientInvitation(id: $id) {
        ...InvitationFields
      }
    }
  `,
  [InvitationFields],
);

type Record = ResultOf<typeof InvitationFields>;

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

function outcome(r: Record): string {
  if (r.status === 'REDEEMED') return `redeemed ${when(r.redeemedAt)} by ${r.redeemedByClient ?? 'the app'}`;
  if (r.status === 'CANCELLED') return `cancelled ${when(r.cancelledAt)}`;
  if (r.status === 'SUPERSEDED') return `superseded ${when(r.supersededAt)}`;
  if (r.status === 'EXPIRED') return `expired ${when(r.expiresAt)}`;
  return `pending, expires ${when(r.expiresAt)}`;
}

/** The app the invitation is for: one of the clients of the patient's studies, or the gateway's patient app. */
function ClientChoice(props: { patientId: string; value: string; onChange: (clientId: string) => void }) {
  const [clients] = useQuery({ query: PatientClients, variables: { patientId: props.patientId } });
  return (
    <>
      <Field label="App">
        {(id) => (
          <select id={id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
            <option value="">Patient app (default)</option>
            {clients.data?.patientClients.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <ErrorNote error={clients.error} />
    </>
  );
}

/**
 * Mints a single-use sign-in link for the chosen app, to copy into a message to the patient (shown once: the
 * server keeps only its hash), and lists the patient's invitations with what became of them.
 */
export function Invitation({ patientId }: { patientId: string }) {
  const [list] = useQuery({ query: Invitations, variables: { patientId } });
  const [created, create] = useMutation(CreateInvitation);
  const [cancelled, cancel] = useMutation(CancelInvitation);
  const [copied, setCopied] = useState(false);
  const [clientId, setClientId] = useState('');
  const field = useRef<HTMLInputElement>(null);
  const link = created.data?.createPatientInvitation.link;
  const records = list.data?.patientInvitations ?? [];
  return (
    <Section title="Invitation to the patient app">
      <div className="inline-form">
        <ClientChoice patientId={patientId} value={clientId} onChange={setClientId} />
        <button
          type="button"
          disabled={created.fetching}
          onClick={() => void create({ patientId, clientId: clientId || null }).then(() => setCopied(false))}
        >
          {link ? 'Generate a new invitation link' : 'Generate invitation link'}
        </button>
      </div>
      {link && (
        <div className="invitation">
          <label>
            Invitation link (single use, shown only now; a new link replaces the pending ones)
            <input ref={field} readOnly value={link} data-testid="invitation-link" onFocus={(e) => e.target.select()} />
          </label>
          <button type="button" onClick={() => void copyText(link, field.current).then(setCopied)}>
            {copied ? 'Copied' : 'Copy link'}
          </button>
        </div>
      )}
      <ErrorNote error={created.error ?? cancelled.error ?? list.error} />
      {list.fetching && !list.data ? (
        <Loading what="Loading invitations" />
      ) : records.length === 0 ? (
        <Empty>No invitations yet.</Empty>
      ) : (
        <table aria-label="Invitations">
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">By</th>
              <th scope="col">App</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <tr key={r.id}>
                <td>{when(r.createdAt)}</td>
                <td>{r.createdBy?.email ?? '—'}</td>
                <td>{r.clientName ?? r.clientId}</td>
                <td>{outcome(r)}</td>
                <td>
                  {r.status === 'PENDING' && (
                    <button type="button" className="link" onClick={() => void cancel({ id: r.id })}>
                      Cancel invitation
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
