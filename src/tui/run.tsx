/**
 * Starting the replay screen: interactively on a terminal (ink, alternate screen), or as one
 * frame of text when there is no terminal. Imported lazily by the CLI so that ink is loaded only
 * when a screen is shown.
 */
import { render, renderToString } from 'ink';
import { App, type AppProps, type TerminalSize } from './App.js';
import type { ViewState } from './model/playback.js';
import type { ReplayIndex } from './model/replay.js';

const ENTER_ALT_SCREEN = '\u001B[?1049h\u001B[H';
const LEAVE_ALT_SCREEN = '\u001B[?1049l';

/** Runs the interactive screen until the user quits. */
export async function runInteractive(
  index: ReplayIndex,
  initial: Partial<ViewState>,
  subscribe?: AppProps['subscribe'],
): Promise<void> {
  const stdout = process.stdout;
  stdout.write(ENTER_ALT_SCREEN);
  try {
    // Ctrl-C comes through the keymap like q (raw mode delivers it as a key).
    const instance = render(<App index={index} initial={initial} subscribe={subscribe} />, {
      exitOnCtrlC: false,
      maxFps: 30,
    });
    await instance.waitUntilExit();
  } finally {
    stdout.write(LEAVE_ALT_SCREEN);
  }
}

/** One frame as text, for output that is not a terminal. */
export function renderFrame(index: ReplayIndex, initial: Partial<ViewState>, size: TerminalSize): string {
  return renderToString(<App index={index} initial={initial} size={size} />, { columns: size.columns });
}
