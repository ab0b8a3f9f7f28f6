/**
 * A `knsim sweep` worker thread: runs the grid points it is sent, one at a time, and posts each
 * row back (started by src/runner/sweep/run.ts with tsx's loader, so it runs the TypeScript sources).
 */
import { parentPort } from 'node:worker_threads';
import { runPoint, type SweepJob } from './run.js';

const port = parentPort;
if (!port) throw new Error('worker.ts runs as a worker thread (see src/runner/sweep/run.ts)');
port.on('message', async (job: SweepJob) => {
  try {
    port.postMessage({ row: await runPoint(job) });
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    port.postMessage({ error: err.message, name: err.constructor?.name ?? err.name });
  }
});
