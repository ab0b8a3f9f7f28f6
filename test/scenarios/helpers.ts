/** Runs a scenario file in-process (as `knsim run` does) and offers the facts tests check in its log. */
import { resolve } from 'node:path';
import { runScenarioFile } from '../../src/cli/run.js';
import type {
  KpaTickEvent,
  LogEvent,
  PanicEvent,
  RequestEvent,
  SampleEvent,
  ScaleEvent,
  SksModeEvent,
} from '../../src/model/events.js';
import { parseLog } from '../../src/sim/log.js';

export const SCENARIOS = resolve(import.meta.dirname, '../../scenarios');

export interface ScenarioRun {
  ok: boolean;
  failures: string[];
  transcript: string;
  log: string;
  events: LogEvent[];
  scales(revision: string): ScaleEvent[];
  sks(revision: string): SksModeEvent[];
  panics(revision: string): PanicEvent[];
  ticks(revision: string): (KpaTickEvent & { context?: Record<string, unknown> })[];
  samples(revision: string): SampleEvent[];
  requests(phase: RequestEvent['phase']): RequestEvent[];
}

export async function runScenario(name: string, seed?: number): Promise<ScenarioRun> {
  const outcome = await runScenarioFile(resolve(SCENARIOS, name), seed !== undefined ? { seed } : {});
  const { events } = parseLog(outcome.log, name);
  const of = <T extends LogEvent>(type: T['type'], revision?: string): T[] =>
    events.filter(
      (e): e is T => e.type === type && (revision === undefined || (e as { revision?: string }).revision === revision),
    );
  return {
    ok: outcome.ok,
    failures: outcome.failures,
    transcript: outcome.transcript,
    log: outcome.log,
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
