/**
 * SIGINT (Ctrl-C) and SIGTERM for a command that stops cleanly: the first signal aborts the
 * command's `stop` (its reason is the signal's name) and the command winds down, closing its log
 * with an `end` line and exiting with 128 + the signal's number (130, 143); a second signal ends
 * the process at once with that code. Commands with nothing to close keep Node's default, which
 * ends the process at once, even in the middle of synchronous work.
 */
import { SIGNAL_EXIT_CODES, type StopSignal } from '../io/runLimits.js';

export interface StopListener {
  /** Aborted by the first signal, with the signal's name as its reason. */
  readonly stop: AbortSignal;
  /** The first signal heard, if any. */
  received(): StopSignal | undefined;
  /** The exit code for the signal heard (130 for SIGINT, 143 for SIGTERM). */
  exitCode(): number | undefined;
  /** Stops listening (Node's default handling comes back). */
  dispose(): void;
}

export interface ListenOptions {
  /** Told about the first signal (e.g. to say what is being closed). */
  onFirst?: (signal: StopSignal) => void;
  /** Where signals come from (default: the process). */
  source?: Pick<NodeJS.Process, 'on' | 'off'>;
  /** Ends the process on a second signal (default: process.exit with the code). */
  exit?: (code: number) => void;
}

export function listenForStop(options: ListenOptions = {}): StopListener {
  const controller = new AbortController();
  const source = options.source ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let first: StopSignal | undefined;
  const on = (signal: StopSignal) => {
    if (first !== undefined) {
      exit(SIGNAL_EXIT_CODES[first]);
      return;
    }
    first = signal;
    options.onFirst?.(signal);
    controller.abort(signal);
  };
  const onInt = () => on('SIGINT');
  const onTerm = () => on('SIGTERM');
  source.on('SIGINT', onInt);
  source.on('SIGTERM', onTerm);
  return {
    stop: controller.signal,
    received: () => first,
    exitCode: () => (first ? SIGNAL_EXIT_CODES[first] : undefined),
    dispose: () => {
      source.off('SIGINT', onInt);
      source.off('SIGTERM', onTerm);
    },
  };
}
