import { type FormEvent, type ReactNode, useState } from 'react';
import { useMutation } from 'urql';
import { graphql, type ResultOf } from '../graphql.ts';
import { ErrorNote, Field } from './ui.tsx';

export const ClientFields = graphql(`
  fragment ClientFields on Client {
    id
    name
    clientId
    invitationUrl
    redirectUris
    confidential
    dataSources {
      id
      name
    }
  }
`);
export type ClientRecord = ResultOf<typeof ClientFields>;

const CreateClient = graphql(
  `
    mutation CreateClient($input: CreateClientInput!) {
      createClient(input: $input) {
        client {
          ...ClientFields
        }
        clientSecret
      }
    }
  `,
  [ClientFields],
);

const UpdateClient = graphql(
  `
    mutation UpdateClient($id: ID!, $input: UpdateClientInput!) {
      updateClient(id: $id, input: $input) {
        ...ClientFields
      }
    }
  `,
  [ClientFields],
);

interface Named {
  id: string;
  name: string;
}

/** What the form edits: the redirect URIs one a line, the invitation URL empty for none. */
interface ClientValues {
  name: string;
  redirectUris: string;
  invitationUrl: string;
  dataSourceIds: string[];
}

const EMPTY: ClientValues = { name: '', redirectUris: '', invitationUrl: '', dataSourceIds: [] };

/** The input both mutations share; the server checks the URLs and answers with the field at fault. */
const clientInput = (v: ClientValues) => ({
  name: v.name.trim(),
  redirectUris: v.redirectUris
    .split('\n')
    .map((uri) => uri.trim())
    .filter(Boolean),
  invitationUrl: v.invitationUrl.trim() || null,
  dataSourceIds: v.dataSourceIds,
});

function DataSourceChecks(props: { options: readonly Named[]; chosen: string[]; onChange: (ids: string[]) => void }) {
  return (
    <fieldset className="checks">
      <legend>Data sources (the only ones its tokens may upload from)</legend>
      {props.options.map((d) => (
        <label key={d.id}>
          <input
            type="checkbox"
            checked={props.chosen.includes(d.id)}
            onChange={(e) =>
              props.onChange(e.target.checked ? [...props.chosen, d.id] : props.chosen.filter((id) => id !== d.id))
            }
          />
          {d.name}
        </label>
      ))}
    </fieldset>
  );
}

function SharedFields(props: {
  values: ClientValues;
  onChange: (v: ClientValues) => void;
  dataSources: readonly Named[];
  /** what the form shows after the name (the OAuth registration's own fields) */
  children?: ReactNode;
  /** focus the name (and so scroll the form into view) when the form opens */
  autoFocus?: boolean;
}) {
  const { values, onChange } = props;
  return (
    <>
      <Field label="Name">
        {(id) => (
          <input
            id={id}
            value={values.name}
            required
            maxLength={100}
            autoFocus={props.autoFocus}
            onChange={(e) => onChange({ ...values, name: e.target.value })}
          />
        )}
      </Field>
      {props.children}
      <Field label="Redirect URIs (one a line)">
        {(id) => (
          <textarea
            id={id}
            value={values.redirectUris}
            required
            onChange={(e) => onChange({ ...values, redirectUris: e.target.value })}
          />
        )}
      </Field>
      <Field label="Invitation URL (CODE stands for the code; empty: the gateway’s own link)">
        {(id) => (
          <input
            id={id}
            value={values.invitationUrl}
            placeholder="https://example.org/?invitation=CODE"
            onChange={(e) => onChange({ ...values, invitationUrl: e.target.value })}
          />
        )}
      </Field>
      <DataSourceChecks
        options={props.dataSources}
        chosen={values.dataSourceIds}
        onChange={(dataSourceIds) => onChange({ ...values, dataSourceIds })}
      />
    </>
  );
}

/** Registers a new app; a confidential one's secret goes to `onCreated`, the only time it is known. */
export function CreateClientForm(props: {
  dataSources: readonly Named[];
  onCreated: (client: ClientRecord, secret: string | null) => void;
}) {
  const [values, setValues] = useState<ClientValues>(EMPTY);
  const [oauth, setOauth] = useState({ clientId: '', confidential: false });
  const [result, create] = useMutation(CreateClient);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const { data } = await create({ input: { ...clientInput(values), ...oauth, clientId: oauth.clientId.trim() } });
    if (data) {
      setValues(EMPTY);
      setOauth({ clientId: '', confidential: false });
      props.onCreated(data.createClient.client, data.createClient.clientSecret);
    }
  };
  return (
    <form onSubmit={submit} className="stacked-form" aria-label="New client">
      <SharedFields values={values} onChange={setValues} dataSources={props.dataSources}>
        <Field label="OAuth client id">
          {(id) => (
            <input
              id={id}
              value={oauth.clientId}
              required
              placeholder="e.g. commonhealth"
              onChange={(e) => setOauth({ ...oauth, clientId: e.target.value })}
            />
          )}
        </Field>
        <label>
          <input
            type="checkbox"
            checked={oauth.confidential}
            onChange={(e) => setOauth({ ...oauth, confidential: e.target.checked })}
          />{' '}
          Confidential (the app’s server authenticates with a client secret)
        </label>
      </SharedFields>
      <button type="submit" disabled={result.fetching || !values.name.trim() || !oauth.clientId.trim()}>
        Create client
      </button>
      <ErrorNote error={result.error} />
    </form>
  );
}

/** Changes an app; its OAuth client id and kind stay as registered. */
export function EditClientForm(props: { client: ClientRecord; dataSources: readonly Named[]; onDone: () => void }) {
  const { client } = props;
  const [values, setValues] = useState<ClientValues>({
    name: client.name,
    redirectUris: client.redirectUris.join('\n'),
    invitationUrl: client.invitationUrl ?? '',
    dataSourceIds: client.dataSources.map((d) => d.id),
  });
  const [result, update] = useMutation(UpdateClient);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!(await update({ id: client.id, input: clientInput(values) })).error) props.onDone();
  };
  return (
    <form onSubmit={submit} className="stacked-form" aria-label={`Edit client ${client.name}`}>
      <p className="muted">
        OAuth client id <code>{client.clientId}</code>, {client.confidential ? 'confidential' : 'public'} (fixed at
        registration)
      </p>
      <SharedFields values={values} onChange={setValues} dataSources={props.dataSources} autoFocus />
      <div className="row">
        <button type="submit" disabled={result.fetching || !values.name.trim()}>
          Save client
        </button>
        <button type="button" onClick={props.onDone}>
          Cancel
        </button>
      </div>
      <ErrorNote error={result.error} />
    </form>
  );
}
