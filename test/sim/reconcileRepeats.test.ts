/**
 * The Route's and Configuration's reconcilers leave their lifecycle machine alone when a
 * reconcile repeats the last one (`MachinesByObject.repeats`: the same stored object, the same
 * machine snapshot, running or put to rest right after, and equal inputs). The machines' side
 * of it is test/model/reconcileRepeats.test.ts; this is the run's: the same scenario with every
 * reconcile sent writes the same log line for line, and some reconciles were in fact left out.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setup } from 'xstate';
import type { LogLine } from '../../src/model/events.js';
import { loadScenario, runScenario } from '../../src/runner/simulate.js';
import { MachinesByObject } from '../../src/sim/controllers/lifecycle.js';
import { Engine } from '../../src/sim/engine.js';

async function logOf(file: string): Promise<string[]> {
  const lines: string[] = [];
  await runScenario(loadScenario(file), file, {
    log: { keep: false },
    observe: (line: LogLine) => lines.push(JSON.stringify(line)),
  });
  return lines;
}

describe('repeated reconciles left out', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    'scenarios/new-revision-idle.yaml',
    'scenarios/two-namespaces.yaml',
    'test/results/fixtures/two-services.yaml',
  ])('%s: the same log as a run that sends every reconcile', async (file) => {
    const repeats = vi.spyOn(MachinesByObject.prototype, 'repeats');
    const skipping = await logOf(file);
    const left = repeats.mock.results.filter((r) => r.value === true).length;
    expect(left).toBeGreaterThan(0);
    repeats.mockReturnValue(false);
    const sendingAll = await logOf(file);
    expect(skipping.length).toBe(sendingAll.length);
    expect(skipping).toEqual(sendingAll);
  });
});

describe('MachinesByObject.repeats', () => {
  const machine = setup({ types: { events: {} as { type: 'poke' } | { type: 'unpoke' } } }).createMachine({
    initial: 'idle',
    states: { idle: { on: { poke: 'poked' } }, poked: { on: { unpoke: 'idle' } } },
  });
  const route = (resourceVersion: string) => ({
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Route',
    metadata: { name: 'r', namespace: 'default', uid: 'u1', resourceVersion },
  });

  it('is a repeat only for the very stored object, the same snapshot and equal inputs', () => {
    const engine = new Engine();
    const actors = new MachinesByObject(
      machine,
      () => engine,
      () => () => {},
    );
    const first = route('1');
    actors.send(
      first,
      () => undefined,
      { type: 'poke' },
      () => {},
    );
    const stored = route('2');
    actors.sent(first, stored, { traffic: [1] });
    expect(actors.repeats(stored, { traffic: [1] })).toBe(true);
    // Written again since (a user's edit, another writer): the same content is not the same object.
    expect(actors.repeats(route('2'), { traffic: [1] })).toBe(false);
    expect(actors.repeats(stored, { traffic: [2] })).toBe(false);
    actors.send(
      first,
      () => undefined,
      { type: 'poke' },
      () => {},
    );
    expect(actors.repeats(stored, { traffic: [1] })).toBe(true);
    // Moved since (by another event or a timer): its snapshot is no longer the one left.
    actors.send(
      first,
      () => undefined,
      { type: 'unpoke' },
      () => {},
    );
    expect(actors.repeats(stored, { traffic: [1] })).toBe(false);
  });
});
