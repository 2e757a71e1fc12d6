import { useState } from 'react';
import { useQuery } from 'urql';
import { ClientFields, CreateClientForm, EditClientForm } from '../components/ClientForm.tsx';
import { ClientSecret } from '../components/ClientSecret.tsx';
import { ClientTable } from '../components/ClientTable.tsx';
import { ErrorNote, Loading, Section } from '../components/ui.tsx';
import { graphql } from '../graphql.ts';
import { useViewer } from '../viewer.tsx';

const ClientsQuery = graphql(
  `
    query Clients {
      clients {
        ...ClientFields
      }
      dataSources {
        id
        name
      }
    }
  `,
  [ClientFields],
);

/** The apps patients use (CommonHealth, CareX, …): practitioners read them, super users keep them. */
export function ClientsPage() {
  const { can } = useViewer();
  const [{ data, fetching, error }] = useQuery({ query: ClientsQuery });
  const [editing, setEditing] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ name: string; clientId: string; secret: string } | null>(null);
  if (fetching && !data) return <Loading />;
  if (!data) return <ErrorNote error={error} />;
  const editable = can.manageClients;
  const edited = data.clients.find((c) => c.id === editing);
  return (
    <>
      <h1>Clients</h1>
      <p className="muted">
        The apps patients use: studies hold them, and invitations open them.
        {!editable && ' Only super users change them.'}
      </p>
      {secret && <ClientSecret {...secret} onDone={() => setSecret(null)} />}
      <Section title="Clients">
        <ClientTable clients={data.clients} editable={editable} onEdit={setEditing} />
      </Section>
      {editable && edited && (
        <Section title={`Edit ${edited.name}`}>
          <EditClientForm
            key={edited.id}
            client={edited}
            dataSources={data.dataSources}
            onDone={() => setEditing(null)}
          />
        </Section>
      )}
      {editable && (
        <Section title="New client">
          <CreateClientForm
            dataSources={data.dataSources}
            onCreated={(client, clientSecret) =>
              setSecret(clientSecret ? { name: client.name, clientId: client.clientId, secret: clientSecret } : null)
            }
          />
        </Section>
      )}
    </>
  );
}
