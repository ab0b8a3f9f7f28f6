/** Shared fixtures for the TUI tests: the seed walk-through's log, indexed, and a render helper. */
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { SEED_SCENARIO } from '../../src/cli/commands/context.js';
import { parseEventLog } from '../../src/io/logReader.js';
import type { LogEvent, LogHeader } from '../../src/model/events.js';
import { runScenarioFile } from '../../src/runner/simulate.js';
import { App, type AppProps } from '../../src/tui/App.js';
import { withTranscript } from '../../src/tui/load.js';
import { ReplayIndex, type ReplayOptions } from '../../src/tui/model/replay.js';

export interface SeedRun {
  readonly header: LogHeader;
  readonly events: readonly LogEvent[];
  readonly text: string;
}

let seed: Promise<SeedRun> | undefined;

/** The seed scenario simulated once per test file (deterministic: seed 1). */
export function seedRun(): Promise<SeedRun> {
  seed ??= runScenarioFile(SEED_SCENARIO).then((outcome) => {
    const { header, events } = parseEventLog(outcome.log, 'seed');
    return { header, events: withTranscript(events, outcome.transcript), text: outcome.log };
  });
  return seed;
}

export async function seedIndex(options?: ReplayOptions): Promise<ReplayIndex> {
  const run = await seedRun();
  return new ReplayIndex(run.header, run.events, options);
}

/** The first event matching a predicate (fails the test when there is none). */
export function find<T extends LogEvent>(events: readonly LogEvent[], match: (e: LogEvent) => e is T): T {
  const e = events.find(match);
  if (!e) throw new Error('expected event not in the seed log');
  return e;
}

export const ESC = '\u001B';
export const KEYS = {
  left: `${ESC}[D`,
  right: `${ESC}[C`,
  shiftLeft: `${ESC}[1;2D`,
  shiftRight: `${ESC}[1;2C`,
  home: `${ESC}[H`,
  end: `${ESC}[F`,
  tab: '\t',
} as const;

/** Strips colours and styles. */
export function plain(frame: string | undefined): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences
  return (frame ?? '').replace(/\u001B\[[0-9;]*m/g, '');
}

/**
 * Polls until the predicate holds, yielding to the event loop between tries; fails at the
 * deadline. The deadline is generous: on a 2-core CI box other test files share the CPU, and a
 * passing predicate returns at once anyway.
 */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Renders the App at a fixed size; `frame()` is the last frame without colours. */
export function renderTui(props: AppProps) {
  const r = render(createElement(App, { size: { columns: 100, rows: 40 }, ...props }));
  const frame = (): string => plain(r.lastFrame());
  /** Sends keys and waits until the frame shows `expected`. */
  const press = async (keys: string, expected: string | ((f: string) => boolean)): Promise<string> => {
    r.stdin.write(keys);
    const ok = typeof expected === 'string' ? (f: string) => f.includes(expected) : expected;
    await waitFor(() => ok(frame()), `a frame after ${JSON.stringify(keys)}`);
    return frame();
  };
  return { ...r, frame, press };
}
