/**
 * Model-based tests (fast-check commands) of the PodAutoscaler and SKS machines against
 * deliberately simple models: the reference's tables written as a few lines each (§4 "PA Active
 * condition", "SKS mode and activators"). Every command also checks what the machine emitted:
 * the Active condition it sets, the panic changes it reports, the routing it switches.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Actor, createActor } from 'xstate';
import type { PAState, SKSMode } from '../../src/model/kpa/index.js';
import {
  isPanicking,
  type PodAutoscalerEmitted,
  paScaledStep,
  paStateOf,
  podAutoscalerMachine,
} from '../../src/model/machines/podAutoscaler.js';
import { type SksEmitted, sksMachine, sksModeOf, sksReconcileMoves } from '../../src/model/machines/sks.js';

const SEED = Number(process.env.KNSIM_FC_SEED ?? 424242);
const RUNS = { numRuns: 400, seed: SEED } as const;

// ---- PodAutoscaler ----

interface PaModel {
  state: PAState;
  reason: string;
  panicking: boolean;
}

interface PaReal {
  actor: Actor<typeof podAutoscalerMachine>;
  emitted: PodAutoscalerEmitted[];
}

/** A new PA: Activating, no reason yet. */
function newPa(panicking: boolean): PaModel {
  return { state: 'Activating', reason: '', panicking };
}

const STATUS: Record<PAState, string> = { Active: 'True', Activating: 'Unknown', Inactive: 'False' };

/** The reference's table: where a scale step takes the Active condition, or undefined (left as it is). */
function expectedActive(m: PaModel, want: number, ready: number, minReady: number): [PAState, string] | undefined {
  if (want === 0 || minReady === 0) {
    return ['Inactive', m.state === 'Activating' && minReady > 0 ? 'TimedOut' : 'NoTraffic'];
  }
  const wanted = want > 0 || m.state !== 'Inactive';
  if (ready < minReady) return wanted ? ['Activating', 'Queued'] : ['Inactive', 'NoTraffic'];
  return wanted ? ['Active', ''] : undefined;
}

class Scaled implements fc.Command<PaModel, PaReal> {
  constructor(
    readonly want: number,
    readonly ready: number,
    readonly minReady: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(m: PaModel, r: PaReal): void {
    r.emitted.length = 0;
    r.actor.send({ type: 'pa.scaled', want: this.want, readyPods: this.ready, minReady: this.minReady });
    const next = expectedActive(m, this.want, this.ready, this.minReady);
    if (next) {
      [m.state, m.reason] = next;
      expect(r.emitted).toEqual([
        expect.objectContaining({ type: 'pa.active', status: STATUS[m.state], reason: m.reason }),
      ]);
    } else {
      expect(r.emitted).toEqual([]);
    }
    const snapshot = r.actor.getSnapshot();
    expect(paStateOf(snapshot)).toBe(m.state);
    // Panic is the decider's: a scale step never moves it.
    expect(isPanicking(snapshot)).toBe(m.panicking);
    expectReadsAsMatches(snapshot);
  }
  toString(): string {
    return `scaled(want ${this.want}, ready ${this.ready}, minReady ${this.minReady})`;
  }
}

/** paStateOf and isPanicking read the snapshot's value: the same answers as XState's `matches`. */
function expectReadsAsMatches(snapshot: ReturnType<PaReal['actor']['getSnapshot']>): void {
  const state = snapshot.matches({ active: 'Active' })
    ? 'Active'
    : snapshot.matches({ active: 'Inactive' })
      ? 'Inactive'
      : 'Activating';
  expect(paStateOf(snapshot)).toBe(state);
  expect(isPanicking(snapshot)).toBe(snapshot.matches({ decider: 'Panicking' }));
}

class Panic implements fc.Command<PaModel, PaReal> {
  constructor(readonly enter: boolean) {}
  check(m: Readonly<PaModel>): boolean {
    return m.panicking !== this.enter;
  }
  run(m: PaModel, r: PaReal): void {
    r.emitted.length = 0;
    r.actor.send({ type: this.enter ? 'decider.panicked' : 'decider.calmed' });
    m.panicking = this.enter;
    expect(r.emitted).toEqual([{ type: 'decider.mode', panicking: this.enter }]);
    const snapshot = r.actor.getSnapshot();
    expect(isPanicking(snapshot)).toBe(this.enter);
    // … and the Active condition does not move with it (panic exists in every PA state).
    expect(paStateOf(snapshot)).toBe(m.state);
    expectReadsAsMatches(snapshot);
  }
  toString(): string {
    return this.enter ? 'panicked' : 'calmed';
  }
}

describe(`PodAutoscaler machine against the reference's table (fast-check, seed ${SEED})`, () => {
  const commands = [
    fc
      .tuple(fc.constantFrom(-1, 0, 1, 3), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 }))
      .map(([want, ready, minReady]) => new Scaled(want, ready, minReady)),
    fc.boolean().map((enter) => new Panic(enter)),
  ];

  it('moves the Active condition as the table says, emits each condition it sets, and keeps panic apart', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.commands(commands, { maxCommands: 40 }), (startsInPanic, cmds) => {
        const emitted: PodAutoscalerEmitted[] = [];
        const actor = createActor(podAutoscalerMachine, { input: { revision: 'r', panicking: startsInPanic } });
        actor.on('*', (e) => emitted.push(e));
        actor.start();
        // A new PA is Activating with no reason yet; nothing is emitted until a scale step ran.
        expect(paStateOf(actor.getSnapshot())).toBe('Activating');
        expect(emitted).toEqual([]);
        fc.modelRun(() => ({ model: newPa(startsInPanic), real: { actor, emitted } }), cmds);
        actor.stop();
      }),
      RUNS,
    );
  });

  it('reaches every state of the table in generated runs', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 40 }), (cmds) => {
        const emitted: PodAutoscalerEmitted[] = [];
        const actor = createActor(podAutoscalerMachine, { input: { revision: 'r', panicking: false } });
        actor.on('*', (e) => {
          emitted.push(e);
          if (e.type === 'pa.active') seen.add(`${e.status}/${e.reason}`);
        });
        actor.start();
        fc.modelRun(() => ({ model: newPa(false), real: { actor, emitted } }), cmds);
      }),
      { numRuns: 100, seed: SEED },
    );
    expect([...seen].sort()).toEqual(['False/NoTraffic', 'False/TimedOut', 'True/', 'Unknown/Queued']);
  });
});

describe(`paScaledStep: leaving out the scale steps that do not move the PA (fast-check, seed ${SEED})`, () => {
  type Step = { kind: 'scaled'; want: number; ready: number; minReady: number } | { kind: 'panic'; enter: boolean };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc
      .tuple(fc.constantFrom(-1, 0, 1, 3), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 }))
      .map(([want, ready, minReady]) => ({ kind: 'scaled' as const, want, ready, minReady })),
    fc.boolean().map((enter) => ({ kind: 'panic' as const, enter })),
  );

  it('a host that sends only the moving ones sees the conditions and states of one sent every step', () => {
    const kinds = new Set<string>();
    fc.assert(
      fc.property(fc.boolean(), fc.array(step, { maxLength: 40 }), (startsInPanic, steps) => {
        const input = { revision: 'r', panicking: startsInPanic };
        // `all` is sent every event; `host` only what paScaledStep says moves it, as the KPA does.
        const all = createActor(podAutoscalerMachine, { input });
        const host = createActor(podAutoscalerMachine, { input });
        const allSeen: PodAutoscalerEmitted[] = [];
        const hostSeen: PodAutoscalerEmitted[] = [];
        all.on('*', (e) => allSeen.push(e));
        host.on('*', (e) => hostSeen.push(e));
        all.start();
        host.start();
        for (const s of steps) {
          if (s.kind === 'panic') {
            if (isPanicking(all.getSnapshot()) === s.enter) continue;
            const event = { type: s.enter ? 'decider.panicked' : 'decider.calmed' } as const;
            all.send(event);
            host.send(event);
          } else {
            const event = { type: 'pa.scaled', want: s.want, readyPods: s.ready, minReady: s.minReady } as const;
            const before = all.getSnapshot();
            const stepOf = paScaledStep(host.getSnapshot(), event);
            const emittedBefore = allSeen.length;
            all.send(event);
            // What the step says the machine emits is what it emitted.
            expect(allSeen.slice(emittedBefore)).toEqual(stepOf.condition ? [stepOf.condition] : []);
            // It moves exactly when the state's value changes.
            expect(stepOf.moves).toBe(JSON.stringify(all.getSnapshot().value) !== JSON.stringify(before.value));
            if (stepOf.moves) {
              host.send(event);
              kinds.add('sent');
            } else {
              if (stepOf.condition) hostSeen.push(stepOf.condition);
              kinds.add(stepOf.condition ? 'left out, condition set again' : 'left out, condition kept');
            }
          }
          expect(host.getSnapshot().value).toEqual(all.getSnapshot().value);
          expect(hostSeen).toEqual(allSeen);
        }
        all.stop();
        host.stop();
      }),
      RUNS,
    );
    expect([...kinds].sort()).toEqual(['left out, condition kept', 'left out, condition set again', 'sent']);
  });
});

// ---- SKS ----

interface SksModel {
  mode: SKSMode;
  proxySinceMs: number | null;
  now: number;
}

interface SksReal {
  actor: Actor<typeof sksMachine>;
  routed: SksEmitted[];
}

/** A new SKS, made at `nowMs` in Proxy mode. */
function newSks(nowMs: number): SksModel {
  return { mode: 'Proxy', proxySinceMs: nowMs, now: nowMs };
}

class Reconcile implements fc.Command<SksModel, SksReal> {
  constructor(
    readonly requested: SKSMode,
    readonly ready: number,
    readonly activators: number,
    readonly afterMs: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(m: SksModel, r: SksReal): void {
    m.now += this.afterMs;
    r.routed.length = 0;
    const event = {
      type: 'sks.reconcile',
      requested: this.requested,
      readyEndpoints: this.ready,
      activatorEndpoints: this.activators,
      nowMs: m.now,
    } as const;
    const before = r.actor.getSnapshot();
    const moves = sksReconcileMoves(before, event);
    r.actor.send(event);
    // A host may leave out what does not move the machine: nothing changes and nothing is emitted.
    expect(moves).toBe(r.actor.getSnapshot() !== before || r.routed.length > 0);
    if (!moves) expect(r.routed).toEqual([]);
    // The SKS reconciler: no ready pod → activators; no activator → pods; else what the KPA asked.
    const mode: SKSMode = this.ready === 0 ? 'Proxy' : this.activators === 0 ? 'Serve' : this.requested;
    if (mode !== m.mode) {
      expect(r.routed).toEqual([{ type: 'sks.routing', mode }]);
      m.proxySinceMs = mode === 'Proxy' ? m.now : null;
      m.mode = mode;
    } else {
      expect(r.routed).toEqual([]);
    }
    const snapshot = r.actor.getSnapshot();
    expect(sksModeOf(snapshot)).toBe(m.mode);
    expect(sksModeOf(snapshot)).toBe(snapshot.matches('Serve') ? 'Serve' : 'Proxy');
    expect(snapshot.context.proxySinceMs).toBe(m.proxySinceMs);
  }
  toString(): string {
    return `reconcile(+${this.afterMs} ms: ${this.requested}, ready ${this.ready}, activators ${this.activators})`;
  }
}

describe(`SKS machine against the SKS reconciler's rule (fast-check, seed ${SEED})`, () => {
  it('switches the routing only when the mode changes, and knows since when activators serve', () => {
    const command = fc
      .tuple(
        fc.constantFrom<SKSMode>('Serve', 'Proxy'),
        fc.integer({ min: 0, max: 2 }),
        fc.constantFrom(0, 2, 3),
        fc.integer({ min: 0, max: 5_000 }),
      )
      .map(([requested, ready, activators, after]) => new Reconcile(requested, ready, activators, after));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.commands([command], { maxCommands: 30 }), (made, cmds) => {
        const routed: SksEmitted[] = [];
        const actor = createActor(sksMachine, { input: { revision: 'r', nowMs: made } });
        actor.on('sks.routing', (e) => routed.push(e));
        actor.start();
        // Made in Proxy mode: the data plane routes through the activators from the start.
        expect(routed).toEqual([{ type: 'sks.routing', mode: 'Proxy' }]);
        fc.modelRun(() => ({ model: newSks(made), real: { actor, routed } }), cmds);
      }),
      RUNS,
    );
  });
});
