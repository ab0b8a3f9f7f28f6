/** `knsim run`: a scenario file through the simulator, with its transcript, log and results. */
import { SimBackend } from '../backends/sim.js';
import { ScenarioRunner } from '../runner/runner.js';
import { loadScenarioFile } from '../scenario/parse.js';
import { validateLoadPhase } from '../sim/load/spec.js';
import type { RunResults } from '../sim/results.js';
import { type ScenarioSettingsInput, settingsFromScenario } from '../sim/settings.js';

export interface RunOptions {
  seed?: number;
  write?: ((text: string) => void) | undefined;
}

export interface RunFileOutcome {
  ok: boolean;
  transcript: string;
  log: string;
  results: RunResults;
  failures: string[];
}

export async function runScenarioFile(file: string, options: RunOptions = {}): Promise<RunFileOutcome> {
  const scenario = loadScenarioFile(file, { validateLoad: (value) => validateLoadPhase(value) });
  const seed = options.seed ?? scenario.seed ?? 1;
  const backend = new SimBackend({
    seed,
    namespace: scenario.namespace,
    settings: settingsFromScenario(scenario.settings as ScenarioSettingsInput),
  });
  await backend.start({ scenario: scenario.name, scenarioFile: file, seed, namespace: scenario.namespace });
  const runner = new ScenarioRunner(scenario, backend, options.write ? { write: options.write } : {});
  const outcome = await runner.run();
  backend.log.event({ t: backend.now(), type: 'end', ok: outcome.ok });
  return {
    ok: outcome.ok,
    transcript: outcome.transcript,
    log: backend.log.text(),
    results: backend.results.results(),
    failures: outcome.failures,
  };
}
