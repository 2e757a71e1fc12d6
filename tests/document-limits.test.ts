import { getIntrospectionQuery, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { type DocumentLimits, measureDocument, refuseDocument, scanTokens } from '../graphql/document-limits.js';

const DEFAULTS: DocumentLimits = { maxTokens: 5000, maxFields: 1000, maxAliases: 30 };

const aliases = (n: number) =>
  `{ ${Array.from({ length: n }, (_, i) => `p${i}: patient(id: "40001") { id }`).join(' ')} }`;

/** Fragments each spreading the next `width` times, `depth` deep: width^depth leaves once expanded. */
const fragmentBomb = (depth: number, width: number) =>
  [
    `query Bomb { me { ...F0 } }`,
    ...Array.from(
      { length: depth },
      (_, i) => `fragment F${i} on User { ${Array.from({ length: width }, () => `...F${i + 1}`).join(' ')} }`,
    ),
    `fragment F${depth} on User { id }`,
  ].join('\n');

const elapsed = (work: () => unknown) => {
  const start = performance.now();
  work();
  return performance.now() - start;
};

describe('measureDocument', () => {
  it('counts fields and aliases through fragment spreads and inline fragments', () => {
    const document = parse(`
      query { me { ...Who practitioner { id } } a: me { ...Who } }
      fragment Who on User { id e: email ... on User { firstName } }`);
    // me(1) + Who(3) + practitioner(1) + id(1) + a(1) + Who(3) = 10 fields; a, e, e = 3 aliases
    expect(measureDocument(document)).toEqual({ fields: 10, aliases: 3 });
  });

  it('takes the largest operation or fragment, unused ones included', () => {
    const document = parse(`
      query Small { me { id } }
      query Other { me { id email } }
      fragment Unused on User { a: id b: id c: id d: id }`);
    expect(measureDocument(document)).toEqual({ fields: 4, aliases: 4 });
  });

  it('reports a fragment that spreads itself, and counts an unknown fragment as nothing and names it', () => {
    expect(
      measureDocument(parse(`{ me { ...A } } fragment A on User { id ...B } fragment B on User { ...A }`)),
    ).toMatchObject({
      cycle: 'A',
    });
    expect(measureDocument(parse(`{ me { ...Missing id } }`))).toEqual({
      fields: 2,
      aliases: 0,
      unknownFragment: 'Missing',
    });
  });

  it('measures a fragment bomb of 10^30 fields in one linear pass', () => {
    const document = parse(fragmentBomb(30, 10));
    let size = measureDocument(document);
    const ms = elapsed(() => (size = measureDocument(document)));
    expect(size.fields).toBe(Number.MAX_SAFE_INTEGER); // clamped: more than a double counts exactly
    expect(ms).toBeLessThan(50);
    expect(measureDocument(parse(fragmentBomb(3, 10))).fields).toBe(1 + 1000);
  });
});

describe('scanTokens', () => {
  it('counts tokens as parse does, comments excluded, and stops after the limit', () => {
    expect(scanTokens('{ me { id } }', 6)).toEqual({ tooMany: false, nesting: 2 });
    expect(scanTokens('{ me { id } }', 5)).toMatchObject({ tooMany: true });
    expect(scanTokens(`# ${'x'.repeat(10_000)}\n{ me }`, 3)).toMatchObject({ tooMany: false });
    expect(() => parse('{ me { id } }', { maxTokens: 6 })).not.toThrow();
    expect(() => parse('{ me { id } }', { maxTokens: 5 })).toThrow(/tokens/);
  });

  it('sees how deep braces and brackets nest, and leaves syntax errors to the parser', () => {
    expect(scanTokens('{ a(x: [[{ b: 1 }]]) { c } }', 100).nesting).toBe(4);
    expect(scanTokens('{ me { id } } "unterminated', 100)).toEqual({ tooMany: false, nesting: 2 });
  });
});

describe('refuseDocument', () => {
  it('lets the portal’s kind of queries and introspection through', () => {
    expect(refuseDocument(getIntrospectionQuery(), DEFAULTS)).toBeUndefined();
    expect(
      refuseDocument(
        `{ organizations { id studies(first: 10) { totalCount nodes { id scopeRequests { id } patients(first: 100) {
          totalCount nodes { id identifiers { value } consents { studies { study { id } } } observations(first: 1) { totalCount } } } } } } }`,
        DEFAULTS,
      ),
    ).toBeUndefined();
  });

  it('refuses at each limit and not below it', () => {
    expect(refuseDocument(aliases(30), DEFAULTS)).toBeUndefined();
    expect(refuseDocument(aliases(31), DEFAULTS)).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      message: expect.stringMatching(/31 aliased fields.*GRAPHQL_MAX_ALIASES/),
    });
    const fields = (n: number) => `{ me { ${'id '.repeat(n - 1)} } }`;
    expect(refuseDocument(fields(1000), DEFAULTS)).toBeUndefined();
    expect(refuseDocument(fields(1001), DEFAULTS)?.message).toMatch(/1001 fields.*GRAPHQL_MAX_FIELDS/);
    const tokens = (n: number) => `{ me { ${'id '.repeat(n - 5)}} }`; // 5 tokens besides the ids
    expect(refuseDocument(tokens(1000), { ...DEFAULTS, maxTokens: 1000 })).toBeUndefined();
    expect(refuseDocument(tokens(1001), { ...DEFAULTS, maxTokens: 1000 })?.message).toMatch(
      /more than 1000 tokens \(GRAPHQL_MAX_TOKENS\)/,
    );
    const nest = (levels: number) => `{ ${'a { '.repeat(levels - 1)}b${' }'.repeat(levels)}`;
    expect(refuseDocument(nest(200), DEFAULTS)).toBeUndefined();
    expect(refuseDocument(nest(201), DEFAULTS)?.message).toMatch(/nested more than 200 levels/);
  });

  it('refuses fragment cycles as a validation error, and leaves syntax errors to Apollo', () => {
    expect(refuseDocument('{ me { ...A } } fragment A on User { ...A }', DEFAULTS)).toEqual({
      code: 'GRAPHQL_VALIDATION_FAILED',
      message: 'Cannot spread fragment "A" within itself',
    });
    expect(refuseDocument('{ me { id }', DEFAULTS)).toBeUndefined();
  });

  it('refuses a fragment bomb and 5000 aliases in milliseconds', () => {
    const roomy = { ...DEFAULTS, maxTokens: 100_000 };
    const bomb = fragmentBomb(30, 10);
    const flood = aliases(5000);
    refuseDocument(bomb, roomy); // warm up
    refuseDocument(flood, roomy);
    expect(refuseDocument(bomb, roomy)?.message).toMatch(/GRAPHQL_MAX_FIELDS/);
    expect(refuseDocument(flood, roomy)?.message).toMatch(/5000 aliased fields/);
    expect(elapsed(() => refuseDocument(bomb, roomy))).toBeLessThan(50);
    expect(elapsed(() => refuseDocument(flood, roomy))).toBeLessThan(500);
    // with the default token limit the flood stops at the lexer, after 5001 tokens
    expect(elapsed(() => refuseDocument(flood, DEFAULTS))).toBeLessThan(50);
  });
});
