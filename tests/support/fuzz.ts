import fc from 'fast-check';
import { heartRate, observation } from './omh.js';

/** fast-check arbitraries for the no-5xx fuzz suite (tests/fuzz.int.test.ts): inputs as hostile clients send them. */

/** Strings that broke something once, or could: NUL, lone surrogates, escapes, texts past their columns. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfff',
    '😀',
    '\\u0000',
    "'; drop table x; --",
    '%00',
    '0',
  ),
  fc.integer({ min: 200, max: 400 }).map((n) => 'x'.repeat(n)),
  fc.constantFrom('y'.repeat(20_000), 'z'.repeat(300_000)),
);

/** `levels` objects in objects: up to 400, past every depth limit, yet within what the test's own JSON.stringify and fast-check can print */
export const nest = (levels: number, leaf: unknown = 1): unknown => {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { a: [value] };
  return value;
};
const deep = fc.integer({ min: 1, max: 400 }).map((n) => nest(n));

/** Any JSON value, a nasty string, or a deep nesting. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.jsonValue({ maxDepth: 3 }),
  deep,
  fc.double(),
  fc.constantFrom(null, true, 0, -1, 2 ** 31, 2 ** 53, 1e308),
);

const digits = (n: number) => fc.integer({ min: 0, max: 10 ** n - 1 }).map((v) => String(v).padStart(n, '0'));
/** Date-like text: mostly FHIR's shape, with impossible months, days, hours and offsets. */
export const dateLike: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('', 'ge', 'le', 'gt', 'lt', 'eq', 'ne', 'sa'),
    digits(4),
    fc.option(digits(2)),
    fc.option(digits(2)),
    fc.option(
      fc.tuple(digits(2), digits(2), fc.option(digits(2)), fc.constantFrom('', 'Z', '+02:00', '-14:00', '+99:99')),
    ),
  )
  .map(([prefix, y, m, d, t]) => {
    let text = `${prefix}${y}`;
    if (m !== null) text += `-${m}`;
    if (m !== null && d !== null) text += `-${d}`;
    if (m !== null && d !== null && t) text += `T${t[0]}:${t[1]}${t[2] === null ? '' : `:${t[2]}`}${t[3]}`;
    return text;
  });

const OBSERVATION_PATHS = [
  'status',
  'code.coding.0.system',
  'code.coding.0.code',
  'code.coding',
  'subject.reference',
  'device.reference',
  'identifier.0.value',
  'identifier.0.system',
  'identifier',
  'valueAttachment.contentType',
  'valueAttachment.data',
  'resourceType',
  'extension',
  'valueString',
  'effectiveDateTime',
  'meta',
  'id',
  'note',
];

function setPath(target: Record<string, unknown>, path: string, value: unknown) {
  const keys = path.split('.');
  let node: Record<string, unknown> = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}

/** The Open mHealth data point: a valid heart rate, or one with bad values, dates, extra or deep parts. */
const dataPoint = fc.oneof(
  fc.integer({ min: 30, max: 200 }).map((v) => heartRate(v)),
  fc.tuple(anyValue, anyValue).map(([value, unit]) => ({
    ...heartRate(60),
    body: { heart_rate: { value, unit }, effective_time_frame: { date_time: '2026-11-10T08:00:00Z' } },
  })),
  dateLike.map((when) => heartRate(70, when)),
  fc.tuple(nastyString, anyValue).map(([key, value]) => ({ ...heartRate(71), [key]: value })),
);

/** An Observation as patient 40001 (peter) would post it, valid or broken in up to three places. */
export const observationArb = fc
  .tuple(
    dataPoint,
    fc.uuid(),
    fc.array(fc.tuple(fc.constantFrom(...OBSERVATION_PATHS), anyValue), { maxLength: 3 }),
    fc.option(fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v)).toString('base64'))),
  )
  .map(([omh, id, changes, data]) => {
    const resource = observation({ patient: 40001, omh, identifier: `fuzz-${id}` }) as Record<string, unknown>;
    if (data !== null) setPath(resource, 'valueAttachment.data', data);
    for (const [path, value] of changes) setPath(resource, path, value);
    return resource;
  });

/** A Bundle entry: mostly a POST of such an Observation, sometimes a broken entry. */
export const entryArb = fc.oneof(
  {
    weight: 4,
    arbitrary: observationArb.map((resource) => ({ resource, request: { method: 'POST', url: 'Observation' } })),
  },
  {
    weight: 1,
    arbitrary: fc.record({ resource: observationArb, request: fc.record({ method: anyValue, url: anyValue }) }),
  },
  { weight: 1, arbitrary: anyValue },
);

export const bundleArb = fc.record({
  resourceType: fc.constantFrom('Bundle', 'Bundle', 'Bundle', 'Observation'),
  type: fc.constantFrom('batch', 'batch', 'batch', 'transaction', 'collection'),
  entry: fc.array(entryArb, { minLength: 1, maxLength: 8 }),
});

const SEARCH_NAMES = [
  'patient',
  'subject',
  'code',
  'date',
  'date',
  '_lastUpdated',
  'patient.identifier',
  'patient._has:Group:member:_id',
  '_has:Group:member:_id',
  'identifier',
  '_count',
  '_page',
  '_cursor',
  '_summary',
  '_total',
  '_format',
  '_sort',
  'bogus',
];
const searchValue = fc.oneof(
  dateLike,
  nastyString.filter((s) => s.length < 5000),
  fc.integer({ min: -5, max: 3_000_000_000 }).map(String),
  fc.tuple(nastyString, nastyString).map(([a, b]) => `${a.slice(0, 300)}|${b.slice(0, 300)}`),
  fc.constantFrom('https://w3id.org/openmhealth|omh:heart-rate:2.0', 'Patient/40001', '40001', 'count', 'accurate'),
);
/** A FHIR search: the resource and its query string, from known and unknown parameters. */
export const searchArb = fc.tuple(
  fc.constantFrom('Observation', 'Patient'),
  fc.array(fc.tuple(fc.constantFrom(...SEARCH_NAMES), searchValue), { maxLength: 4 }),
);

const FIELDS = ['id', 'name', 'email', '__typename', 'totalCount', 'nodes', 'bogus'];
const PARENTS = [
  'me',
  'organizations',
  'studies',
  'patients',
  'observations',
  'children',
  'user',
  'practitioner',
  'nodes',
];
const literal = fc.oneof(
  nastyString.filter((s) => s.length < 1000).map((s) => JSON.stringify(s)),
  fc.integer().map(String),
  fc.constantFrom('true', 'null', '$v', '{ patientId: "40001" }', '{ from: "2026-13-01" }', '[1, 2]', '"40001"'),
);
const args = fc
  .array(fc.tuple(fc.constantFrom('id', 'first', 'after', 'filter', 'input', 'identifierValue', 'studyId'), literal), {
    maxLength: 2,
  })
  .map((list) => (list.length ? `(${list.map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''));
const { selection } = fc.letrec<{ selection: string }>((tie) => ({
  selection: fc.oneof(
    { maxDepth: 4 },
    fc.constantFrom(...FIELDS),
    fc
      .tuple(fc.constantFrom(...PARENTS), args, fc.array(tie('selection'), { minLength: 1, maxLength: 3 }))
      .map(([name, a, inner]) => `${name}${a} { ${inner.join(' ')} }`),
    fc.constantFrom('...A', '...B', '...Missing', '... on User { id }'),
  ),
}));
/** A GraphQL document: operations and fragments that may spread each other in cycles, or plain garbage. */
export const documentArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.constantFrom('', 'query', 'mutation', 'subscription', 'query ($v: String)', 'query Q'),
        fc.array(selection, { minLength: 1, maxLength: 3 }),
        fc.array(
          fc.tuple(fc.constantFrom('A', 'B'), fc.constantFrom('User', 'Query', 'Organization', 'Bogus'), selection),
          { maxLength: 2 },
        ),
      )
      .map(
        ([op, selections, fragments]) =>
          `${op} { ${selections.join(' ')} } ${fragments.map(([n, on, s]) => `fragment ${n} on ${on} { ${s} }`).join(' ')}`,
      ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
);

/** A /graphql body: the document with variables and extensions, or JSON of any other shape. */
export const graphqlBodyArb = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record(
      {
        query: documentArb,
        variables: fc.oneof(fc.constant({ v: '40001' }), fc.record({ v: anyValue }), anyValue),
        operationName: fc.oneof(fc.constant(null), fc.constantFrom('Q', 'Missing'), anyValue),
        extensions: fc.oneof(
          fc.record({ persistedQuery: fc.record({ version: fc.constantFrom(1, 2, '1'), sha256Hash: anyValue }) }),
          anyValue,
        ),
      },
      { requiredKeys: ['query'] },
    ),
  },
  { weight: 1, arbitrary: anyValue },
);
