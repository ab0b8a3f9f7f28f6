/**
 * Preloaded into a knsim child process by test/cli/signals.test.ts (`node --import` this file):
 * writes `listening SIGINT` (or SIGTERM) on file descriptor 3 when the command starts listening
 * for that signal (src/cli/interrupts.ts), so the test sends its signal once the command handles
 * it, not after a fixed wait that a busy machine outlasts (before the listener, Node's default
 * ends the process, and the test would see a kill where it expects 130 or 143). Nothing else of
 * the command changes; worker threads (which inherit --import) say nothing.
 */
import { writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const on = process.on;
  process.on = function (event, listener) {
    const result = on.call(this, event, listener);
    if (event === 'SIGINT' || event === 'SIGTERM') {
      try {
        writeSync(3, `listening ${event}\n`);
      } catch {
        // No descriptor 3 (not started by the test): nothing to tell.
      }
    }
    return result;
  };
}
