/**
 * The order test files start in: the longest first, so that no long file starts last and runs
 * alone at the end while the other workers are idle. Vitest orders by the durations of the
 * previous run on this machine (node_modules/.vite), which a fresh clone and CI do not have (they
 * get the largest files first, a poor guess); the files below are the longest (wall time, each
 * file alone on the loaded shared machine, after issue 14's cuts: docs/reliability.md, "The test
 * suite"), longest first. Files not named keep vitest's order.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const LONGEST_FIRST: readonly string[] = [
  'test/docs/docs.test.ts',
  'test/scenarios/known-problems.test.ts',
  'test/runner/sweep-cluster.test.ts',
  'test/sim/properties.test.ts',
  'test/cli/build.test.ts',
  'test/live/shadow.e2e.test.ts',
  'test/tui/e2e.test.ts',
  'test/scenarios/scenarios.test.ts',
  'test/tui/simulate.test.tsx',
  'test/live/serve.e2e.test.ts',
  'test/cli/signals.test.ts',
  'test/runner/sweep-shards.test.ts',
  'test/docs/sweep-job.test.ts',
  'test/cli/tui.test.ts',
  'test/cli/files.test.ts',
  'test/machines/simulated.test.ts',
  'test/model/rules-on-path.test.ts',
  'test/serve/kubectl-seed.test.ts',
  'test/live/truth.test.ts',
  'test/serve/describe.test.ts',
  'test/cli/flags.test.ts',
  'test/cli/live-input.test.ts',
  'test/cli/logs.test.ts',
  'test/live/clusterMetrics.test.ts',
  'test/fuzz/fuzz.test.ts',
  'test/verify/verify.test.ts',
];

export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const root = `${this.ctx.config.root.replace(/\/$/, '')}/`;
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.indexOf(f.moduleId.replace(root, ''));
      return i === -1 ? LONGEST_FIRST.length : i;
    };
    // Array.prototype.sort is stable: the files not named keep the base order.
    return [...base].sort((a, b) => rank(a) - rank(b));
  }
}
