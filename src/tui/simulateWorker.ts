/**
 * The simulation of `knsim tui <scenario>` on a worker thread, so that the screen draws while
 * the run goes on: the event log's lines are posted back in batches as they are written.
 * Started by src/tui/simulate.ts (with tsx's loader: src/io/tsWorker.ts).
 */
import { parentPort } from 'node:worker_threads';
import { runScenarioFile } from '../runner/simulate.js';
import type { SimulateJob, SimulateMessage } from './simulate.js';

const port = parentPort;
if (!port) throw new Error('simulateWorker.ts runs as a worker thread (see src/tui/simulate.ts)');

/** Lines are held for at most this long (wall ms) or this much text before they are posted. */
const BATCH_MS = 50;
const BATCH_CHARS = 1 << 20;

port.once('message', async (job: SimulateJob) => {
  const post = (m: SimulateMessage) => port.postMessage(m);
  let parts: string[] = [];
  let size = 0;
  let last = performance.now();
  const flush = () => {
    if (parts.length === 0) return;
    post({ kind: 'lines', text: parts.join('') });
    parts = [];
    size = 0;
    last = performance.now();
  };
  try {
    const outcome = await runScenarioFile(job.file, {
      ...(job.seed !== undefined ? { seed: job.seed } : {}),
      ...(job.limits ? { limits: job.limits } : {}),
      log: {
        keep: false,
        sink: (text) => {
          parts.push(text);
          size += text.length;
          // The header goes at once: the screen starts with it.
          if (parts.length === 1 && text.includes('"header"')) flush();
          else if (size >= BATCH_CHARS || performance.now() - last >= BATCH_MS) flush();
        },
      },
    });
    flush();
    post({ kind: 'done', ok: outcome.ok });
  } catch (e) {
    flush();
    const err = e instanceof Error ? e : new Error(String(e));
    post({ kind: 'error', name: err.constructor?.name ?? err.name, message: err.message, stack: err.stack ?? '' });
  }
});
