import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { podMachine, podPhaseOf } from '../../src/model/machines/pod.js';
import { Engine } from '../../src/sim/engine.js';

describe('engine', () => {
  it('delivers callbacks earliest first and ties in scheduling order', () => {
    const engine = new Engine();
    const seen: string[] = [];
    engine.at(20, () => seen.push('b'));
    engine.at(10, () => seen.push('a'));
    engine.at(20, () => seen.push('c'));
    engine.runUntil(100);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(engine.now()).toBe(100);
  });

  it('skips cancelled callbacks', () => {
    const engine = new Engine();
    const seen: string[] = [];
    const e = engine.at(5, () => seen.push('x'));
    engine.at(6, () => seen.push('y'));
    engine.cancel(e);
    engine.runUntil(10);
    expect(seen).toEqual(['y']);
    expect(engine.pending()).toBe(0);
  });

  it('refuses to schedule in the past', () => {
    const engine = new Engine();
    engine.runUntil(50);
    expect(() => engine.at(10, () => {})).toThrow(/already at 50 ms/);
  });

  it('runs chained xstate delays at the right simulated instants (unlike SimulatedClock.increment)', () => {
    const engine = new Engine();
    const actor = createActor(podMachine, {
      clock: engine.clock,
      input: { name: 'p', revision: 'r', schedulingMs: 100, creatingMs: 1000, startupMs: 500, drainMs: 30_000 },
    });
    const phases: string[] = [];
    actor.on('phase', (e) => phases.push(`${engine.now()}:${e.phase}`));
    // The snapshot is the one holder of the phase: a listener already reads the phase announced.
    const held: string[] = [];
    actor.on('phase', (e) => held.push(`${e.phase}=${podPhaseOf(actor.getSnapshot())}`));
    // The scheduler and the kubelet answer at once (a node with room, the images cached).
    actor.on('schedule', () => actor.send({ type: 'pod.bound', node: 'n' }));
    actor.on('pull', () => actor.send({ type: 'pod.pulled' }));
    actor.start();
    engine.runUntil(10_000);
    expect(phases).toEqual(['0:Pending', '100:ContainerCreating', '1100:Running', '1600:Ready']);
    actor.send({ type: 'pod.delete' });
    engine.runUntil(40_000 - 1);
    expect(phases.slice(4)).toEqual(['10000:Terminating']);
    engine.runUntil(40_000);
    expect(phases.slice(4)).toEqual(['10000:Terminating', '40000:Gone']);
    expect(podPhaseOf(actor.getSnapshot())).toBe('Gone');
    expect(held).toEqual(phases.map((p) => p.split(':')[1]).map((p) => `${p}=${p}`));
  });

  it('lets a pod deleted while pending go almost at once', () => {
    const engine = new Engine();
    const actor = createActor(podMachine, {
      clock: engine.clock,
      input: { name: 'p', revision: 'r', schedulingMs: 100, creatingMs: 1000, startupMs: 500, drainMs: 30_000 },
    });
    const phases: string[] = [];
    actor.on('phase', (e) => phases.push(`${engine.now()}:${e.phase}`));
    expect(podPhaseOf(actor.getSnapshot())).toBe('Pending');
    actor.start();
    expect(podPhaseOf(actor.getSnapshot())).toBe('Pending');
    actor.send({ type: 'pod.delete' });
    expect(podPhaseOf(actor.getSnapshot())).toBe('Terminating');
    engine.runUntil(60_000);
    expect(phases).toEqual(['0:Pending', '0:Terminating', '500:Gone']);
  });
});
