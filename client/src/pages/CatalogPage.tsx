import { useQuery } from 'urql';
import { CodeableConcepts } from '../components/CodeableConcepts.tsx';
import { DataSources } from '../components/DataSources.tsx';
import { ErrorNote, Loading } from '../components/ui.tsx';
import { graphql } from '../graphql.ts';
import { useViewer } from '../viewer.tsx';

const CatalogQuery = graphql(`
  query Catalog {
    dataSources {
      id
      name
      type
      supportedScopes {
        id
        text
      }
    }
    codeableConcepts {
      id
      text
      codingSystem
      codingCode
    }
  }
`);

/** The global catalog: everyone reads it, super users keep it. */
export function CatalogPage() {
  const { can } = useViewer();
  const [{ data, fetching, error }] = useQuery({ query: CatalogQuery });
  if (fetching && !data) return <Loading />;
  if (!data) return <ErrorNote error={error} />;
  return (
    <>
      <h1>Data sources and codes</h1>
      {!can.editDataSources && !can.editCodes && <p className="muted">Only super users change the catalog.</p>}
      <DataSources dataSources={data.dataSources} concepts={data.codeableConcepts} editable={can.editDataSources} />
      <CodeableConcepts concepts={data.codeableConcepts} editable={can.editCodes} />
    </>
  );
}
