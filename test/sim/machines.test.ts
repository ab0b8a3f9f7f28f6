import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { autoscalerMachine, TICK_INTERVAL_MS } from '../../src/model/machines/autoscaler.js';
import { nextTickDelay } from '../../src/sim/controllers/autoscaler.js';
import { Engine } from '../../src/sim/engine.js';

describe('autoscaler machine', () => {
  it('ticks every 2 s on the simulated clock and once more when poked, without moving the phase', () => {
    const engine = new Engine();
    const actor = createActor(autoscalerMachine, { clock: engine.clock, input: { revision: 'r' } });
    const ticks: string[] = [];
    actor.on('tick', (e) => ticks.push(`${engine.now()}:${e.reason}`));
    actor.start();
    engine.runUntil(TICK_INTERVAL_MS - 1);
    expect(ticks).toEqual([]);
    engine.runUntil(3000);
    actor.send({ type: 'autoscaler.poke' });
    engine.runUntil(6000);
    expect(ticks).toEqual(['2000:timer', '3000:poke', '4000:timer', '6000:timer']);
  });

  it('stops ticking once stopped', () => {
    const engine = new Engine();
    const actor = createActor(autoscalerMachine, { clock: engine.clock, input: { revision: 'r' } });
    let ticks = 0;
    actor.on('tick', () => ticks++);
    actor.start();
    engine.runUntil(2000);
    actor.send({ type: 'autoscaler.stop' });
    engine.runUntil(10_000);
    expect(ticks).toBe(1);
    expect(engine.pending()).toBe(0);
  });

  it('sleeps when idle and, woken, ticks again on the same grid at the same doubles (seed printed on failure)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 5000, noNaN: true }),
        fc.array(fc.double({ min: 1, max: 400_000, noNaN: true }), { minLength: 1, maxLength: 6 }),
        (start, gaps) => {
          // A ticker started at `start`, idle after its 2nd tick, woken at each gap's end.
          const reference: number[] = [];
          const slept: number[] = [];
          const engine = new Engine();
          engine.runUntil(start);
          const plain = createActor(autoscalerMachine, { clock: engine.clock, input: { revision: 'a' } });
          const idler = createActor(autoscalerMachine, { clock: engine.clock, input: { revision: 'b' } });
          let last = engine.now();
          plain.on('tick', () => reference.push(engine.now()));
          idler.on('tick', (e) => {
            slept.push(engine.now());
            if (e.reason === 'timer') last = engine.now();
          });
          plain.start();
          idler.start();
          engine.runUntil(start + 2 * TICK_INTERVAL_MS);
          let t = engine.now();
          for (const gap of gaps) {
            idler.send({ type: 'autoscaler.idle' });
            t += gap;
            engine.runUntil(t);
            const { delayMs } = nextTickDelay(last, engine.now());
            idler.send({ type: 'autoscaler.wake', delayMs });
            t += TICK_INTERVAL_MS * 1.5;
            engine.runUntil(t);
          }
          // Every tick of the sleeper is a tick of the plain ticker, at the very same time.
          const ticks = new Set(reference);
          for (const at of slept) expect(ticks.has(at), `tick at ${at}`).toBe(true);
          // …its first tick came, and after each wake it ticked again (within 1.5 intervals).
          expect(slept.length).toBeGreaterThanOrEqual(1 + gaps.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
