import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/** Browser tests: the real server on the embedded database, driven through Debian's Chromium. */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['tests/e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 90_000,
  },
});
