/**
 * Every fast-check property prints its seed (vitest setup file): the test's name, the seed, the
 * number of runs, and on a failure fast-check's own report (counterexample, seed and path), so
 * any run replays. FC_SEED=<n> sets the seed of every property that does not fix its own.
 */
import fc from 'fast-check';
import { expect } from 'vitest';

const seed = process.env.FC_SEED !== undefined && process.env.FC_SEED !== '' ? Number(process.env.FC_SEED) : undefined;
if (seed !== undefined && !Number.isSafeInteger(seed))
  throw new Error(`FC_SEED=${process.env.FC_SEED}: not an integer`);

fc.configureGlobal({
  ...(seed !== undefined ? { seed } : {}),
  reporter(out) {
    const test = expect.getState().currentTestName ?? '(outside a test)';
    console.info(`[fast-check] ${test}: seed ${out.seed}, ${out.numRuns} runs${out.failed ? ', FAILED' : ''}`);
    if (out.failed) throw new Error(fc.defaultReportMessage(out));
  },
});
