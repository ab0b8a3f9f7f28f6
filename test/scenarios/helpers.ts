/**
 * Runs a scenario file through the CLI in-process (`knsim run <file> --log <tmp>`), and offers
 * its exit code, transcript and the facts tests check in its event log.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { textLogLines } from '../../src/io/logReader.js';
import type {
  KpaTickEvent,
  LogEvent,
  PanicEvent,
  RequestEvent,
  SampleEvent,
  ScaleEvent,
  SksModeEvent,
} from '../../src/model/events.js';
import { describeResult, type VerifyResult, verifyRows } from '../../src/verify/replay.js';

export const SCENARIOS = resolve(import.meta.dirname, '../../scenarios');

export interface ScenarioRun {
  /** The exit code `knsim run` returned (0: every expectation met). */
  exitCode: number;
  /** The transcript `knsim run` printed. */
  transcript: string;
  log: string;
  events: LogEvent[];
  scales(revision: string): ScaleEvent[];
  sks(revision: string): SksModeEvent[];
  panics(revision: string): PanicEvent[];
  ticks(revision: string): KpaTickEvent[];
  samples(revision: string): SampleEvent[];
  requests(phase: RequestEvent['phase']): RequestEvent[];
  /** `knsim verify` of the log: the model's replay of every decision and scale step. */
  verified: VerifyResult;
}

/** The runs of this test file (each file has its own modules): a scenario read the same runs once. */
const runs = new Map<string, Promise<ScenarioRun>>();

/**
 * `knsim run <name> --log <tmp>` in-process (the same file, text and seed run once per test
 * file: the run is deterministic, and tests only read what it returns).
 */
export function runScenario(name: string, seed?: number): Promise<ScenarioRun> {
  const file = resolve(SCENARIOS, name);
  const key = JSON.stringify([file, seed, readFileSync(file, 'utf8')]);
  let run = runs.get(key);
  if (!run) {
    run = runOnce(name, seed);
    runs.set(key, run);
  }
  return run;
}

async function runOnce(name: string, seed?: number): Promise<ScenarioRun> {
  const file = resolve(SCENARIOS, name);
  const dir = mkdtempSync(join(tmpdir(), 'knsim-scenario-'));
  const logFile = join(dir, 'run.jsonl');
  let transcript = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    transcript += String(chunk);
    return true;
  });
  let exitCode: number;
  try {
    const args = ['run', resolve(SCENARIOS, name), '--log', logFile];
    exitCode = await main(seed !== undefined ? [...args, '--seed', String(seed)] : args);
  } finally {
    out.mockRestore();
  }
  let log = '';
  try {
    log = readFileSync(logFile, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // The log is read once, for the tests and for the replay: every run's log is replayed through
  // the model here (what `knsim verify` does, which reads and changes nothing), so the scenarios
  // these files run are verified without test/verify simulating them a second time.
  const rows = [...textLogLines(log, name)];
  const events = rows.flatMap((r) => (r.value.type === 'header' ? [] : [r.value as LogEvent]));
  const verified = verifyRows(rows, name);
  if (!verified.ok) throw new Error(`knsim verify ${name}: ${describeResult(verified, name)}`);
  // A shipped scenario exercises an autoscaler: the replay checked its decisions, not nothing.
  const checked = verified.summary.ticks + verified.summary.hpaSyncs;
  if (dirname(file) === SCENARIOS && checked <= 10)
    throw new Error(`knsim verify ${name}: only ${checked} decider ticks and HPA syncs replayed`);
  const of = <T extends LogEvent>(type: T['type'], revision?: string): T[] =>
    events.filter(
      (e): e is T => e.type === type && (revision === undefined || (e as { revision?: string }).revision === revision),
    );
  return {
    exitCode,
    transcript,
    log,
    events,
    scales: (r) => of<ScaleEvent>('scale', r),
    sks: (r) => of<SksModeEvent>('sks', r),
    panics: (r) => of<PanicEvent>('panic', r),
    ticks: (r) => of<KpaTickEvent>('kpa.tick', r),
    samples: (r) => of<SampleEvent>('sample', r),
    requests: (phase) => of<RequestEvent>('request').filter((e) => e.phase === phase),
    verified,
  };
}

/** The decision record of a tick, typed loosely. */
export function decisionOf(tick: KpaTickEvent): Record<string, number | boolean | null> {
  return tick.decision as Record<string, number | boolean | null>;
}
