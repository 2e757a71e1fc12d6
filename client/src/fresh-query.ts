import { type AnyVariables, type UseQueryArgs, useQuery } from 'urql';

/**
 * `useQuery` whose data always answers the current variables. urql keeps the previous result while the next
 * page or filter loads; shown under the new filter, those rows and charts would be mislabelled.
 */
export function useFreshQuery<Data, Variables extends AnyVariables>(args: UseQueryArgs<Variables, Data>) {
  const [result, reexecute] = useQuery<Data, Variables>(args);
  const stale = JSON.stringify(result.operation?.variables) !== JSON.stringify(args.variables);
  return [stale ? { ...result, data: undefined, fetching: true } : result, reexecute] as const;
}
