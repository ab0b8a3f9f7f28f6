import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { autoscalerMachine, TICK_INTERVAL_MS } from '../../src/model/machines/autoscaler.js';
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
});
