import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { autoscalerMachine, TICK_INTERVAL_MS } from '../../src/model/machines/autoscaler.js';
import { revisionLifecycleMachine } from '../../src/model/machines/revision.js';
import { routeMachine } from '../../src/model/machines/route.js';
import { serviceLifecycleMachine } from '../../src/model/machines/service.js';
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

describe('route machine', () => {
  it('reports the ingress ready one programming delay after the last traffic change', () => {
    const engine = new Engine();
    const actor = createActor(routeMachine, { clock: engine.clock, input: { name: 'r', ingressProgrammingMs: 800 } });
    const ready: string[] = [];
    actor.on('ingress.ready', (e) => ready.push(`${engine.now()}:${e.key}`));
    actor.start();
    engine.runUntil(5000);
    expect(ready).toEqual([]);
    actor.send({ type: 'route.traffic', key: 'a' });
    engine.runUntil(5500);
    actor.send({ type: 'route.traffic', key: 'b' });
    engine.runUntil(6299);
    expect(ready).toEqual([]);
    engine.runUntil(6300);
    expect(ready).toEqual(['6300:b']);
  });
});

describe('lifecycle machines', () => {
  it('narrate a revision deploying, serving, going idle and waking up', () => {
    const actor = createActor(revisionLifecycleMachine, { input: { name: 'hello-00001' } });
    const said: string[] = [];
    actor.on('milestone', (e) => said.push(e.text));
    actor.start();
    actor.send({ type: 'revision.activated' });
    actor.send({ type: 'revision.ready' });
    actor.send({ type: 'revision.ready' });
    actor.send({ type: 'revision.deactivated', reason: 'NoTraffic' });
    actor.send({ type: 'revision.activated' });
    expect(said).toEqual([
      'revision hello-00001 is Ready: its first pod passed readiness',
      'no traffic for a whole stable window: revision hello-00001 becomes inactive and will scale to zero (it stays Ready)',
      'revision hello-00001 is active again: a pod is serving',
    ]);
  });

  it('narrate a service becoming ready, rolling out and failing', () => {
    const actor = createActor(serviceLifecycleMachine, { input: { name: 'hello' } });
    const said: string[] = [];
    actor.on('milestone', (e) => said.push(e.text));
    actor.start();
    actor.send({ type: 'service.notReady', reason: 'RevisionMissing' });
    actor.send({ type: 'service.ready', url: 'http://hello.default.example.com', revision: 'hello-00001' });
    actor.send({ type: 'service.notReady', reason: 'RevisionMissing' });
    actor.send({ type: 'service.failed', reason: 'RevisionFailed', message: 'boom' });
    expect(said).toEqual([
      'service hello is Ready at http://hello.default.example.com, serving hello-00001',
      'service hello is rolling out a change (RevisionMissing)',
      'service hello is not ready (RevisionFailed): boom',
    ]);
  });
});
