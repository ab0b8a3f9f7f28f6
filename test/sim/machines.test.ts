import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnyStateMachine, assign, createActor, emit, setup } from 'xstate';
import {
  type AutoscalerEvent,
  autoscalerMachine,
  EMITTED_POKE_TICK,
  POKE,
  pokeTicks,
  TICK_INTERVAL_MS,
} from '../../src/model/machines/autoscaler.js';
import { nextTickDelay } from '../../src/sim/controllers/autoscaler.js';
import { Engine } from '../../src/sim/engine.js';
import { type HostOptions, MachineHost } from '../../src/sim/machineHost.js';

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

/**
 * The ticker as it was written first: `ticking` left and entered again by its `after` timer.
 * The machine re-arms its timer in place instead (cheaper in XState); the two must tick alike.
 */
const reenteringTicker = setup({
  types: {
    input: {} as { revision: string },
    context: {} as { tickIntervalMs: number; resumeDelayMs: number },
    events: {} as AutoscalerEvent,
  },
  delays: {
    tickInterval: ({ context }) => context.tickIntervalMs,
    resumeDelay: ({ context }) => context.resumeDelayMs,
  },
  actions: {
    tick: emit((_, params: { reason: 'timer' | 'poke' }) => ({ type: 'tick' as const, reason: params.reason })),
  },
}).createMachine({
  context: { tickIntervalMs: TICK_INTERVAL_MS, resumeDelayMs: TICK_INTERVAL_MS },
  initial: 'ticking',
  states: {
    ticking: {
      after: {
        tickInterval: { target: 'ticking', reenter: true, actions: [{ type: 'tick', params: { reason: 'timer' } }] },
      },
      on: {
        'autoscaler.poke': { actions: [{ type: 'tick', params: { reason: 'poke' } }] },
        'autoscaler.idle': 'idle',
        'autoscaler.stop': 'stopped',
      },
    },
    idle: {
      on: {
        'autoscaler.wake': { target: 'resuming', actions: assign({ resumeDelayMs: ({ event }) => event.delayMs }) },
        'autoscaler.stop': 'stopped',
      },
    },
    resuming: {
      after: { resumeDelay: { target: 'ticking', actions: [{ type: 'tick', params: { reason: 'timer' } }] } },
      on: {
        'autoscaler.poke': { actions: [{ type: 'tick', params: { reason: 'poke' } }] },
        'autoscaler.idle': 'idle',
        'autoscaler.stop': 'stopped',
      },
    },
    stopped: { type: 'final' },
  },
});

describe('autoscaler machine against the re-entering ticker', () => {
  type Step = {
    gapMs: number;
    send: 'poke' | 'idle' | 'idleInTick' | 'wake' | 'stop' | 'none';
    delayMs: number;
  };
  /**
   * Each tick (time, reason, and the engine's delivered count: the same engine order), the states,
   * the pending timers (XState's delayed events and the actors the machine invoked).
   * `idleInTick`: the next tick's listener sends `autoscaler.idle`, as the KPA does when the
   * decider can only say "no data". Pokes are the one shared event object (`POKE`), as the KPA sends them.
   */
  function trace(machine: AnyStateMachine, startMs: number, steps: Step[], directPokes = false): string[] {
    const engine = new Engine();
    engine.runUntil(startMs);
    const seen: string[] = [];
    const actor = createActor(machine, { clock: engine.clock, input: { revision: 'r' } });
    let idleInTick = false;
    actor.on('tick', (e: { reason: string }) => onTick(e));
    function onTick(e: { reason: string }): void {
      seen.push(`tick ${engine.now()} ${e.reason} #${engine.delivered}`);
      // A timer event scheduled from inside the tick (as the KPA's reconcile does), to check that
      // the re-armed timer takes its place in the engine's order after it, as before.
      engine.after(TICK_INTERVAL_MS, () => seen.push(`host ${engine.now()} #${engine.delivered}`));
      if (idleInTick) {
        idleInTick = false;
        actor.send({ type: 'autoscaler.idle' });
      }
    }
    actor.start();
    for (const step of steps) {
      engine.runUntil(engine.now() + step.gapMs);
      if (actor.getSnapshot().status !== 'active') {
        // Stopped: nothing to send (XState would warn); the engine still runs.
      } else if (step.send === 'wake') actor.send({ type: 'autoscaler.wake', delayMs: step.delayMs });
      else if (step.send === 'idleInTick') idleInTick = true;
      // `directPokes`: a poke's tick handed to the host when the machine says a poke only ticks (as the KPA does).
      else if (step.send === 'poke' && directPokes && pokeTicks(actor.getSnapshot())) onTick(EMITTED_POKE_TICK);
      else if (step.send === 'poke') actor.send(POKE);
      else if (step.send !== 'none') actor.send({ type: `autoscaler.${step.send}` });
      const snapshot = actor.getSnapshot();
      const scheduled =
        Object.keys(actor.system.getSnapshot()._scheduledEvents).length + Object.keys(snapshot.children).length;
      seen.push(
        `${engine.now()} ${String(snapshot.value)} ${snapshot.status} pending=${engine.pending()} scheduled=${scheduled}`,
      );
    }
    return seen;
  }

  /**
   * The same, with the machine run as the KPA runs it (src/sim/controllers/autoscaler.ts): no
   * actor, through the host on the engine's clock, its still transitions repeated (`repeatStill`);
   * the host has no mailbox, so `autoscaler.idle` decided in a tick is sent once the tick's
   * transition is over (the host's `settled` after a timer, and after a poke). `directPokes`: as
   * in `trace`; without it every poke is sent to the machine.
   */
  function traceHosted(
    startMs: number,
    steps: Step[],
    options: HostOptions<typeof autoscalerMachine> = {},
    directPokes = true,
    tamper?: (host: MachineHost<typeof autoscalerMachine>) => void,
  ): string[] {
    const engine = new Engine();
    engine.runUntil(startMs);
    const seen: string[] = [];
    let idleInTick = false;
    let toTicker: AutoscalerEvent | undefined;
    const settle = (): void => {
      const event = toTicker;
      toTicker = undefined;
      if (event) host.send(ticker, event, onTick);
    };
    const host = new MachineHost(
      autoscalerMachine,
      () => engine.clock,
      () => onTick,
      { ...options, settled: settle },
    );
    tamper?.(host);
    function onTick(e: { reason: string }): void {
      seen.push(`tick ${engine.now()} ${e.reason} #${engine.delivered}`);
      engine.after(TICK_INTERVAL_MS, () => seen.push(`host ${engine.now()} #${engine.delivered}`));
      if (idleInTick) {
        idleInTick = false;
        toTicker = { type: 'autoscaler.idle' };
      }
    }
    const ticker = host.start({}, { revision: 'r' });
    for (const step of steps) {
      engine.runUntil(engine.now() + step.gapMs);
      if (ticker.snapshot.status !== 'active') {
        // Stopped: nothing to send; the engine still runs.
      } else if (step.send === 'wake') host.send(ticker, { type: 'autoscaler.wake', delayMs: step.delayMs }, onTick);
      else if (step.send === 'idleInTick') idleInTick = true;
      else if (step.send === 'poke') {
        if (directPokes && pokeTicks(ticker.snapshot)) onTick(EMITTED_POKE_TICK);
        else host.send(ticker, POKE, onTick);
        settle();
      } else if (step.send !== 'none') host.send(ticker, { type: `autoscaler.${step.send}` }, onTick);
      const scheduled = ticker.timers?.size ?? 0;
      seen.push(
        `${engine.now()} ${String(ticker.snapshot.value)} ${ticker.snapshot.status} pending=${engine.pending()} scheduled=${scheduled}`,
      );
    }
    return seen;
  }

  const start = fc.double({ min: 0, max: 5000, noNaN: true });
  const steps = fc.array(
    fc.record({
      gapMs: fc.oneof(fc.double({ min: 0, max: 20_000, noNaN: true }), fc.constantFrom(0, 1000, 2000, 4000)),
      send: fc.constantFrom<Step['send']>('poke', 'idle', 'idleInTick', 'wake', 'stop', 'none'),
      delayMs: fc.double({ min: 0, max: 4000, noNaN: true }),
    }),
    { maxLength: 12 },
  );

  it('ticks, sleeps, wakes and stops at the same times in the same engine order (seed printed on failure)', () => {
    fc.assert(
      fc.property(start, steps, (startMs, s) => {
        const reference = trace(reenteringTicker, startMs, s);
        expect(trace(autoscalerMachine, startMs, s)).toEqual(reference);
        // …and the pokes' ticks handed to the host, when `pokeTicks` says a poke would only emit one.
        expect(trace(autoscalerMachine, startMs, s, true)).toEqual(reference);
      }),
      { numRuns: 300 },
    );
  });

  it('run without an actor as the KPA runs it, and with XState for every transition: the same trace (seed printed on failure)', () => {
    fc.assert(
      fc.property(start, steps, (startMs, s) => {
        const reference = trace(reenteringTicker, startMs, s);
        expect(traceHosted(startMs, s, { repeatStill: true })).toEqual(reference);
        expect(traceHosted(startMs, s, { repeatStill: true }, false)).toEqual(reference);
        expect(traceHosted(startMs, s)).toEqual(reference);
      }),
      { numRuns: 300 },
    );
  });

  it('the oracle sees a host that repeats a transition from another snapshot', () => {
    // Repeats the last still transition whatever the snapshot: a poke taken while ticking is
    // repeated once the ticker sleeps (where a poke does nothing).
    const careless = (host: MachineHost<typeof autoscalerMachine>) => {
      const send = host.send.bind(host);
      host.send = (hosted, event, listener) => {
        if (hosted.still && hosted.still.event === event) {
          (hosted as { still: { snapshot: unknown } }).still.snapshot = hosted.snapshot;
        }
        send(hosted, event, listener);
      };
    };
    const s: Step[] = [
      { gapMs: 1000, send: 'poke', delayMs: 0 },
      { gapMs: 0, send: 'idle', delayMs: 0 },
      { gapMs: 0, send: 'poke', delayMs: 0 },
      { gapMs: 5000, send: 'none', delayMs: 0 },
    ];
    const reference = trace(reenteringTicker, 0, s);
    expect(traceHosted(0, s, { repeatStill: true }, false)).toEqual(reference);
    expect(traceHosted(0, s, { repeatStill: true }, false, careless)).not.toEqual(reference);
  });
});
