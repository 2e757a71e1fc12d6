import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { openOrm } from '../src/db/orm.js';
import { loadViewer } from '../src/policy/viewer.js';
import { countObservations, listObservations } from '../src/services/observation-search.js';

/**
 * `node dist/scripts/explain-search.js [--study <id>] [--patient <id>] [--code <omh code>|'']`: the SQL the
 * search services emit for a FHIR/GraphQL page of 1000 (study and/or patient + blood glucose, or the code given,
 * or every code for '' + one week, as mary), each statement run again under EXPLAIN (ANALYZE, BUFFERS).
 * Uses DATABASE_URL (e.g. the embedded database of `npm run cli -- generate`). For bench/PLANS.md.
 */
const { values: args } = parseArgs({
  options: {
    study: { type: 'string' },
    patient: { type: 'string' },
    user: { type: 'string', default: '10002' },
    /** an Open mHealth code, or '' for every code the viewer may see */
    code: { type: 'string', default: 'omh:blood-glucose:4.0' },
    from: { type: 'string', default: '2026-01-03T00:00:00Z' },
    before: { type: 'string', default: '2026-01-10T00:00:00Z' },
  },
});
const url = process.env.DATABASE_URL;
if (!url) throw new Error('usage: DATABASE_URL=… node dist/scripts/explain-search.js [--study <id>] [--patient <id>]');

const orm = await openOrm(url);
try {
  const em = orm.em.fork();
  const connection = em.getConnection();
  const execute = connection.execute.bind(connection);
  const statements: { sql: string; params: unknown[] }[] = [];
  connection.execute = ((sql: string, params: unknown[] = []) => {
    statements.push({ sql, params });
    return execute(sql, params);
  }) as typeof connection.execute;
  const viewer = await loadViewer(em, Number(args.user));
  const filter = {
    studyId: args.study ? Number(args.study) : null,
    patientId: args.patient ? Number(args.patient) : null,
    coding: args.code ? { system: 'https://w3id.org/openmhealth', code: args.code } : null,
    from: new Date(args.from),
    before: new Date(args.before),
  };
  statements.length = 0;
  await listObservations({ em, viewer }, filter, { first: 1000 });
  await countObservations({ em, viewer }, filter);
  for (const { sql, params } of statements.filter((s) => /from observations o/.test(s.sql))) {
    const plan = await execute<{ 'QUERY PLAN': string }[]>(`explain (analyze, buffers) ${sql}`, params);
    console.log(`\n${sql}\n\n${plan.map((row) => row['QUERY PLAN']).join('\n')}`);
  }
} finally {
  await orm.close();
}
