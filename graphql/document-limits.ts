import type { RequestHandler } from 'express';
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  Kind,
  Lexer,
  parse,
  type SelectionSetNode,
  Source,
  TokenKind,
} from 'graphql';

export interface DocumentLimits {
  /** GRAPHQL_MAX_TOKENS: the document's size, as graphql-js `parse` counts it (comments are free) */
  maxTokens: number;
  /** GRAPHQL_MAX_FIELDS: field selections of an operation (or fragment) with its fragments expanded */
  maxFields: number;
  /** GRAPHQL_MAX_ALIASES: aliased fields of an operation (or fragment) with its fragments expanded */
  maxAliases: number;
}

export interface DocumentSize {
  fields: number;
  aliases: number;
  /** a fragment that spreads itself, directly or through others */
  cycle?: string;
  /** a spread of a fragment the document does not define */
  unknownFragment?: string;
}

const NOTHING: DocumentSize = { fields: 0, aliases: 0 };
/** counts stop growing here (a fragment bomb's can exceed what a double holds exactly) */
const add = (a: number, b: number) => Math.min(a + b, Number.MAX_SAFE_INTEGER);

/**
 * The largest operation or fragment of a document, with its fragments expanded, in one pass: each fragment is
 * measured once and its size reused wherever it is spread, so a fragment that spreads the next ten times, ten
 * deep (10¹⁰ fields), costs as little to measure as it is long to write.
 */
export function measureDocument(document: DocumentNode): DocumentSize {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const measured = new Map<string, DocumentSize>();
  const entered = new Set<string>();
  let cycle: string | undefined;
  let unknownFragment: string | undefined;

  const fragmentSize = (name: string): DocumentSize => {
    const known = measured.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    if (entered.has(name)) cycle ??= name;
    if (!fragment) unknownFragment ??= name;
    if (!fragment || entered.has(name)) return NOTHING; // unknown fragments are graphql's validation's to refuse
    entered.add(name);
    const size = selectionSize(fragment.selectionSet);
    entered.delete(name);
    measured.set(name, size);
    return size;
  };
  const selectionSize = (selectionSet: SelectionSetNode | undefined): DocumentSize => {
    let fields = 0;
    let aliases = 0;
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const spread = fragmentSize(selection.name.value);
        fields = add(fields, spread.fields);
        aliases = add(aliases, spread.aliases);
        continue;
      }
      const inner = selectionSize(selection.selectionSet);
      fields = add(fields, inner.fields);
      aliases = add(aliases, inner.aliases);
      if (selection.kind === Kind.FIELD) {
        fields = add(fields, 1);
        if (selection.alias) aliases = add(aliases, 1);
      }
    }
    return { fields, aliases };
  };

  let fields = 0;
  let aliases = 0;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION && definition.kind !== Kind.FRAGMENT_DEFINITION) continue;
    const size =
      definition.kind === Kind.FRAGMENT_DEFINITION
        ? fragmentSize(definition.name.value)
        : selectionSize(definition.selectionSet);
    fields = Math.max(fields, size.fields);
    aliases = Math.max(aliases, size.aliases);
  }
  return {
    fields,
    aliases,
    ...(cycle === undefined ? {} : { cycle }),
    ...(unknownFragment === undefined ? {} : { unknownFragment }),
  };
}

/**
 * graphql-js parses nested selections and values recursively, and overflows the stack somewhere past 1500
 * levels (depending on the stack already in use): such documents are refused before they are parsed.
 */
const MAX_NESTING = 200;

/**
 * One pass of graphql's lexer, stopping after `maxTokens` + 1 tokens: whether there are more than `maxTokens`
 * (as `parse` counts them; comments are not tokens) and how deep braces and brackets nest.
 */
export function scanTokens(source: string, maxTokens: number): { tooMany: boolean; nesting: number } {
  const lexer = new Lexer(new Source(source));
  let depth = 0;
  let nesting = 0;
  try {
    for (let tokens = 0; tokens <= maxTokens; tokens++) {
      const { kind } = lexer.advance();
      if (kind === TokenKind.EOF) return { tooMany: false, nesting };
      if (kind === TokenKind.BRACE_L || kind === TokenKind.BRACKET_L) nesting = Math.max(nesting, ++depth);
      if (kind === TokenKind.BRACE_R || kind === TokenKind.BRACKET_R) depth--;
    }
  } catch {
    return { tooMany: false, nesting }; // a syntax error: Apollo's parse reports it
  }
  return { tooMany: true, nesting };
}

export interface Refusal {
  code: 'QUERY_TOO_COMPLEX' | 'GRAPHQL_VALIDATION_FAILED';
  message: string;
}

/**
 * Why a query must not reach validation and execution, or undefined. Syntax errors are left to Apollo, which
 * reports them as usual.
 */
export function refuseDocument(source: string, limits: DocumentLimits): Refusal | undefined {
  const tokens = scanTokens(source, limits.maxTokens);
  if (tokens.tooMany) {
    return {
      code: 'QUERY_TOO_COMPLEX',
      message: `Query is too large: more than ${limits.maxTokens} tokens (GRAPHQL_MAX_TOKENS); pass values as variables or split the query`,
    };
  }
  if (tokens.nesting > MAX_NESTING) {
    return { code: 'QUERY_TOO_COMPLEX', message: `Query is nested more than ${MAX_NESTING} levels deep` };
  }
  let document: DocumentNode;
  try {
    document = parse(source);
  } catch (error) {
    if (error instanceof RangeError) return { code: 'QUERY_TOO_COMPLEX', message: 'Query is nested too deeply' };
    return undefined; // a syntax error: Apollo's parse reports it
  }
  const size = measureDocument(document);
  if (size.cycle !== undefined) {
    return { code: 'GRAPHQL_VALIDATION_FAILED', message: `Cannot spread fragment "${size.cycle}" within itself` };
  }
  if (size.aliases > limits.maxAliases) {
    return {
      code: 'QUERY_TOO_COMPLEX',
      message: `Query has ${size.aliases} aliased fields, more than the limit of ${limits.maxAliases} (GRAPHQL_MAX_ALIASES); ask for a list (e.g. patients(…) or observations(…)) instead of one aliased field per item`,
    };
  }
  if (size.fields > limits.maxFields) {
    return {
      code: 'QUERY_TOO_COMPLEX',
      message: `Query is too large: ${size.fields} fields with its fragments expanded exceed the limit of ${limits.maxFields} (GRAPHQL_MAX_FIELDS); ask for fewer fields`,
    };
  }
  return undefined;
}

/**
 * Refuses oversized and amplifying documents before Apollo Server parses and validates them: graphql-depth-limit
 * and graphql-query-complexity expand every fragment spread afresh (exponential in a chain of fragments), and
 * an error thrown from a plugin hook or a validation rule before validation would be answered as a 500. The
 * document is parsed twice (here and by Apollo), which costs tens of microseconds for the portal's queries.
 */
export function documentLimits(limits: DocumentLimits): RequestHandler {
  return (req, res, next) => {
    const query = req.method === 'GET' ? req.query.query : (req.body as { query?: unknown } | undefined)?.query;
    // batches (refused by Apollo), persisted queries and requests without a query are Apollo's to answer
    if (typeof query !== 'string') return next();
    const refusal = refuseDocument(query, limits);
    if (!refusal) return next();
    res.status(400).json({ errors: [{ message: refusal.message, extensions: { code: refusal.code } }] });
  };
}
