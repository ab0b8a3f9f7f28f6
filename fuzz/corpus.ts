/** The known-good material fuzz cases start from (fuzz/cases.ts Corpus). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Corpus, SMALL_SCENARIO } from './cases.js';
import { runInProcess } from './exec.js';

const REPO = resolve(import.meta.dirname, '..');

/** The corpus: logs of a small scenario, written by the simulator through the command line. */
export async function makeCorpus(dir: string): Promise<Corpus> {
  const scenario = join(dir, 'small.yaml');
  writeFileSync(scenario, SMALL_SCENARIO);
  const logs: string[] = [];
  for (const seed of ['1', '2']) {
    const log = join(dir, `small-${seed}.jsonl`);
    const outcome = await runInProcess(
      { kind: 'flags', files: {}, argv: ['run', scenario, '--seed', seed, '--log', log] },
      join(dir, `corpus-${seed}`),
    );
    if (outcome.verdict !== 'accepted') throw new Error(`the corpus run failed: ${outcome.detail}`);
    logs.push(readFileSync(log, 'utf8'));
  }
  // Shipped scenarios that simulate in a second or two (their manifests may name files beside them).
  const scenarios = [
    'idle-to-zero',
    'idle-to-zero-tbc0',
    'seed-walkthrough',
    'new-revision-idle',
    'activator-on-path',
    'scale-down-delay',
    'two-namespaces',
    'overloaded-activator',
  ]
    .map((name) => join(REPO, 'scenarios', `${name}.yaml`))
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file, 'utf8'));
  return { logs, scenarios };
}
