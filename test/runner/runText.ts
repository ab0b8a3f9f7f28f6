/**
 * A scenario given as YAML text, run in the simulator as `knsim run` runs a file: parsed as
 * `test.yaml`, the backend started with `seed`, the steps run, the outcome (failures, transcript).
 */
import { SimBackend } from '../../src/backends/sim.js';
import { type RunOutcome, ScenarioRunner } from '../../src/runner/runner.js';
import { parseScenario } from '../../src/scenario/parse.js';
import { settingsFromScenario } from '../../src/sim/settings.js';

export async function runScenarioText(text: string, seed: number): Promise<RunOutcome> {
  const scenario = parseScenario(text, 'test.yaml');
  const backend = new SimBackend({
    seed,
    namespace: scenario.namespace,
    settings: settingsFromScenario(scenario.settings),
  });
  await backend.start({ scenario: scenario.name, seed, namespace: scenario.namespace });
  return new ScenarioRunner(scenario, backend).run();
}
