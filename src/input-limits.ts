/**
 * What no input may hold, whatever face it comes through: NUL characters (PostgreSQL stores no `\u0000`, in
 * text or jsonb), lone UTF-16 surrogates (not Unicode: jsonb refuses them, text would store U+FFFD), strings longer than their edge allows, nesting deeper than its edge allows (recursive checks
 * such as a JSON Schema validator's would overflow the stack). The walk is iterative: input nested a million
 * levels deep is measured without recursion.
 */

/** FHIR's own bound on a string (1 MB), and any input string's: the largest attachment (256 KiB) fits in base64 */
export const MAX_INPUT_STRING = 1024 * 1024;

export interface ValueLimits {
  /** levels of objects and arrays; the value itself is level 0 */
  maxDepth: number;
  /** characters of any string (object keys included) */
  maxString: number;
}

export type ValuePath = (string | number)[];

export interface ValueIssue {
  path: ValuePath;
  problem: 'nul' | 'surrogate' | 'long' | 'deep';
  /** the limit the value exceeds, for 'long' and 'deep' */
  limit?: number;
}

interface Visit {
  value: unknown;
  depth: number;
  parent?: Visit;
  key?: string | number;
}

const pathOf = (visit: Visit): ValuePath => {
  const path: ValuePath = [];
  for (let v: Visit | undefined = visit; v?.parent; v = v.parent) path.unshift(v.key!);
  return path;
};

/** a surrogate code unit without its pair (a well-formed pair is one code point under the `u` flag) */
const LONE_SURROGATE = /\p{Cs}/u;

function stringIssue(text: string, limits: ValueLimits): ValueIssue['problem'] | undefined {
  if (text.length > limits.maxString) return 'long';
  if (text.includes('\u0000')) return 'nul';
  return LONE_SURROGATE.test(text) ? 'surrogate' : undefined;
}

/** The first string, key or nesting in `value` that exceeds `limits`, or undefined. */
export function findValueIssue(value: unknown, limits: ValueLimits): ValueIssue | undefined {
  const stack: Visit[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { value: v, depth } = visit;
    if (typeof v === 'string') {
      const problem = stringIssue(v, limits);
      if (problem) return { path: pathOf(visit), problem, ...(problem === 'long' ? { limit: limits.maxString } : {}) };
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= limits.maxDepth) return { path: pathOf(visit), problem: 'deep', limit: limits.maxDepth };
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((item, i) => [i, item]) : Object.entries(v);
    // pushed in reverse, so the first issue in document order is found first
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i]!;
      const child: Visit = { value: item, depth: depth + 1, parent: visit, key };
      if (typeof key === 'string') {
        const problem = stringIssue(key, limits);
        if (problem)
          return { path: pathOf(child), problem, ...(problem === 'long' ? { limit: limits.maxString } : {}) };
      }
      stack.push(child);
    }
  }
  return undefined;
}

/** The issue said in words, after the field's name: "must not contain NUL characters (\u0000)". */
export function describeValueIssue(issue: ValueIssue): string {
  switch (issue.problem) {
    case 'nul':
      return 'must not contain NUL characters (\\u0000)';
    case 'surrogate':
      return 'must be well-formed Unicode (it holds a lone surrogate)';
    case 'long':
      return `must be at most ${issue.limit} characters`;
    case 'deep':
      return `is nested more than ${issue.limit} levels deep`;
  }
}

/** A path as dotted field names: ["identifier", 0, "value"] is "identifier.0.value". */
export const dottedPath = (path: ValuePath, prefix?: string): string =>
  [...(prefix ? [prefix] : []), ...path].join('.');
