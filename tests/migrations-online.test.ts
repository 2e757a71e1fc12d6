import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Upgrades roll instances while the old release serves (README, Upgrading): a migration must not rewrite a
 * table or block its writes for long unless it says so in a comment (`rewrites table: <why>`, `locks table:
 * <why>`), which tells operators to stop the instances first. What is checked: the `up()` SQL, statement by
 * statement; tables the same migration creates are exempt (they are empty).
 */
const REWRITES: [RegExp, string][] = [
  [/\balter\s+column\s+"?\w+"?\s+(set\s+data\s+)?type\b/i, 'changes a column type'],
  [
    /\badd\s+column\s+(?:(?!\bdefault\b)[^;])*\bnot\s+null\b(?:(?!\bdefault\b)[^;])*;?$/i,
    'adds a not null column without a default',
  ],
  [
    /\badd\s+column\b[^;]*\bdefault\s+\(?\s*(now|gen_random_uuid|random|clock_timestamp|nextval)\s*\(/i,
    'adds a column with a volatile default',
  ],
  [/\balter\s+column\s+"?\w+"?\s+set\s+not\s+null\b/i, 'sets not null (a full scan under lock)'],
  [/^\s*update\s/i, 'updates existing rows (a backfill: do it in batches)'],
];
const LOCKS: [RegExp, string][] = [
  [/^\s*create\s+(unique\s+)?index\s+(?!concurrently\b)/i, 'builds an index without concurrently'],
  [
    /\badd\s+constraint\b(?![^;]*\bnot\s+valid\b)[^;]*\b(check|foreign\s+key|unique|primary\s+key)\b/i,
    'adds a checked constraint',
  ],
];

function upStatements(source: string): string[] {
  const up = source.slice(source.indexOf('async up('), source.indexOf('async down(') >>> 0 || undefined);
  return [...up.matchAll(/`([^`]*)`|'((?:[^'\\]|\\.)*)'/g)]
    .map((m) => (m[1] ?? m[2] ?? '').trim())
    .filter((sql) => /^(alter|create|update|insert|delete|drop)\b/i.test(sql));
}

const tableOf = (sql: string) => /\b(?:table|on|update)\s+(?:only\s+)?"?(\w+)"?/i.exec(sql)?.[1];

export function onlineSafetyProblems(source: string): string[] {
  const statements = upStatements(source);
  const created = new Set(statements.flatMap((sql) => /^create\s+table\s+"?(\w+)"?/i.exec(sql)?.[1] ?? []));
  const problems: string[] = [];
  for (const sql of statements) {
    const table = tableOf(sql);
    if (table && created.has(table)) continue;
    for (const [rules, marker] of [
      [REWRITES, 'rewrites table:'],
      [LOCKS, 'locks table:'],
    ] as const) {
      for (const [rule, what] of rules) {
        if (rule.test(sql) && !source.includes(marker))
          problems.push(`${what} on "${table}" without a "${marker}" comment`);
      }
    }
  }
  return problems;
}

describe('migrations are safe online, or say why not', () => {
  const dir = 'migrations';
  const files = readdirSync(dir).filter((f) => /^Migration\d+_.*\.ts$/.test(f));

  it.each(files)('%s', (file) => {
    expect(onlineSafetyProblems(readFileSync(path.join(dir, file), 'utf8'))).toEqual([]);
  });

  it('finds what it is meant to find', () => {
    const migration = (up: string) =>
      `class M { async up() { ${up} } async down() { this.addSql(\`update "x" set a = 1\`); } }`;
    expect(
      onlineSafetyProblems(migration('this.addSql(`alter table "observations" alter column "status" type text;`);')),
    ).toEqual(['changes a column type on "observations" without a "rewrites table:" comment']);
    expect(
      onlineSafetyProblems(migration(`this.addSql('alter table "users" add column "x" int not null;');`)),
    ).toHaveLength(1);
    expect(
      onlineSafetyProblems(migration(`this.addSql('alter table "users" add column "x" int not null default 0;');`)),
    ).toEqual([]);
    expect(
      onlineSafetyProblems(migration(`this.addSql('alter table "users" add column "x" timestamptz default now();');`)),
    ).toHaveLength(1);
    expect(onlineSafetyProblems(migration('this.addSql(`create index "i" on "observations" ("a");`);'))).toEqual([
      'builds an index without concurrently on "observations" without a "locks table:" comment',
    ]);
    expect(
      onlineSafetyProblems(migration('this.addSql(`create index concurrently "i" on "observations" ("a");`);')),
    ).toEqual([]);
    expect(
      onlineSafetyProblems(
        migration(
          'this.addSql(`alter table "t" add constraint "c" foreign key ("a") references "u" ("id") not valid;`);',
        ),
      ),
    ).toEqual([]);
    // a table made in the same migration is empty: nothing to rewrite or lock
    expect(
      onlineSafetyProblems(
        migration(
          'this.addSql(`create table "t" ("a" int not null);`); this.addSql(`create index "i" on "t" ("a");`);',
        ),
      ),
    ).toEqual([]);
    // a comment that says so
    expect(
      onlineSafetyProblems(
        `// locks table: observations, an index build\n${migration('this.addSql(`create index "i" on "observations" ("a");`);')}`,
      ),
    ).toEqual([]);
  });
});
