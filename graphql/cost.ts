import type { ComplexityEstimator } from 'graphql-query-complexity';

/** A page of `first` (default 100) rows costs that many times what each row asks for. */
export const pageCost: ComplexityEstimator = ({ args, childComplexity }) =>
  childComplexity * (typeof args.first === 'number' ? Math.max(args.first, 1) : 100);
