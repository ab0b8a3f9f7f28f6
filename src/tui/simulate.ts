/**
 * `knsim tui <scenario>` on a terminal: the scenario runs on a worker thread while the screen
 * is already up, and its event log grows into the replay index as it is written (the screen
 * fills in as the run proceeds, as with a followed live log).
 */
import type { Worker } from 'node:worker_threads';
import { ownModule } from '../io/ownFiles.js';
import type { RunLimits } from '../io/runLimits.js';
import { startTsWorker } from '../io/tsWorker.js';
import type { LogEvent, LogHeader, LogLine } from '../model/events.js';
import type { Subscription } from './App.js';
import { ReplayIndex } from './model/replay.js';

export interface SimulateJob {
  readonly file: string;
  readonly seed?: number;
  readonly limits?: Partial<RunLimits>;
}

export type SimulateMessage =
  | { readonly kind: 'lines'; readonly text: string }
  | { readonly kind: 'done'; readonly ok: boolean }
  | { readonly kind: 'error'; readonly name: string; readonly message: string; readonly stack: string };

/** A scenario simulated on a worker thread into a replay index. */
export class SimulationFeed {
  /** Resolves with the index once the log's header has arrived (the run has begun). */
  readonly ready: Promise<ReplayIndex>;
  private readonly worker: Worker;
  private index: ReplayIndex | undefined;
  private listener: { onGrew: (previous: number) => void; onError: (e: Error) => void; onDone: () => void } | undefined;
  private finished = false;
  private failure: Error | undefined;

  constructor(job: SimulateJob, start: (entry: URL) => Worker = startTsWorker) {
    this.worker = start(ownModule('tui/simulateWorker'));
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (m: SimulateMessage) => {
        if (m.kind === 'lines') {
          const lines = m.text
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => JSON.parse(l) as LogLine);
          if (!this.index) {
            const header = lines.shift();
            if (header?.type !== 'header') {
              reject(new Error('the simulation did not start its log with a header'));
              return;
            }
            this.index = new ReplayIndex(header as LogHeader, []);
            resolve(this.index);
          }
          const events = lines as LogEvent[];
          if (events.length === 0) return;
          const previous = this.index.length;
          this.index.append(events);
          this.listener?.onGrew(previous);
        } else if (m.kind === 'done') {
          this.finished = true;
          this.listener?.onDone();
        } else {
          const e = Object.assign(new Error(m.message), { name: m.name, stack: m.stack });
          this.failure = e;
          reject(e);
          this.listener?.onError(e);
        }
      });
      this.worker.on('error', (e) => {
        this.failure = e;
        reject(e);
        this.listener?.onError(e);
      });
    });
    this.worker.postMessage(job);
  }

  /** True once the run has ended. */
  get done(): boolean {
    return this.finished;
  }

  /** The App's `subscribe`: hears each batch appended to the index, and the end of the run. */
  readonly subscribe: Subscription = (onGrew, onError, onDone) => {
    this.listener = { onGrew, onError, onDone: onDone ?? (() => {}) };
    if (this.failure) onError(this.failure);
    else if (this.finished) onDone?.();
    return () => {
      this.listener = undefined;
    };
  };

  /** Stops the simulation (when the user quits before it ends). */
  async stop(): Promise<void> {
    if (!this.finished) await this.worker.terminate();
    else this.worker.unref();
  }
}
