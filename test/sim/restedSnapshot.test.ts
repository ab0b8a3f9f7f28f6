/**
 * A resting machine keeps its context and a rest of its persisted snapshot shared with the
 * machines resting in the same state (src/sim/restedSnapshot.ts). Started again from what it kept,
 * a machine must move, keep its context and emit exactly as one started from XState's own
 * persisted snapshot, whatever its state value (nested, parallel) and history; machines resting
 * in the same state share one frozen state value; ones in other states never share; equal parts
 * of their contexts are shared.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnyActor, assign, createActor, emit, type Snapshot, setup } from 'xstate';
import { rested } from '../../src/sim/restedSnapshot.js';

/** Parallel regions, a nested state with a deep history: state values of every shape. */
const panel = setup({
  types: {
    context: {} as { presses: number; conditions: { type: string; status: string }[] },
    events: {} as { type: 'power' } | { type: 'mode' } | { type: 'deeper' } | { type: 'away' } | { type: 'back' },
    emitted: {} as { type: 'told'; text: string },
  },
  actions: {
    // Conditions as the lifecycle machines keep them: a fresh array of fresh objects each time.
    press: assign(({ context }) => ({
      presses: context.presses + 1,
      conditions: [
        { type: 'Powered', status: context.conditions[0]?.status === 'True' ? 'False' : 'True' },
        { type: 'Pressed', status: String((context.presses + 1) % 3) },
      ],
    })),
  },
}).createMachine({
  id: 'panel',
  type: 'parallel',
  context: { presses: 0, conditions: [] },
  states: {
    power: {
      initial: 'off',
      states: {
        off: { on: { power: { target: 'on', actions: ['press', emit({ type: 'told', text: 'on' })] } } },
        on: { on: { power: { target: 'off', actions: ['press', emit({ type: 'told', text: 'off' })] } } },
      },
    },
    mode: {
      initial: 'menu',
      states: {
        menu: {
          initial: 'a',
          states: {
            a: { on: { mode: 'b', deeper: 'c' } },
            b: { on: { mode: 'a' } },
            c: { initial: 'x', states: { x: { on: { mode: 'y' } }, y: { on: { mode: 'x' } } } },
            hist: { type: 'history', history: 'deep' },
          },
          on: { away: 'elsewhere' },
        },
        elsewhere: {
          entry: emit({ type: 'told', text: 'away' }),
          on: { back: { target: 'menu.hist', actions: emit({ type: 'told', text: 'back' }) } },
        },
      },
    },
  },
});

type Ev = 'power' | 'mode' | 'deeper' | 'away' | 'back';
const steps = fc.array(fc.oneof(fc.constantFrom<Ev>('power', 'mode', 'deeper', 'away', 'back'), fc.constant('rest')), {
  maxLength: 30,
});

/** Sends the events; at each `rest`, the machine is stopped and started again from what is kept. */
function drive(list: (Ev | 'rest')[], keep: (persisted: Snapshot<unknown>) => Snapshot<unknown>) {
  const told: string[] = [];
  const start = (snapshot?: Snapshot<unknown>): AnyActor => {
    const a = createActor(panel, snapshot ? { snapshot } : {});
    a.on('told', (e) => told.push(e.text));
    return a.start();
  };
  let actor = start();
  const views: unknown[] = [];
  for (const s of list) {
    if (s === 'rest') {
      const kept = keep(actor.getPersistedSnapshot());
      actor.stop();
      actor = start(kept);
    } else actor.send({ type: s });
    const snap = actor.getSnapshot();
    views.push({ status: snap.status, value: snap.value, context: snap.context });
  }
  return { told, views };
}

describe('rested snapshots', () => {
  it('start a machine again as its own persisted snapshot does, whatever its state (fast-check)', () => {
    fc.assert(
      fc.property(steps, (list) => {
        const shared = drive(list, (p) => {
          const r = rested(p);
          // What a resting actor's readers see of it: the persisted snapshot's status, value and context.
          const own = p as unknown as { status: string; value: unknown; context: unknown };
          expect({ status: r.status, value: r.value, context: r.context }).toStrictEqual({
            status: own.status,
            value: own.value,
            context: own.context,
          });
          return r.persisted();
        });
        const own = drive(list, (p) => p);
        expect(shared.told).toEqual(own.told);
        expect(shared.views).toStrictEqual(own.views);
      }),
      { numRuns: 300 },
    );
  });

  it('machines resting in the same state share one frozen state value; other states do not', () => {
    const at = (events: Ev[]) => {
      const a = createActor(panel).start();
      for (const type of events) a.send({ type });
      const r = rested(a.getPersistedSnapshot());
      a.stop();
      return r;
    };
    const one = at(['power', 'deeper']);
    const two = at(['deeper', 'power', 'power', 'power']);
    expect(one.value).toEqual({ power: 'on', mode: { menu: { c: 'x' } } });
    expect(two.value).toBe(one.value);
    expect(Object.isFrozen(one.value)).toBe(true);
    expect(two.context).toEqual({
      presses: 3,
      conditions: [
        { type: 'Powered', status: 'True' },
        { type: 'Pressed', status: '0' },
      ],
    });
    // The parts of resting machines' contexts are shared when equal, and frozen.
    const conditions = (r: { context: unknown }) => (r.context as { conditions: object[] }).conditions;
    const four = at(['power', 'power', 'power', 'mode']);
    expect(conditions(four)).toBe(conditions(two));
    expect(Object.isFrozen(conditions(two)[0])).toBe(true);
    expect(conditions(one)[1]).not.toBe(conditions(two)[1]);
    expect(conditions(one)[0]).toBe(conditions(two)[0]);
    expect(at(['deeper', 'mode', 'power']).value).toEqual({ power: 'on', mode: { menu: { c: 'y' } } });
    expect(at(['power', 'mode']).value).not.toBe(one.value);
    // A history recorded is the machine's own: kept as it is, not shared.
    const away = at(['deeper', 'away']);
    expect((away.persisted() as unknown as { historyValue: object }).historyValue).not.toEqual({});
  });
});
