/**
 * Which test files run isolated (vitest.config.ts). Most files share their worker's modules
 * (`isolate: false`): a module the files import is evaluated once per worker instead of once per
 * file, where the re-evaluation was a third of the suite's CPU (docs/reliability.md, "The test
 * suite"). A file that swaps modules (`vi.mock`) or stubs globals would leak its swap into every
 * file that runs after it in the same worker: those run in a module graph of their own, as
 * before. test/setup/isolation.test.ts holds every such file to this list.
 */
export const ALL_TESTS = ['test/**/*.test.ts', 'test/**/*.test.tsx'];

/** The files that run isolated: each swaps the model's modules and wraps its classes' methods in place. */
export const ISOLATED = [
  'test/model/rules-on-path.test.ts',
  'test/machines/rules-on-path.test.ts',
  'test/cluster/rules-on-path.test.ts',
];

/** What makes a file need isolation: vitest calls whose effect outlives the file in a shared worker. */
export const NEEDS_ISOLATION = /\bvi\.(mock|doMock|stubGlobal|stubEnv|resetModules)\(/;
