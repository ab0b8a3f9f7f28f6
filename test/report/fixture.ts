/** A run whose report has every part: load, a cold start, the activator, latency, explanations. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, runScenario } from '../../src/runner/simulate.js';

export const REPORT_SCENARIO = 'test/results/fixtures/cold-burst.yaml';

export async function reportFixture(scenario = REPORT_SCENARIO): Promise<{ dir: string; log: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'knsim-report-'));
  const outcome = await runScenario(loadScenario(scenario), scenario, {});
  const log = join(dir, 'run.jsonl');
  writeFileSync(log, outcome.log);
  return { dir, log };
}
