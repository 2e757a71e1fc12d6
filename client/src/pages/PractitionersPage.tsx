import { type FormEvent, useState } from 'react';
import { Pager } from '../components/AuditEventTable.tsx';
import {
  CreatePractitionerForm,
  EditPractitionerForm,
  PractitionerAccountFields,
} from '../components/PractitionerAccountForm.tsx';
import { PractitionerAccountTable } from '../components/PractitionerAccountTable.tsx';
import { ErrorNote, Field, Loading, Section } from '../components/ui.tsx';
import { useFreshQuery } from '../fresh-query.ts';
import { graphql } from '../graphql.ts';
import { useViewer } from '../viewer.tsx';

const PAGE_SIZE = 25;

const AccountsQuery = graphql(
  `
    query PractitionerAccounts($name: String, $first: Int, $after: String) {
      practitionerAccounts(name: $name, first: $first, after: $after) {
        totalCount
        pageInfo {
          endCursor
          hasNextPage
        }
        nodes {
          ...PractitionerAccountFields
        }
      }
    }
  `,
  [PractitionerAccountFields],
);

function Search({ onSearch }: { onSearch: (name: string) => void }) {
  const [name, setName] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSearch(name.trim());
  };
  return (
    <form className="filters" role="search" aria-label="Search practitioners" onSubmit={submit}>
      <Field label="Name contains">
        {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <button type="submit" className="primary">
        Search
      </button>
    </form>
  );
}

/** Practitioner accounts (super users): list, search, create with a mailed invitation, edit, disable, delete. */
export function PractitionersPage() {
  const { can, me } = useViewer();
  const [name, setName] = useState('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [editing, setEditing] = useState<string | null>(null);
  const [invited, setInvited] = useState<string | null>(null);
  const [{ data, fetching, error }] = useFreshQuery({
    query: AccountsQuery,
    variables: { name: name || null, first: PAGE_SIZE, after: cursors[cursors.length - 1] ?? null },
    requestPolicy: 'cache-and-network',
    pause: !can.managePractitionerAccounts,
  });
  if (!can.managePractitionerAccounts) return <p className="error">Only super users manage practitioner accounts.</p>;
  const page = data?.practitionerAccounts;
  const edited = page?.nodes.find((p) => p.id === editing);
  return (
    <>
      <h1>Practitioners</h1>
      <p className="muted">
        Every practitioner account. A new practitioner gets an email to choose their password; a disabled one is signed
        out everywhere at once.
      </p>
      <Search
        onSearch={(next) => {
          setCursors([null]);
          setName(next);
        }}
      />
      <Section title="Accounts">
        {fetching && !data ? (
          <Loading what="Loading practitioners" />
        ) : !page ? (
          <ErrorNote error={error} />
        ) : (
          <>
            <p className="muted" aria-live="polite">
              {page.totalCount} {page.totalCount === 1 ? 'practitioner' : 'practitioners'}; page {cursors.length}
            </p>
            <PractitionerAccountTable accounts={page.nodes} selfUserId={me?.id ?? ''} onEdit={setEditing} />
            <Pager
              onPrevious={cursors.length > 1 ? () => setCursors(cursors.slice(0, -1)) : undefined}
              next={page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null}
              onNext={(cursor) => setCursors([...cursors, cursor])}
            />
          </>
        )}
      </Section>
      {edited && (
        <Section title={`Edit ${edited.user.firstName} ${edited.user.lastName}`}>
          <EditPractitionerForm key={edited.id} account={edited} onDone={() => setEditing(null)} />
        </Section>
      )}
      <Section title="New practitioner">
        {invited && (
          <p className="muted" role="status">
            Invitation sent to {invited}.
          </p>
        )}
        <CreatePractitionerForm onCreated={setInvited} />
      </Section>
    </>
  );
}
