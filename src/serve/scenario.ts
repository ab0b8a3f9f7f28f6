/** What `knsim serve --scenario` takes from a scenario: seed, simulator settings, ConfigMaps. */
import { parseScenarioFile } from '../scenario/file.js';
import { type SimSettings, settingsFromScenario } from '../sim/settings.js';

export interface ScenarioStartup {
  seed?: number;
  settings: SimSettings;
  configMaps: Record<string, Record<string, string>>;
}

export function scenarioStartup(file: string): ScenarioStartup {
  const scenario = parseScenarioFile(file);
  return {
    ...(scenario.seed !== undefined ? { seed: scenario.seed } : {}),
    settings: settingsFromScenario(scenario.settings),
    configMaps: scenario.config,
  };
}
