/**
 * A fuzz worker thread: runs the cases it is sent through `main`, one at a time, and posts each
 * outcome back. Its heap is bounded by the parent (resourceLimits), which also ends it when a
 * case overruns its deadline.
 */
import { parentPort } from 'node:worker_threads';
import type { FuzzCase } from './cases.js';
import { runInProcess } from './exec.js';

const port = parentPort;
if (!port) throw new Error('fuzz/worker.ts runs as a worker thread (see fuzz/run.ts)');
port.on('message', async (job: { index: number; case: FuzzCase; dir: string }) => {
  try {
    port.postMessage({ index: job.index, outcome: await runInProcess(job.case, job.dir) });
  } catch (e) {
    port.postMessage({
      index: job.index,
      outcome: { verdict: 'crash', status: null, detail: `the fuzz worker failed: ${(e as Error).stack}`, ms: 0 },
    });
  }
});
