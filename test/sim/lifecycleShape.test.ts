/**
 * What MachinesByObject keeps per object has one hidden class per kind of record, with room for
 * every field in the object: the host's fields of a hosted machine written in its literal (two
 * added to a literal of two went to a property array: 40 bytes a machine), an entry's `last` in
 * its literal, and the last reconcile of a machine put to rest a literal of `sent`'s shape (a
 * spread followed by a field gave each one a map of its own). A fleet holds four a Service.
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import type { KubeObject } from '../../src/model/api/types.js';
import { MachinesByObject, REST_AFTER_MS } from '../../src/sim/controllers/lifecycle.js';
import { Engine } from '../../src/sim/engine.js';

setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
const hasFastProperties = new Function('a', 'return %HasFastProperties(a)') as (a: object) => boolean;

const machine = setup({ types: { events: {} as { type: 'poke' } } }).createMachine({
  initial: 'idle',
  states: { idle: { on: { poke: 'poked' } }, poked: {} },
});

interface Entry {
  machine: object | undefined;
  last: { machine: unknown } | undefined;
}

describe('MachinesByObject’s records', () => {
  it('share one map per kind, their fields in the object, running, at rest and restored', () => {
    const engine = new Engine();
    const timers = { now: () => engine.now(), at: () => undefined, clock: engine.clock };
    const machines = new MachinesByObject(
      machine,
      () => timers,
      () => () => {},
    );
    const entries = (machines as unknown as { machines: Map<string, Entry> }).machines;
    const things = Array.from(
      { length: 12 },
      (_, i) =>
        ({ apiVersion: 'v1', kind: 'Thing', metadata: { name: `t${i}`, namespace: 'ns', uid: `u${i}` } }) as KubeObject,
    );
    const reconcile = (o: KubeObject) => {
      machines.send(
        o,
        () => undefined,
        { type: 'poke' },
        () => {},
      );
      machines.sent(o, o, { same: true });
      machines.reconciled(o, engine.now());
    };
    for (const o of things) reconcile(o);
    const running = things.map((o) => entries.get(`ns/${o.metadata.name}`)!);
    const hosted = running.map((e) => e.machine!);
    const lastSent = running.map((e) => e.last!);
    // The records as literals of every field would be: the maps to match.
    const entryShape = { uid: 'u', machine: hosted[0], snapshot: undefined, last: lastSent[0] };
    const hostedShape = { namespace: 'ns', name: 'n', snapshot: {}, timers: undefined };
    const lastShape = { machine: {}, stored: things[0], inputs: {} };
    for (let i = 0; i < things.length; i++) {
      expect(haveSameMap(hosted[i]!, hostedShape), 'hosted').toBe(true);
      expect(haveSameMap(running[i]!, entryShape), 'entry').toBe(true);
      expect(haveSameMap(lastSent[i]!, lastShape), 'last sent').toBe(true);
      expect(hasFastProperties(running[i]!)).toBe(true);
    }
    // A minute on, a reconcile of the first rests the others; their last reconcile stays, at rest.
    engine.runUntil(REST_AFTER_MS + 1);
    machines.reconciled(things[0]!, engine.now());
    const rested = things.slice(1).map((o) => entries.get(`ns/${o.metadata.name}`)!);
    for (const e of rested) {
      expect(e.machine).toBeUndefined();
      expect(e.last).toBeDefined();
      expect(haveSameMap(e.last!, lastShape), 'last at rest').toBe(true);
      expect(haveSameMap(e, entryShape), 'entry at rest').toBe(true);
    }
    expect(machines.repeats(things[1]!, { same: true })).toBe(true);
    // Restored by the next send: its hosted object has the same map as a started one.
    reconcile(things[1]!);
    const restored = entries.get('ns/t1')!;
    expect(haveSameMap(restored.machine!, hostedShape), 'restored').toBe(true);
    expect(haveSameMap(restored, entryShape), 'entry restored').toBe(true);
  });
});
