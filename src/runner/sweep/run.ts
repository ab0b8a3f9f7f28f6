/**
 * `knsim sweep`'s runs: each grid point of grid.ts run as a scenario, across the machine's cores
 * with worker_threads (worker.ts), the rows returned in grid order.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { RunLimits } from '../../backends/limits.js';
import { USER_ERRORS, UserError } from '../../io/errors.js';
import { ownModule } from '../../io/ownFiles.js';
import { startTsWorker } from '../../io/tsWorker.js';
import type { RunResults } from '../../results/results.js';
import type { Scenario } from '../../scenario/types.js';
import { applyPoint, describePoint, grid, type SweepAxis, type SweepPoint } from './grid.js';

export interface SweepJob {
  index: number;
  file: string;
  point: SweepPoint;
  seed?: number;
  /** Bounds on each run's work (src/backends/limits.ts). */
  limits?: Partial<RunLimits>;
}

export interface SweepRow {
  point: SweepPoint;
  ok: boolean;
  failures: string[];
  results: RunResults;
  wallMs: number;
}

export interface SweepOptions {
  seed?: number;
  limits?: Partial<RunLimits>;
  /** Worker threads; 0 runs every point in this thread, one after the other. */
  jobs?: number;
  /** Called as each point finishes (in completion order). */
  onRow?: (row: SweepRow, done: number, total: number) => void;
  /** Runs only the grid points this says yes to (a shard); the others are left out of the rows. */
  select?: (pointIndex: number) => boolean;
}

/** Runs one grid point in this thread (what each worker does). */
export async function runPoint(job: SweepJob): Promise<SweepRow> {
  const { loadScenario, runScenario } = await import('../simulate.js');
  const t0 = performance.now();
  const scenario = applyPoint(loadScenario(job.file), job.point);
  const outcome = await runScenario(scenario, job.file, {
    ...(job.seed !== undefined ? { seed: job.seed } : {}),
    ...(job.limits ? { limits: job.limits } : {}),
    log: { keep: false, requestSampling: 0 },
  });
  // A run that reached a limit is the input's error, as for `knsim run`.
  if (outcome.stopped) throw new UserError(`${describePoint(job.point)}: ${outcome.stopped.message}`);
  return {
    point: job.point,
    ok: outcome.ok,
    failures: outcome.failures,
    results: outcome.results,
    wallMs: performance.now() - t0,
  };
}

/** A worker on worker.ts (src/io/tsWorker.ts: how a worker runs the sources or the build). */
function startWorker(): Worker {
  return startTsWorker(ownModule('runner/sweep/worker'));
}

/**
 * Runs the grid (validated first: a bad combination fails before anything runs) and returns the
 * rows in grid order (of the selected points only, with `select`).
 */
export async function runSweep(
  file: string,
  scenario: Scenario,
  axes: readonly SweepAxis[],
  options: SweepOptions = {},
): Promise<SweepRow[]> {
  const points = grid(axes);
  for (const p of points) applyPoint(scenario, p);
  const select = options.select ?? (() => true);
  const jobs: SweepJob[] = points
    .map((point, index) => ({
      index,
      file,
      point,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
    }))
    .filter((job) => select(job.index));
  const rows: SweepRow[] = new Array(jobs.length);
  const place = new Map(jobs.map((job, i) => [job.index, i]));
  let done = 0;
  const finish = (job: SweepJob, row: SweepRow) => {
    rows[place.get(job.index)!] = row;
    done++;
    options.onRow?.(row, done, jobs.length);
  };
  const workers = Math.min(jobs.length, options.jobs ?? availableParallelism());
  if (workers <= 0) {
    for (const job of jobs) finish(job, await runPoint(job));
    return rows;
  }
  const queue = jobs.slice();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      const worker = startWorker();
      try {
        for (let job = queue.shift(); job; job = queue.shift()) finish(job, await ask(worker, job));
      } finally {
        await worker.terminate();
      }
    }),
  );
  return rows;
}

function ask(worker: Worker, job: SweepJob): Promise<SweepRow> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (m: { row?: SweepRow; error?: string; name?: string }) => {
      cleanup();
      if (m.row) resolve(m.row);
      else {
        const e = new Error(`${describePoint(job.point)}: ${m.error}`);
        // The error crossed a thread as text: keep it a user error when its class was one.
        e.name = m.name !== undefined && USER_ERRORS.has(m.name) ? 'UserError' : 'Error';
        reject(e);
      }
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`sweep worker exited with code ${code}`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(job);
  });
}
