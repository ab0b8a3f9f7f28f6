/**
 * Runs a scenario file through the CLI in-process (`knsim run <file> --log <tmp>`), and offers
 * its exit code, transcript and the facts tests check in its event log.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseEventLog } from '../../src/io/logReader.js';
import type {
  KpaTickEvent,
  LogEvent,
  PanicEvent,
  RequestEvent,
  SampleEvent,
  ScaleEvent,
  SksModeEvent,
} from '../../src/model/events.js';

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
}

export async function runScenario(name: string, seed?: number): Promise<ScenarioRun> {
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
  const { events } = parseEventLog(log, name);
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
  };
}

/** The decision record of a tick, typed loosely. */
export function decisionOf(tick: KpaTickEvent): Record<string, number | boolean | null> {
  return tick.decision as Record<string, number | boolean | null>;
}
