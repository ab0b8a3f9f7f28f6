/**
 * A scenario file through the simulator, with its transcript, log and results: what `knsim run`,
 * `tui`, `predict` and `sweep` do with a scenario (the commands only parse flags and call this).
 */
import type { LogLine } from '../model/events.js';
import type { RunResults } from '../results/results.js';
import { parseScenarioFile } from '../scenario/file.js';
import type { Scenario } from '../scenario/types.js';
import type { EventLogOptions } from '../sim/log.js';

export interface RunOptions {
  seed?: number;
  write?: ((text: string) => void) | undefined;
  /**
   * The event log: keep lines in memory (default, `log` of the outcome), stream them to a sink,
   * sample request events. With `keep: false` the outcome's `log` is empty.
   */
  log?: EventLogOptions;
  /** Sees every log line as it is written (CSV writers), or only those of `observeTypes`. */
  observe?: (line: LogLine) => void;
  observeTypes?: readonly string[];
  /** Hears the simulated time once a simulated second (from the per-second samples): progress. */
  onTime?: (simMs: number) => void;
}

export interface RunFileOutcome {
  ok: boolean;
  transcript: string;
  log: string;
  results: RunResults;
  failures: string[];
}

export async function runScenarioFile(file: string, options: RunOptions = {}): Promise<RunFileOutcome> {
  return runScenario(loadScenario(file), file, options);
}

/** Reads and validates a scenario file (load phases included). */
export function loadScenario(file: string): Scenario {
  return parseScenarioFile(file);
}

/** Runs a parsed scenario (possibly changed by the caller, as `knsim sweep` does). */
export async function runScenario(scenario: Scenario, file: string, options: RunOptions = {}): Promise<RunFileOutcome> {
  // The simulator loads when a run starts: a scenario with errors (or `knsim validate`) needs
  // only the parser.
  const [{ SimBackend }, { ScenarioRunner }, { EventLog }, { settingsFromScenario }] = await Promise.all([
    import('../backends/sim.js'),
    import('./runner.js'),
    import('../sim/log.js'),
    import('../sim/settings.js'),
  ]);
  const seed = options.seed ?? scenario.seed ?? 1;
  const log = new EventLog(options.log ?? {});
  if (options.observe) log.subscribe(options.observe, options.observeTypes);
  // Samples only: a typed listener does not make the log build events nobody else reads.
  const onTime = options.onTime;
  if (onTime) log.subscribe((line) => onTime(line.type === 'header' ? 0 : line.t), ['sample']);
  const backend = new SimBackend({
    seed,
    namespace: scenario.namespace,
    settings: settingsFromScenario(scenario.settings),
    log,
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
