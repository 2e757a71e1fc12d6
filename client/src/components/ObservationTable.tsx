import { Link } from 'react-router';
import { useFreshQuery } from '../fresh-query.ts';
import { graphql, type VariablesOf } from '../graphql.ts';
import { describeObservation } from '../omh.ts';
import { Empty, ErrorNote, Loading } from './ui.tsx';

export const ObservationsPageQuery = graphql(`
  query ObservationsPage($filter: ObservationFilter!, $first: Int, $after: String) {
    observations(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      nodes {
        id
        effectiveTime
        omh
        resource
        code {
          id
          text
        }
        subject {
          id
          nameGiven
          nameFamily
        }
        dataSource {
          id
          name
        }
      }
    }
  }
`);

export type ObservationFilter = VariablesOf<typeof ObservationsPageQuery>['filter'];

export function ObservationTable(props: {
  filter: ObservationFilter;
  first: number;
  after: string | null;
  page: number;
  onNext: (cursor: string) => void;
  onPrevious?: () => void;
}) {
  const variables = { filter: props.filter, first: props.first, after: props.after };
  const [{ data, fetching, error }] = useFreshQuery({
    query: ObservationsPageQuery,
    variables,
    requestPolicy: 'cache-and-network',
  });
  if (fetching && !data) return <Loading what="Loading observations" />;
  if (!data) return <ErrorNote error={error} />;
  const { nodes, totalCount, pageInfo } = data.observations;
  return (
    <>
      <ErrorNote error={error} />
      <p className="muted" aria-live="polite">
        {totalCount} observation{totalCount === 1 ? '' : 's'} match; page {props.page}
      </p>
      {nodes.length === 0 ? (
        <Empty>No observations match these filters (or none you may see).</Empty>
      ) : (
        <table className="observations">
          <thead>
            <tr>
              <th>Time</th>
              <th>Patient</th>
              <th>Code</th>
              <th>Value</th>
              <th>Source</th>
            </tr>
          </thead>
          <tbody>
            {nodes.map((o) => (
              <tr key={o.id}>
                <td>
                  <time dateTime={o.effectiveTime}>{new Date(o.effectiveTime).toLocaleString()}</time>
                </td>
                <td>
                  <Link to={`/patients/${o.subject.id}`}>
                    {o.subject.nameGiven} {o.subject.nameFamily}
                  </Link>
                </td>
                <td>{o.code.text}</td>
                <td>{describeObservation(o)}</td>
                <td>{o.dataSource.name}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="pager">
        <button type="button" onClick={props.onPrevious} disabled={!props.onPrevious}>
          Previous
        </button>
        <button
          type="button"
          disabled={!pageInfo.hasNextPage || !pageInfo.endCursor}
          onClick={() => pageInfo.endCursor && props.onNext(pageInfo.endCursor)}
        >
          Next
        </button>
      </div>
    </>
  );
}
