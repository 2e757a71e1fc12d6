import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../graphql.ts';
import { DangerButton, Empty, ErrorNote, Field, Section } from './ui.tsx';

const ROLES = ['MANAGER', 'MEMBER', 'VIEWER'] as const;
type Role = (typeof ROLES)[number];

const AddPractitioner = graphql(`
  mutation AddPractitioner($organizationId: ID!, $email: String!, $role: Role!) {
    addPractitionerToOrganization(organizationId: $organizationId, email: $email, role: $role) {
      role
    }
  }
`);
const ChangeRole = graphql(`
  mutation ChangePractitionerRole($organizationId: ID!, $practitionerId: ID!, $role: Role!) {
    changePractitionerRole(organizationId: $organizationId, practitionerId: $practitionerId, role: $role) {
      role
    }
  }
`);
const RemovePractitioner = graphql(`
  mutation RemovePractitioner($organizationId: ID!, $practitionerId: ID!) {
    removePractitionerFromOrganization(organizationId: $organizationId, practitionerId: $practitionerId)
  }
`);

interface Membership {
  role: Role;
  practitioner: { id: string; user: { id: string; email: string; firstName: string; lastName: string } };
}

export function Practitioners(props: {
  organizationId: string;
  practitioners: readonly Membership[];
  editable: boolean;
}) {
  const { organizationId, practitioners, editable } = props;
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('MEMBER');
  const [added, add] = useMutation(AddPractitioner);
  const [changed, change] = useMutation(ChangeRole);
  const [removed, remove] = useMutation(RemovePractitioner);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await add({ organizationId, email: email.trim(), role });
    if (!r.error) setEmail('');
  };
  return (
    <Section title="Practitioners">
      {practitioners.length === 0 ? (
        <Empty>No practitioners.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Email</th>
              <th>Role</th>
              {editable && <th aria-label="Actions" />}
            </tr>
          </thead>
          <tbody>
            {practitioners.map(({ practitioner: p, role: current }) => (
              <tr key={p.id}>
                <td>
                  {p.user.firstName} {p.user.lastName}
                </td>
                <td>{p.user.email}</td>
                <td>
                  {editable ? (
                    <select
                      aria-label={`Role of ${p.user.email}`}
                      value={current}
                      onChange={(e) =>
                        void change({ organizationId, practitionerId: p.id, role: e.target.value as Role })
                      }
                    >
                      {ROLES.map((r) => (
                        <option key={r}>{r}</option>
                      ))}
                    </select>
                  ) : (
                    current
                  )}
                </td>
                {editable && (
                  <td>
                    <DangerButton
                      label="Remove"
                      confirm={`Remove ${p.user.email} from this organization?`}
                      onClick={() => void remove({ organizationId, practitionerId: p.id })}
                    />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorNote error={changed.error ?? removed.error} />
      {editable && (
        <form onSubmit={submit} className="inline-form" aria-label="Add practitioner">
          <Field label="Email">
            {(id) => <input id={id} type="email" value={email} required onChange={(e) => setEmail(e.target.value)} />}
          </Field>
          <Field label="Role">
            {(id) => (
              <select id={id} value={role} onChange={(e) => setRole(e.target.value as Role)}>
                {ROLES.map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit" disabled={added.fetching}>
            Add practitioner
          </button>
          <ErrorNote error={added.error} />
        </form>
      )}
    </Section>
  );
}
