import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildExecutableSchema, schemaSdl } from '../graphql/schema.js';

describe('graphql/schema.graphql', () => {
  it('is the SDL the code generates (run `npm run schema` after changing types)', async () => {
    expect(readFileSync('graphql/schema.graphql', 'utf8')).toBe(await schemaSdl());
  });

  it('builds behind graphql-shield (which refuses rules for types the schema lacks)', async () => {
    await expect(buildExecutableSchema()).resolves.toBeTruthy();
  });
});
