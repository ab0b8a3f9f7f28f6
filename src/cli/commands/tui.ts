/** `knsim tui <scenario.yaml | run.jsonl>`: replay a run in an interactive terminal screen. */
import { type Command, InvalidArgumentError } from 'commander';
// Types only: the TUI modules (ink, react) are loaded lazily, after the environment is set.
import type { ReplayIndex } from '../../tui/model/replay.js';
import type * as TuiRun from '../../tui/run.js';
import { parseSeed } from '../args.js';
import { listenForStop } from '../interrupts.js';
import { addLimitFlags, type LimitFlags, limitsFrom } from '../limitFlags.js';
import type { CommandContext } from './context.js';

const SPEED_LABELS = ['1x', '2x', '5x', '10x', '50x', 'max'];

function parseSpeed(value: string): number {
  const i = SPEED_LABELS.indexOf(value.trim().toLowerCase());
  if (i < 0) throw new InvalidArgumentError(`expected one of ${SPEED_LABELS.join(', ')}, got "${value}"`);
  return i;
}

export interface TuiOptions extends LimitFlags {
  seed?: number;
  speed?: number;
  paused?: boolean;
  follow?: boolean;
}

/** True when the user asked for no colour (https://no-color.org). */
export function noColor(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '';
}

/** True when both ends are terminals: the screen can take keys and redraw. */
export function isInteractiveTerminal(): boolean {
  return process.stdout.isTTY === true && process.stdin.isTTY === true;
}

/**
 * Opens the replay screen on a scenario or a log. Without a terminal it prints the screen at the
 * end of the run once (so a pipe gets something useful) and returns.
 */
export async function openTui(file: string, options: TuiOptions): Promise<number> {
  const interactive = isInteractiveTerminal();
  // Something on the terminal at once, before the screen's modules and the scenario load
  // (a second or more on a busy machine); the screen replaces it.
  const starting = interactive && !options.follow && !/\.(jsonl|ndjson|json)$/i.test(file);
  if (starting) process.stdout.write(`knsim tui: simulating ${file}…`);
  if (interactive) {
    // ink prints only the last frame when it believes it runs in CI (it reads CI when it is first
    // imported). On a real terminal the user wants the screen, so drop that hint before loading it.
    delete process.env.CI;
    delete process.env.CONTINUOUS_INTEGRATION;
  }
  // React's development build costs several times more per frame; the screen is not a dev tool.
  process.env.NODE_ENV ??= 'production';
  // no-color.org: NO_COLOR set (and not empty) means no ANSI colour, whatever the terminal can do.
  // ink's colours come from chalk, which reads FORCE_COLOR when it is first imported.
  if (noColor()) process.env.FORCE_COLOR = '0';
  const { loadRun, loadGrowingLog, indexRun, isScenario } = await import('../../tui/load.js');
  const { runInteractive, runSimulating, renderFrame } = await import('../../tui/run.js');
  const warn = (message: string): void => {
    process.stderr.write(`knsim tui: ${message}\n`);
  };
  if (options.follow) {
    const { followIntoIndex } = await import('../../tui/follow.js');
    const { from, ...run } = loadGrowingLog(file);
    const index = indexRun(run);
    if (!interactive) return printFrame(index, renderFrame, warn);
    // Start at the live edge; new events keep the screen there until you look back.
    return withStop((stop) =>
      runInteractive(index, { pos: index.length, t: index.endT }, followIntoIndex(index, file, from), stop),
    );
  }
  const initial = { playing: options.paused !== true, speedIndex: options.speed ?? 0 };
  if (interactive && isScenario(file)) {
    // The screen opens at once and fills in as the scenario runs on a worker thread. Its errors
    // are reported first, before the screen, as knsim run reports them.
    const { parseScenarioFile } = await import('../../scenario/file.js');
    const { SimulationFeed } = await import('../../tui/simulate.js');
    try {
      parseScenarioFile(file);
    } finally {
      process.stdout.write('\r\u001B[2K');
    }
    const feed = new SimulationFeed({
      file,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      limits: await limitsFrom(options),
    });
    return withStop((stop) => runSimulating(feed, file, initial, stop));
  }
  if (starting) process.stdout.write('\r\u001B[2K');
  const run = await loadRun(file, {
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    limits: await limitsFrom(options),
    warn,
  });
  const index = indexRun(run);
  if (!interactive) return printFrame(index, renderFrame, warn);
  return withStop((stop) => runInteractive(index, initial, undefined, stop));
}

/**
 * Runs the screen; SIGINT or SIGTERM from outside (not the Ctrl-C key, which quits like q) closes
 * it, gives the terminal back and makes the exit code 130 or 143.
 */
async function withStop(screen: (stop: AbortSignal) => Promise<void>): Promise<number> {
  const signals = listenForStop();
  try {
    await screen(signals.stop);
  } finally {
    signals.dispose();
  }
  return signals.exitCode() ?? 0;
}

/** Without a terminal: the overview at the end of the run, once. */
function printFrame(
  index: ReplayIndex,
  renderFrame: typeof TuiRun.renderFrame,
  warn: (message: string) => void,
): number {
  warn('not a terminal; printing the screen at the end of the run');
  const frame = renderFrame(index, { pos: index.length, t: index.endT }, { columns: 100, rows: 40 });
  process.stdout.write(`${frame}\n`);
  return 0;
}

export function registerTui(program: Command, ctx: CommandContext): void {
  const command = program
    .command('tui')
    .description('replay a scenario or an event log in an interactive terminal screen')
    .argument('<file>', 'scenario YAML file (simulated now) or event log (JSON Lines)')
    .option('-s, --seed <n>', 'random seed for a scenario (default: the scenario seed, else 1)', parseSeed)
    .option('--speed <x>', `playback speed to start with: ${SPEED_LABELS.join(', ')}`, parseSpeed)
    .option('--paused', 'start paused at the beginning')
    .option('-f, --follow', 'follow an event log that is still being written (knsim live --log), from its live edge');
  addLimitFlags(command).action(async (file: string, opts: TuiOptions) => {
    ctx.setExitCode(await openTui(file, opts));
  });
}
