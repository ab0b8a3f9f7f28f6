/** A scenario given as text, run in the simulator: its outcome, the backend (store, log) and its events. */
import { SimBackend } from '../../src/backends/sim.js';
import type { KubeObject } from '../../src/model/api/types.js';
import { ScenarioRunner } from '../../src/runner/runner.js';
import { parseScenario } from '../../src/scenario/parse.js';
import { settingsFromScenario } from '../../src/sim/settings.js';

export type EventObject = KubeObject & {
  reason?: string;
  message?: string;
  involvedObject?: { kind?: string; name?: string; fieldPath?: string };
};

export async function runText(text: string, seed = 1) {
  const scenario = parseScenario(text, 'test.yaml');
  const backend = new SimBackend({
    seed,
    namespace: scenario.namespace,
    settings: settingsFromScenario(scenario.settings),
  });
  await backend.start({ scenario: scenario.name, seed, namespace: scenario.namespace });
  const outcome = await new ScenarioRunner(scenario, backend).run();
  const events = backend.cluster.store.list('events', 'default') as EventObject[];
  return { outcome, backend, events };
}
