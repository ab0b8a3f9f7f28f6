/**
 * `knsim tui <scenario>` on a terminal: the scenario runs on a worker thread and its log grows
 * into the replay index while the screen is up.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { SEED_SCENARIO } from '../../src/cli/commands/context.js';
import { initialViewState, reduceView } from '../../src/tui/model/playback.js';
import { SimulationFeed } from '../../src/tui/simulate.js';
import { renderTui, seedIndex, seedRun, waitFor } from './helpers.js';

/**
 * The simulation's worker from the build (test/setup/build.ts makes it from the sources under
 * test): from the sources, as this process runs them, the worker would load every module through
 * tsx, several times the CPU of the simulation itself. The events must still equal those of a
 * whole run here, from the sources. KNSIM_SOURCE=1 keeps the sources.
 */
const BUILT_WORKER = join(import.meta.dirname, '../../dist/tui/simulateWorker.js');
const start = process.env.KNSIM_SOURCE !== '1' && existsSync(BUILT_WORKER) ? () => new Worker(BUILT_WORKER) : undefined;

const feeds: SimulationFeed[] = [];
afterEach(async () => {
  for (const f of feeds.splice(0)) await f.stop();
});

describe('a scenario simulated while the screen is up', () => {
  it('grows the index batch by batch into the same events as a whole run', async () => {
    const feed = new SimulationFeed({ file: SEED_SCENARIO }, start);
    feeds.push(feed);
    const index = await feed.ready;
    const batches: number[] = [];
    let done = false;
    feed.subscribe(
      (previous) => batches.push(previous),
      (e) => {
        throw e;
      },
      () => {
        done = true;
      },
    );
    await waitFor(() => done, 'the end of the simulation', 120_000);
    expect(feed.done).toBe(true);
    const whole = await seedRun();
    expect(index.header).toEqual(whole.header);
    expect(index.events).toEqual(whole.events);
    // Each batch starts where the previous one ended.
    expect(batches).toEqual([...batches].sort((a, b) => a - b));
  });

  it('shows "simulating" until the run has ended, and stays at the moment the viewer is at', async () => {
    const feed = new SimulationFeed({ file: SEED_SCENARIO }, start);
    feeds.push(feed);
    const index = await feed.ready;
    const r = renderTui({ index, subscribe: feed.subscribe, source: 'simulation', initial: { growing: !feed.done } });
    try {
      if (!feed.done) expect(r.frame()).toContain('⟳ simulating');
      await waitFor(() => feed.done && !r.frame().includes('simulating'), 'the end of the simulation', 120_000);
      // Paused at the start: the moment did not follow the growing end.
      expect(r.frame()).toContain('knsim seed-walkthrough 00:00.000/');
    } finally {
      r.unmount();
    }
  });

  it('keeps playing at the end of what has been simulated so far, and stops at the end of the run', async () => {
    const index = await seedIndex();
    const end = { pos: index.length, t: index.endT };
    const growing = initialViewState({ ...end, playing: true, growing: true });
    expect(reduceView(index, growing, { type: 'advance', wallMs: 1000 }).playing).toBe(true);
    const complete = reduceView(index, growing, { type: 'complete' });
    expect(reduceView(index, complete, { type: 'advance', wallMs: 1000 }).playing).toBe(false);
    // A batch arriving does not move the moment (unlike a followed live log at its edge).
    const start = initialViewState({ growing: true });
    expect(reduceView(index, start, { type: 'grew', previousLength: 0, keepEdge: false })).toMatchObject({
      pos: 0,
      t: 0,
      known: index.length,
    });
  });
});
