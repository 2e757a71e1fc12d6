import { useMutation, useQuery } from 'urql';
import { graphql } from '../graphql.ts';
import { PickList } from './PickList.tsx';
import { ErrorNote, Section } from './ui.tsx';

const AllClients = graphql(`
  query StudyClientChoices {
    clients {
      id
      name
      clientId
    }
  }
`);
const AddClient = graphql(`
  mutation AddStudyClient($studyId: ID!, $clientId: ID!) {
    addStudyClient(studyId: $studyId, clientId: $clientId) {
      id
      clients {
        id
        name
        clientId
      }
    }
  }
`);
const RemoveClient = graphql(`
  mutation RemoveStudyClient($studyId: ID!, $clientId: ID!) {
    removeStudyClient(studyId: $studyId, clientId: $clientId) {
      id
      clients {
        id
        name
        clientId
      }
    }
  }
`);

interface StudyClient {
  id: string;
  name: string;
  clientId: string;
}

/** The apps the study's patients may be invited to; its editors add them from every client and remove them. */
export function StudyClients(props: { studyId: string; editable: boolean; clients: readonly StudyClient[] }) {
  const { studyId, editable } = props;
  // only practitioners read the list of every client: asked for only by those who may add one
  const [choices] = useQuery({ query: AllClients, pause: !editable });
  const [added, add] = useMutation(AddClient);
  const [removed, remove] = useMutation(RemoveClient);
  return (
    <Section title="Clients">
      <p className="muted">The apps the study’s patients may be invited to.</p>
      <PickList
        items={props.clients}
        options={choices.data?.clients ?? []}
        label={(c) => c.name}
        removeLabel={(c) => `Remove the client ${c.name}`}
        noun="client"
        editable={editable}
        onAdd={(clientId) => void add({ studyId, clientId })}
        onRemove={(clientId) => void remove({ studyId, clientId })}
      />
      <ErrorNote error={choices.error ?? added.error ?? removed.error} />
    </Section>
  );
}
