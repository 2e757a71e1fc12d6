import type { ApolloServerPlugin } from '@apollo/server';
import { type ASTNode, BREAK, type DocumentNode, GraphQLError, Kind, visit } from 'graphql';
import {
  describeValueIssue,
  dottedPath,
  findValueIssue,
  MAX_INPUT_STRING,
  type ValueLimits,
} from '../src/input-limits.js';

/** Every string a GraphQL operation takes: no NUL, at most MAX_INPUT_STRING characters; variables 32 levels deep. */
export const INPUT_LIMITS: ValueLimits = { maxDepth: 32, maxString: MAX_INPUT_STRING };

const badInput = (field: string, problem: string) =>
  new GraphQLError(`${field}: ${problem}`, { extensions: { code: 'BAD_USER_INPUT', field, http: { status: 400 } } });

/** The first variable value (named by its path, "observations.0.identifier.0.value") that breaks INPUT_LIMITS. */
export function variablesError(variables: Record<string, unknown> | undefined): GraphQLError | undefined {
  const issue = findValueIssue(variables ?? {}, INPUT_LIMITS);
  return issue && badInput(dottedPath(issue.path), describeValueIssue(issue));
}

/** The argument and input fields a literal sits in: createStudy(input: { name: "…" }) is "input.name". */
function literalPath(ancestors: readonly (ASTNode | readonly ASTNode[])[]): string {
  const names: string[] = [];
  for (const node of ancestors) {
    if ('kind' in node && (node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD)) names.push(node.name.value);
  }
  return names.join('.') || 'query';
}

/** The first string literal of the document (graphql's `visit` walks without recursion) that breaks INPUT_LIMITS. */
export function literalsError(document: DocumentNode): GraphQLError | undefined {
  let error: GraphQLError | undefined;
  visit(document, {
    StringValue(node, _key, parent, _path, ancestors) {
      const issue = findValueIssue(node.value, INPUT_LIMITS);
      if (!issue) return undefined;
      // `ancestors` leaves out the direct parent: the argument or input field the literal is the value of
      error = badInput(literalPath(parent ? [...ancestors, parent] : ancestors), describeValueIssue(issue));
      return BREAK;
    },
  });
  return error;
}

/** Refuses an operation whose inputs break INPUT_LIMITS before it runs: BAD_USER_INPUT naming the field, HTTP 400. */
export const inputStringsPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ request, document }) {
        const error = variablesError(request.variables) ?? literalsError(document);
        if (error) throw error;
      },
    };
  },
};
