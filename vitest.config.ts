import ts from 'typescript';
import { defineConfig, type Plugin } from 'vitest/config';
import tsconfig from './tsconfig.json' with { type: 'json' };

/**
 * Compiles TypeScript for the tests with TypeScript itself, with the project's compiler options, so that
 * legacy decorators and decorator metadata (MikroORM, type-graphql) behave exactly as in the tsc build.
 * (Vite's own transformer does not emit decorator metadata.)
 */
function typescriptWithDecoratorMetadata(): Plugin {
  const compilerOptions: ts.CompilerOptions = {
    ...ts.convertCompilerOptionsFromJson(tsconfig.compilerOptions, '.').options,
    module: ts.ModuleKind.ESNext,
    sourceMap: true,
    inlineSources: true,
  };
  return {
    name: 'typescript-with-decorator-metadata',
    enforce: 'pre',
    transform(code, id) {
      if (!/\.ts$/.test(id) || id.includes('/node_modules/')) return null;
      const output = ts.transpileModule(code, { compilerOptions, fileName: id });
      return { code: output.outputText, map: output.sourceMapText ? JSON.parse(output.sourceMapText) : null };
    },
  };
}

export default defineConfig({
  plugins: [typescriptWithDecoratorMetadata()],
  oxc: false,
  // Node resolves `graphql` to its CommonJS build for type-graphql and graphql-shield; the tests must load
  // the same copy (Vite would pick the .mjs one), or graphql refuses types "from another realm".
  resolve: { alias: { graphql: 'graphql/index.js' } },
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // a log line per request would bury the test output: tests that read logs set their own logger
    env: { LOG_LEVEL: 'silent' },
  },
});
