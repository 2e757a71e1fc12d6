import { useFreshQuery } from '../fresh-query.ts';
import { graphql } from '../graphql.ts';
import type { ObservationFilter } from './ObservationTable.tsx';
import { TimeSeriesChart } from './TimeSeriesChart.tsx';
import { Empty, ErrorNote, Loading } from './ui.tsx';

const MAX_POINTS = 1000;

const SeriesQuery = graphql(`
  query ObservationSeries($filter: ObservationFilter!, $first: Int) {
    observations(filter: $filter, first: $first) {
      pageInfo {
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
      }
    }
  }
`);

/** A chart per code of one patient's observations under the filter. */
export function ObservationCharts({ filter }: { filter: ObservationFilter }) {
  const [{ data, fetching, error }] = useFreshQuery({
    query: SeriesQuery,
    variables: { filter, first: MAX_POINTS },
    requestPolicy: 'cache-and-network',
  });
  if (fetching && !data) return <Loading what="Loading series" />;
  if (!data) return <ErrorNote error={error} />;
  const { nodes, pageInfo } = data.observations;
  if (nodes.length === 0) return <Empty>Nothing to chart for these filters.</Empty>;
  const byCode = new Map<string, { title: string; points: typeof nodes }>();
  for (const o of nodes) {
    const entry = byCode.get(o.code.id) ?? { title: o.code.text, points: [] };
    byCode.set(o.code.id, { ...entry, points: [...entry.points, o] });
  }
  return (
    <>
      {pageInfo.hasNextPage && (
        <p className="muted">Showing the first {MAX_POINTS} points; narrow the dates to see the rest.</p>
      )}
      {[...byCode.entries()].map(([id, series]) => (
        <TimeSeriesChart key={id} title={series.title} points={series.points} />
      ))}
    </>
  );
}
