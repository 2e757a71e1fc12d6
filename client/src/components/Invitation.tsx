import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql, type ResultOf } from '../graphql.ts';
import { Empty, ErrorNote, Loading, Section } from './ui.tsx';

const InvitationFields = graphql(`
  fragment InvitationFields on PatientInvitation {
    id
    status
    clientId
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

const CreateInvitation = graphql(
  `
    mutation CreatePatientInvitation($patientId: ID!) {
      createPatientInvitation(patientId: $patientId) {
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

/** The Clipboard API needs a secure context (https or localhost); elsewhere the selected field is copied. */
async function copy(text: string): Promise<boolean> {
  if (navigator.clipboard)
    return navigator.clipboard.writeText(text).then(
      () => true,
      () => false,
    );
  const field = document.querySelector<HTMLInputElement>('[data-testid="invitation-link"]');
  field?.select();
  return document.execCommand('copy');
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

function outcome(r: Record): string {
  if (r.status === 'REDEEMED') return `redeemed ${when(r.redeemedAt)} by ${r.redeemedByClient ?? 'the app'}`;
  if (r.status === 'CANCELLED') return `cancelled ${when(r.cancelledAt)}`;
  if (r.status === 'SUPERSEDED') return `superseded ${when(r.supersededAt)}`;
  if (r.status === 'EXPIRED') return `expired ${when(r.expiresAt)}`;
  return `pending, expires ${when(r.expiresAt)}`;
}

/**
 * Mints a single-use sign-in link for the patient's app, to copy into a message to the patient (shown once: the
 * server keeps only its hash), and lists the patient's invitations with what became of them.
 */
export function Invitation({ patientId }: { patientId: string }) {
  const [list] = useQuery({ query: Invitations, variables: { patientId } });
  const [created, create] = useMutation(CreateInvitation);
  const [cancelled, cancel] = useMutation(CancelInvitation);
  const [copied, setCopied] = useState(false);
  const link = created.data?.createPatientInvitation.link;
  const records = list.data?.patientInvitations ?? [];
  return (
    <Section title="Invitation to the patient app">
      <button
        type="button"
        disabled={created.fetching}
        onClick={() => void create({ patientId }).then(() => setCopied(false))}
      >
        {link ? 'Generate a new invitation link' : 'Generate invitation link'}
      </button>
      {link && (
        <div className="invitation">
          <label>
            Invitation link (single use, shown only now; a new link replaces the pending ones)
            <input readOnly value={link} data-testid="invitation-link" onFocus={(e) => e.target.select()} />
          </label>
          <button type="button" onClick={() => void copy(link).then(setCopied)}>
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
                <td>{r.clientId}</td>
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
