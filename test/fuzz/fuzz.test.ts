/**
 * A small seeded share of `npm run fuzz` (fuzz/): generated scenarios, manifests, ConfigMaps,
 * load phases, traces, event logs and command lines through the real command line, none of which
 * may crash knsim (an internal error, a stack trace, an exception, a log that does not read back).
 * A hang fails the test by its deadline. The seed is fixed (FUZZ_SEED replays another); the full
 * run and its figures are in docs/reliability.md.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Corpus, caseAt } from '../../fuzz/cases.js';
import { makeCorpus } from '../../fuzz/corpus.js';
import { runInProcess } from '../../fuzz/exec.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const CASES = 50;

describe(`fuzz (seed ${SEED}, ${CASES} cases)`, () => {
  it('no generated input crashes knsim', async () => {
    const root = mkdtempSync(join(tmpdir(), 'knsim-fuzz-test-'));
    const corpus: Corpus = await makeCorpus(root);
    const crashes: string[] = [];
    const verdicts: Record<string, number> = {};
    for (let i = 0; i < CASES; i++) {
      const c = caseAt(corpus, SEED, i);
      if (c.child) continue; // knsim serve runs as a child process: npm run fuzz covers it
      const outcome = await runInProcess(c, join(root, 'case'));
      verdicts[outcome.verdict] = (verdicts[outcome.verdict] ?? 0) + 1;
      if (outcome.verdict === 'crash') {
        crashes.push(`case ${i} (npm run fuzz -- --seed ${SEED} --only ${i}): ${c.argv.join(' ')}\n${outcome.detail}`);
      }
    }
    expect(crashes).toEqual([]);
    // The cases reach both ends: some are refused, some run.
    expect(verdicts['clean-error']).toBeGreaterThan(0);
    expect(verdicts.accepted).toBeGreaterThan(0);
  });
});
