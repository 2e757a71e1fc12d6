import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../graphql.ts';
import { ErrorNote, Section } from './ui.tsx';

const CreateInvitation = graphql(`
  mutation CreatePatientInvitation($patientId: ID!) {
    createPatientInvitation(patientId: $patientId) {
      link
      expiresAt
    }
  }
`);

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

/** Mints a single-use sign-in link for the patient's app, to copy into a message to the patient. */
export function Invitation({ patientId }: { patientId: string }) {
  const [result, create] = useMutation(CreateInvitation);
  const [copied, setCopied] = useState(false);
  const invitation = result.data?.createPatientInvitation;
  return (
    <Section title="Invitation to the patient app">
      <button
        type="button"
        disabled={result.fetching}
        onClick={() => void create({ patientId }).then(() => setCopied(false))}
      >
        {invitation ? 'Generate a new invitation link' : 'Generate invitation link'}
      </button>
      {invitation && (
        <div className="invitation">
          <label>
            Invitation link (single use, expires {new Date(invitation.expiresAt).toLocaleString()})
            <input readOnly value={invitation.link} data-testid="invitation-link" onFocus={(e) => e.target.select()} />
          </label>
          <button type="button" onClick={() => void copy(invitation.link).then(setCopied)}>
            {copied ? 'Copied' : 'Copy link'}
          </button>
        </div>
      )}
      <ErrorNote error={result.error} />
    </Section>
  );
}
