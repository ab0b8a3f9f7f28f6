/**
 * Starting the replay screen: interactively on a terminal (ink, alternate screen), or as one
 * frame of text when there is no terminal. Imported lazily by the CLI so that ink is loaded only
 * when a screen is shown.
 */
import { render, renderToString, Text, useApp, useInput } from 'ink';
import { App, type AppProps, type TerminalSize } from './App.js';
import type { ViewState } from './model/playback.js';
import type { ReplayIndex } from './model/replay.js';
import type { SimulationFeed } from './simulate.js';
import { theme } from './theme.js';

const ENTER_ALT_SCREEN = '\u001B[?1049h\u001B[H';
const LEAVE_ALT_SCREEN = '\u001B[?1049l';

/** Closes the screen when `stop` is aborted (SIGINT or SIGTERM from outside): the terminal is given back. */
function unmountOnStop(instance: { unmount(): void }, stop: AbortSignal | undefined): () => void {
  if (!stop) return () => {};
  const onAbort = () => instance.unmount();
  if (stop.aborted) onAbort();
  else stop.addEventListener('abort', onAbort, { once: true });
  return () => stop.removeEventListener('abort', onAbort);
}

/** Runs the interactive screen until the user quits (or `stop` is aborted). */
export async function runInteractive(
  index: ReplayIndex,
  initial: Partial<ViewState>,
  subscribe?: AppProps['subscribe'],
  stop?: AbortSignal,
): Promise<void> {
  const stdout = process.stdout;
  stdout.write(ENTER_ALT_SCREEN);
  try {
    // Ctrl-C comes through the keymap like q (raw mode delivers it as a key).
    const instance = render(<App index={index} initial={initial} subscribe={subscribe} />, {
      exitOnCtrlC: false,
      maxFps: 30,
    });
    const release = unmountOnStop(instance, stop);
    await instance.waitUntilExit();
    release();
  } finally {
    stdout.write(LEAVE_ALT_SCREEN);
  }
}

/** One frame as text, for output that is not a terminal. */
export function renderFrame(index: ReplayIndex, initial: Partial<ViewState>, size: TerminalSize): string {
  return renderToString(<App index={index} initial={initial} size={size} />, { columns: size.columns });
}

/** The first frame, drawn at once while the simulation starts (q quits). */
function Starting({ what }: { readonly what: string }) {
  const { exit } = useApp();
  useInput((input, key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) exit();
  });
  return (
    <Text>
      <Text bold color={theme.title}>
        knsim
      </Text>{' '}
      simulating {what}… <Text dimColor>(the screen opens as the run begins; q quits)</Text>
    </Text>
  );
}

/**
 * The interactive screen on a scenario being simulated (`feed`): a first frame at once, then the
 * replay as soon as the run has begun, filling in as the run proceeds.
 */
export async function runSimulating(
  feed: SimulationFeed,
  what: string,
  initial: Partial<ViewState>,
  stop?: AbortSignal,
): Promise<void> {
  const stdout = process.stdout;
  stdout.write(ENTER_ALT_SCREEN);
  try {
    const instance = render(<Starting what={what} />, { exitOnCtrlC: false, maxFps: 30 });
    unmountOnStop(instance, stop);
    const exited = instance.waitUntilExit().then(() => undefined);
    const index = await Promise.race([feed.ready, exited]);
    if (index) {
      instance.rerender(
        <App
          index={index}
          initial={{ ...initial, growing: !feed.done }}
          subscribe={feed.subscribe}
          source="simulation"
        />,
      );
      await exited;
    }
  } finally {
    await feed.stop();
    stdout.write(LEAVE_ALT_SCREEN);
  }
}
