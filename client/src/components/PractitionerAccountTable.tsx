import { useMutation } from 'urql';
import { graphql } from '../graphql.ts';
import { type PractitionerAccount, PractitionerAccountFields } from './PractitionerAccountForm.tsx';
import { DangerButton, Empty, ErrorNote } from './ui.tsx';

const DisablePractitioner = graphql(
  `
    mutation DisablePractitioner($id: ID!) {
      disablePractitioner(id: $id) {
        ...PractitionerAccountFields
      }
    }
  `,
  [PractitionerAccountFields],
);

const EnablePractitioner = graphql(
  `
    mutation EnablePractitioner($id: ID!) {
      enablePractitioner(id: $id) {
        ...PractitionerAccountFields
      }
    }
  `,
  [PractitionerAccountFields],
);

const SetSuperuser = graphql(
  `
    mutation SetPractitionerSuperuser($id: ID!, $isSuperuser: Boolean!) {
      setPractitionerSuperuser(id: $id, isSuperuser: $isSuperuser) {
        ...PractitionerAccountFields
      }
    }
  `,
  [PractitionerAccountFields],
);

const DeletePractitioner = graphql(`
  mutation DeletePractitioner($id: ID!) {
    deletePractitioner(id: $id)
  }
`);

function status(user: PractitionerAccount['user']) {
  if (user.disabled) return 'Disabled';
  return user.emailVerified ? 'Active' : 'Invited (email not confirmed)';
}

/** The accounts with their state, and edit, disable/enable and delete (never for the viewer's own row). */
export function PractitionerAccountTable(props: {
  accounts: readonly PractitionerAccount[];
  selfUserId: string;
  onEdit: (id: string) => void;
}) {
  const [disabled, disable] = useMutation(DisablePractitioner);
  const [enabled, enable] = useMutation(EnablePractitioner);
  const [deleted, del] = useMutation(DeletePractitioner);
  const [promoted, promote] = useMutation(SetSuperuser);
  if (props.accounts.length === 0) return <Empty>No practitioners match.</Empty>;
  return (
    <>
      <table aria-label="Practitioners">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.accounts.map((p) => {
            const name = `${p.user.firstName} ${p.user.lastName}`.trim() || p.user.email;
            const self = p.user.id === props.selfUserId;
            return (
              <tr key={p.id}>
                <td>{name}</td>
                <td>{p.user.email}</td>
                <td>{p.user.isSuperuser ? 'Super user' : 'Practitioner'}</td>
                <td>{status(p.user)}</td>
                <td>
                  <div className="actions">
                    <button type="button" aria-label={`Edit ${name}`} onClick={() => props.onEdit(p.id)}>
                      Edit
                    </button>
                    {!self &&
                      (p.user.disabled ? (
                        <button type="button" aria-label={`Enable ${name}`} onClick={() => void enable({ id: p.id })}>
                          Enable
                        </button>
                      ) : (
                        <DangerButton
                          label="Disable"
                          confirm={`Disable ${name}? They are signed out everywhere and can no longer sign in.`}
                          onClick={() => void disable({ id: p.id })}
                        />
                      ))}
                    {!self && (
                      <DangerButton
                        label={p.user.isSuperuser ? 'Remove super user' : 'Make super user'}
                        confirm={
                          p.user.isSuperuser
                            ? `Make ${name} an ordinary practitioner again?`
                            : `Make ${name} a super user? They may then do everything, everywhere.`
                        }
                        onClick={() => void promote({ id: p.id, isSuperuser: !p.user.isSuperuser })}
                      />
                    )}
                    {!self && (
                      <DangerButton
                        label="Delete"
                        confirm={`Delete the account of ${name}? This cannot be undone.`}
                        onClick={() => void del({ id: p.id })}
                      />
                    )}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <ErrorNote error={disabled.error ?? enabled.error ?? deleted.error ?? promoted.error} />
    </>
  );
}
