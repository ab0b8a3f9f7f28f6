/**
 * A scenario file through the simulator, with its transcript, log and results: what `knsim run`,
 * `tui`, `predict` and `sweep` do with a scenario (the commands only parse flags and call this).
 */
import { type RunLimits, RunStopped, type StopRequest } from '../backends/limits.js';
import type { LogLine } from '../model/events.js';
import type { RunResults } from '../results/results.js';
import { parseScenarioFile } from '../scenario/file.js';
import type { Scenario } from '../scenario/types.js';
import type { EventLogOptions } from '../sim/log.js';
import type { AccessLines } from '../sim/podLogs.js';
import type { RunOutcome } from './runner.js';

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
  /** Bounds on the run's work (src/backends/limits.ts; defaults far above any real scenario). */
  limits?: Partial<RunLimits>;
  /** Aborted with reason `SIGINT` or `SIGTERM`: the run stops at its next slice of time. */
  stop?: StopRequest;
  /**
   * The app's access lines in the pod logs. Default: recorded when the scenario can read them
   * (`accessLinesFor`), else not written at all.
   */
  accessLines?: AccessLines;
}

/**
 * Whether a run of `scenario` records the app's access lines: only a `kubectl logs` step reads pod
 * logs in a scenario run (nothing else does: not the transcript, the results, the event log, the
 * TUI or a report), and an access line a request is the one per-request cost of pod logs.
 */
export function accessLinesFor(scenario: Scenario): AccessLines {
  return scenario.steps.some((s) => s.kind === 'kubectl' && s.command.verb === 'logs') ? 'record' : 'off';
}

export interface RunFileOutcome {
  ok: boolean;
  transcript: string;
  log: string;
  results: RunResults;
  failures: string[];
  /**
   * Why the run ended before its scenario did (a signal or a limit); its log ends with an `end`
   * line saying so, and the transcript stops where the run stopped.
   */
  stopped?: RunStopped;
}

export async function runScenarioFile(file: string, options: RunOptions = {}): Promise<RunFileOutcome> {
  return runScenario(loadScenario(file), file, options);
}

/** The seed a run of `scenario` uses: the one given, else the scenario's, else 1. */
export function runSeed(scenario: Scenario, seed?: number): number {
  return seed ?? scenario.seed ?? 1;
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
  const seed = runSeed(scenario, options.seed);
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
    accessLines: options.accessLines ?? accessLinesFor(scenario),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.stop ? { stop: options.stop } : {}),
  });
  await backend.start({ scenario: scenario.name, scenarioFile: file, seed, namespace: scenario.namespace });
  const runner = new ScenarioRunner(scenario, backend, options.write ? { write: options.write } : {});
  let outcome: RunOutcome;
  try {
    outcome = await runner.run();
  } catch (e) {
    if (!(e instanceof RunStopped)) throw e;
    // The log stays complete: its last line says the run was cut short, and why.
    backend.log.event({
      t: backend.now(),
      type: 'end',
      ok: false,
      ...(e.signal ? { interrupted: e.signal } : { stopped: e.message }),
    });
    backend.results.finish();
    return {
      ok: false,
      transcript: runner.transcript(),
      log: backend.log.text(),
      results: backend.results.results(),
      failures: [e.message],
      stopped: e,
    };
  }
  backend.log.event({ t: backend.now(), type: 'end', ok: outcome.ok });
  return {
    ok: outcome.ok,
    transcript: outcome.transcript,
    log: backend.log.text(),
    results: backend.results.results(),
    failures: outcome.failures,
  };
}
