/**
 * The objects a MachineHost makes (src/sim/machineHost.ts `start`, `restore`) from the caller's
 * objects of one shape share one hidden class. Made by a spread with the machine's fields after
 * it, V8 (Node 20) would give each one a map and descriptors of its own (≈ 200 bytes for a
 * lifecycle machine's, ≈ 700 for a pod's, each object's reads megamorphic); a fleet holds
 * thousands of them. The hosted object is the caller's own, its fields kept, in their order.
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { routeMachine } from '../../src/model/machines/route.js';
import { Engine } from '../../src/sim/engine.js';
import { MachineHost } from '../../src/sim/machineHost.js';

setFlagsFromString('--allow-natives-syntax');
// Parsed after the flag is set: V8's own test of two objects' maps.
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

const routeInput = { name: 'r', ingressProgrammingMs: 1000 };

function host(): MachineHost<typeof routeMachine> {
  const engine = new Engine();
  return new MachineHost(
    routeMachine,
    () => engine.clock,
    () => () => {},
  );
}

describe('a hosted machine has its caller object’s hidden class', () => {
  it('started and restored from literals of one shape: one map for all, the fields kept in order', () => {
    const h = host();
    const started = Array.from({ length: 40 }, (_, i) => h.start({ namespace: 'default', name: `r${i}` }, routeInput));
    const persisted = h.machine.getPersistedSnapshot(started[0]!.snapshot);
    const restored = Array.from({ length: 40 }, (_, i) =>
      h.restore({ namespace: 'default', name: `q${i}` }, persisted),
    );
    const last = started[started.length - 1]!;
    for (const m of [...started, ...restored]) expect(haveSameMap(m, last)).toBe(true);
    expect(Object.keys(last)).toEqual(['namespace', 'name', 'snapshot', 'timers']);
    expect(restored[3]!.name).toBe('q3');
    expect(restored[3]!.snapshot.value).toEqual(started[0]!.snapshot.value);
  });

  it("a pod's twenty-odd fields: one map for all", () => {
    const h = host();
    const made = (i: number) => ({
      name: `p${i}`,
      revision: 'rev',
      createdAt: i * 1.5,
      ip: `10.0.0.${i}`,
      namespace: 'default',
      deployment: 'rev-deployment',
      listener: undefined,
      toSchedule: undefined,
      inbox: undefined,
      node: undefined,
      images: [],
      pulls: undefined,
      unschedulable: undefined,
      announced: undefined,
      scheduledAt: undefined,
      startedAt: undefined,
      readyAt: undefined,
      containerIds: undefined,
      crash: undefined,
    });
    const pods = Array.from({ length: 40 }, (_, i) => h.start(made(i), routeInput));
    for (const p of pods) expect(haveSameMap(p, pods[pods.length - 1]!)).toBe(true);
  });
});
