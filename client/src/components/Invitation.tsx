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
    emailedAt
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
    mutation CreatePatientInvitation($patientId: ID!, $clientId: ID, $send: Boolean) {
      createPatientInvitation(patientId: $patientId, clientId: $clientId, send: $send) {
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

const emailed = (r: Record) => (r.emailedAt ? `; emailed to the patient ${when(r.emailedAt)}` : '');

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
 * server keeps only its hash) or that the server emails to the patient (where the server is set to email only, it
 * never shows the link), and lists the patient's invitations with what became of them.
 */
export function Invitation({ patientId }: { patientId: string }) {
  const [list] = useQuery({ query: Invitations, variables: { patientId } });
  const [created, create] = useMutation(CreateInvitation);
  const [cancelled, cancel] = useMutation(CancelInvitation);
  const [copied, setCopied] = useState(false);
  const [clientId, setClientId] = useState('');
  const field = useRef<HTMLInputElement>(null);
  const minted = created.data?.createPatientInvitation;
  const link = minted?.link;
  const mint = (send: boolean) =>
    void create({ patientId, clientId: clientId || null, send }).then(() => setCopied(false));
  const records = list.data?.patientInvitations ?? [];
  return (
    <Section title="Invitation to the patient app">
      <div className="inline-form">
        <ClientChoice patientId={patientId} value={clientId} onChange={setClientId} />
        <button type="button" disabled={created.fetching} onClick={() => mint(false)}>
          {link ? 'Generate a new invitation link' : 'Generate invitation link'}
        </button>
        <button type="button" disabled={created.fetching} onClick={() => mint(true)}>
          Email the invitation to the patient
        </button>
      </div>
      {minted?.emailedAt && (
        <p role="status">
          The invitation was emailed to the patient{link ? '' : ' (this server does not show invitation links)'}.
        </p>
      )}
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
                <td>
                  {outcome(r)}
                  {emailed(r)}
                </td>
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
