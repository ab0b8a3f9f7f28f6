import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';
import { ALL_TESTS, ISOLATED } from './test/setup/isolation.js';
import { LongestFirst } from './test/setup/sequencer.js';

export default defineConfig({
  test: {
    // Every fast-check property prints its seed (FC_SEED=<n> replays those without a fixed one).
    setupFiles: ['test/setup/fastCheck.ts'],
    // Many files mostly wait on child processes (the real command line, kubectl, servers in
    // scaled real time): two workers keep a 2-core machine busy where vitest's default
    // (cores − 1) would run one file at a time.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // The longest files start first (test/setup/sequencer.ts).
    sequence: { sequencer: LongestFirst },
    // Deadlines for a busy shared machine (several times slower than idle); no test measures
    // speed, and e2e tests wait on states with their own bounds.
    testTimeout: 120_000,
    // Commands the tests start (bin/knsim.js) run the build in dist/, made from the sources under
    // test before any file runs (test/setup/build.ts): a fifth of the CPU of each start through
    // tsx. KNSIM_SOURCE=1 npm test runs the sources instead.
    globalSetup: ['test/setup/build.ts'],
    hookTimeout: 120_000,
    // The root names no files (`include`): a project that extends it would add its own to them.
    projects: [
      {
        // Most files share their worker's modules (isolate off), the files that swap modules run
        // isolated (test/setup/isolation.ts).
        extends: true,
        test: { name: 'shared', isolate: false, include: ALL_TESTS, exclude: [...configDefaults.exclude, ...ISOLATED] },
      },
      { extends: true, test: { name: 'isolated', include: ISOLATED } },
    ],
  },
});
