import { useMutation } from 'urql';
import { graphql } from '../graphql.ts';
import type { ClientRecord } from './ClientForm.tsx';
import { DangerButton, Empty, ErrorNote } from './ui.tsx';

const DeleteClient = graphql(`
  mutation DeleteClient($id: ID!) {
    deleteClient(id: $id)
  }
`);

/** Every app patients use, with edit and delete for those who manage them. */
export function ClientTable(props: {
  clients: readonly ClientRecord[];
  editable: boolean;
  onEdit: (id: string) => void;
}) {
  const [deleted, del] = useMutation(DeleteClient);
  if (props.clients.length === 0) return <Empty>No clients yet.</Empty>;
  return (
    <>
      <table aria-label="Clients">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">OAuth client id</th>
            <th scope="col">Invitation URL</th>
            <th scope="col">Redirect URIs</th>
            <th scope="col">Kind</th>
            <th scope="col">Data sources</th>
            {props.editable && (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {props.clients.map((c) => (
            <tr key={c.id}>
              <td>{c.name}</td>
              <td>
                <code>{c.clientId}</code>
              </td>
              <td className="url">{c.invitationUrl ?? <span className="muted">the gateway’s own link</span>}</td>
              <td className="url">
                <ul className="list">
                  {c.redirectUris.map((uri) => (
                    <li key={uri}>{uri}</li>
                  ))}
                </ul>
              </td>
              <td>{c.confidential ? 'Confidential' : 'Public'}</td>
              <td>{c.dataSources.map((d) => d.name).join(', ') || <span className="muted">none</span>}</td>
              {props.editable && (
                <td>
                  <div className="actions">
                    <button type="button" aria-label={`Edit ${c.name}`} onClick={() => props.onEdit(c.id)}>
                      Edit
                    </button>
                    <DangerButton
                      label="Delete"
                      confirm={`Delete the client ${c.name}? Its tokens stop working and studies no longer hold it.`}
                      onClick={() => void del({ id: c.id })}
                    />
                  </div>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorNote error={deleted.error} />
    </>
  );
}
