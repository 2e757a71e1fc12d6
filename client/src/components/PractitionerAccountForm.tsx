import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { graphql, type ResultOf } from '../graphql.ts';
import { ErrorNote, Field } from './ui.tsx';

export const PractitionerAccountFields = graphql(`
  fragment PractitionerAccountFields on Practitioner {
    id
    user {
      id
      email
      firstName
      lastName
      isSuperuser
      disabled
      emailVerified
    }
  }
`);
export type PractitionerAccount = ResultOf<typeof PractitionerAccountFields>;

const CreatePractitioner = graphql(
  `
    mutation CreatePractitioner($input: CreatePractitionerInput!) {
      createPractitioner(input: $input) {
        ...PractitionerAccountFields
      }
    }
  `,
  [PractitionerAccountFields],
);

const UpdatePractitioner = graphql(
  `
    mutation UpdatePractitioner($id: ID!, $input: UpdatePractitionerInput!) {
      updatePractitioner(id: $id, input: $input) {
        ...PractitionerAccountFields
      }
    }
  `,
  [PractitionerAccountFields],
);

interface Values {
  email: string;
  firstName: string;
  lastName: string;
}

function Fields({ v, set }: { v: Values; set: (key: keyof Values) => (e: { target: { value: string } }) => void }) {
  return (
    <>
      <Field label="First name">
        {(id) => <input id={id} required value={v.firstName} onChange={set('firstName')} />}
      </Field>
      <Field label="Last name">
        {(id) => <input id={id} required value={v.lastName} onChange={set('lastName')} />}
      </Field>
      <Field label="Email">
        {(id) => <input id={id} type="email" required value={v.email} onChange={set('email')} />}
      </Field>
    </>
  );
}

function useValues(initial: Values) {
  const [v, setV] = useState(initial);
  const set = (key: keyof Values) => (e: { target: { value: string } }) => setV({ ...v, [key]: e.target.value });
  return { v, setV, set };
}

/** A new account: the server mails the practitioner a link to choose their password (nobody else sets it). */
export function CreatePractitionerForm({ onCreated }: { onCreated: (email: string) => void }) {
  const empty = { email: '', firstName: '', lastName: '' };
  const { v, setV, set } = useValues(empty);
  const [created, create] = useMutation(CreatePractitioner);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const input = { email: v.email.trim(), firstName: v.firstName.trim(), lastName: v.lastName.trim() };
    const r = await create({ input });
    if (r.data) {
      onCreated(r.data.createPractitioner.user.email);
      setV(empty);
    }
  };
  return (
    <form className="inline-form" aria-label="New practitioner" onSubmit={(e) => void submit(e)}>
      <Fields v={v} set={set} />
      <button type="submit" className="primary" disabled={created.fetching}>
        Create and send invitation
      </button>
      <ErrorNote error={created.error} />
    </form>
  );
}

/** Name and email; a changed email must be confirmed through the link mailed to it. */
export function EditPractitionerForm({ account, onDone }: { account: PractitionerAccount; onDone: () => void }) {
  const { v, set } = useValues({
    email: account.user.email,
    firstName: account.user.firstName,
    lastName: account.user.lastName,
  });
  const [updated, update] = useMutation(UpdatePractitioner);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const input = { email: v.email.trim(), firstName: v.firstName.trim(), lastName: v.lastName.trim() };
    const r = await update({ id: account.id, input });
    if (r.data) onDone();
  };
  return (
    <form className="inline-form" aria-label="Edit practitioner" onSubmit={(e) => void submit(e)}>
      <Fields v={v} set={set} />
      <button type="submit" className="primary" disabled={updated.fetching}>
        Save
      </button>
      <button type="button" onClick={onDone}>
        Cancel
      </button>
      <ErrorNote error={updated.error} />
    </form>
  );
}
