/**
 * Progress of a long run on stderr when it is a terminal: the simulated time (of the expected
 * length, when the scenario says), the rate against the wall clock, and the time left. One line,
 * redrawn at most a few times a second, cleared at the end; nothing when stderr is a pipe.
 */
import { formatDuration } from '../model/duration.js';
import type { Scenario } from '../scenario/types.js';
import { parseDuration } from '../sim/load/duration.js';

/** The wall time between two redraws. */
const REDRAW_MS = 250;
/** Runs shorter than this (wall time) show nothing: the line would only flicker. */
const QUIET_MS = 1000;

/**
 * How long the run should last in simulated time, from what the scenario fixes: steps at given
 * times, sleeps, load phases' `at` and `for` (a trace's `minutes`). Waits last as long as they
 * need, so this is a lower bound; undefined when the scenario fixes nothing.
 */
export function expectedRunMs(scenario: Scenario): number | undefined {
  let t = 0;
  for (const step of scenario.steps) {
    if (step.atMs !== undefined) t = Math.max(t, step.atMs);
    if (step.kind === 'sleep') t += step.ms;
  }
  let end = t;
  let loadEnd = 0;
  for (const phase of scenario.load) {
    const spec = phase.spec as { at?: string | number; for?: string | number; trace?: { minutes?: number } };
    const at = spec.at !== undefined ? parseDuration(spec.at) : loadEnd;
    const length =
      spec.for !== undefined
        ? parseDuration(spec.for)
        : spec.trace?.minutes !== undefined
          ? spec.trace.minutes * 60_000
          : 0;
    loadEnd = at + length;
    end = Math.max(end, loadEnd);
  }
  return end > 0 ? end : undefined;
}

export interface ProgressOptions {
  /** The run's expected length (simulated ms), for the percentage and the time left. */
  readonly expectedMs?: number;
  readonly write: (text: string) => void;
  /** The wall clock (ms). */
  readonly now?: () => number;
}

/** `simulated 3h12m of 24h (13 %) · 1,240x real time · about 12 s left` */
export class Progress {
  private readonly started: number;
  private nextDraw: number;
  private shown = false;
  private readonly now: () => number;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
    this.nextDraw = this.started + QUIET_MS;
  }

  /** The run has reached `simMs` of simulated time. Cheap when nothing is to be drawn. */
  at(simMs: number): void {
    const now = this.now();
    if (now < this.nextDraw) return;
    this.nextDraw = now + REDRAW_MS;
    this.options.write(`\r\u001B[K${this.line(simMs, now)}`);
    this.shown = true;
  }

  /** Clears the line (at the end of the run, before the summary). */
  done(): void {
    if (this.shown) this.options.write('\r\u001B[K');
    this.shown = false;
  }

  line(simMs: number, now = this.now()): string {
    const wallMs = Math.max(1, now - this.started);
    const rate = simMs / wallMs;
    const expected = this.options.expectedMs;
    const parts = [`knsim: simulated ${formatDuration(Math.floor(simMs / 1000) * 1000)}`];
    if (expected !== undefined && simMs <= expected) {
      parts[0] += ` of ${formatDuration(expected)} (${Math.floor((100 * simMs) / expected)} %)`;
    }
    parts.push(`${Math.round(rate).toLocaleString('en-US')}x real time`);
    if (expected !== undefined && simMs < expected && rate > 0) {
      const leftMs = (expected - simMs) / rate;
      parts.push(leftMs < 1000 ? 'under 1s left' : `about ${formatDuration(Math.round(leftMs / 1000) * 1000)} left`);
    }
    return parts.join(' · ');
  }
}
