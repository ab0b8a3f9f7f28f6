/**
 * One revision's ServerlessService (reference §4 "SKS mode and activators", §5 "When the
 * activator is in the path"): Proxy (the public service's endpoints are activators, which buffer
 * and proxy requests) or Serve (they are the pods). The SKS is made in Proxy mode. On every KPA
 * reconcile the host sends `sks.reconcile` with the mode the KPA asks for (`sksModeFor`) and the
 * endpoints there are; the guard is the SKS reconciler's rule (`sksEndpointsMode`).
 *
 * Entering a mode emits `sks.routing`: the data plane's routing switch is set by that event
 * alone. The context keeps since when activators have been the endpoints, which the KPA's
 * scale-to-zero fast path reads.
 */
import { assign, emit, type SnapshotFrom, setup } from 'xstate';
import type { SKSMode } from '../kpa/scaler.js';
import { sksEndpointsMode } from '../rules/sks.js';

export interface SksInput {
  revision: string;
  /** When the SKS was made (its activator endpoints are in place from then on). */
  nowMs: number;
}

export type SksEvent = {
  type: 'sks.reconcile';
  /** The mode the KPA asks for. */
  requested: SKSMode;
  /** Ready endpoints of the private service (ready pods). */
  readyEndpoints: number;
  /** Activators the revision is given. */
  activatorEndpoints: number;
  nowMs: number;
};

export type SksEmitted = { type: 'sks.routing'; mode: SKSMode };

export const sksMachine = setup({
  types: {
    input: {} as SksInput,
    context: {} as { revision: string; proxySinceMs: number | null },
    events: {} as SksEvent,
    emitted: {} as SksEmitted,
  },
  guards: {
    endpointsAre: ({ event }, params: { mode: SKSMode }) =>
      sksEndpointsMode(event.requested, event.readyEndpoints, event.activatorEndpoints) === params.mode,
  },
  actions: {
    route: emit((_, params: { mode: SKSMode }) => ({ type: 'sks.routing' as const, mode: params.mode })),
    activatorsSince: assign({ proxySinceMs: ({ event }) => event.nowMs }),
    podsOnly: assign({ proxySinceMs: null }),
  },
}).createMachine({
  id: 'sks',
  context: ({ input }) => ({ revision: input.revision, proxySinceMs: input.nowMs }),
  initial: 'Proxy',
  states: {
    Proxy: {
      entry: { type: 'route', params: { mode: 'Proxy' } },
      on: {
        'sks.reconcile': {
          guard: { type: 'endpointsAre', params: { mode: 'Serve' } },
          target: 'Serve',
          actions: 'podsOnly',
        },
      },
    },
    Serve: {
      entry: { type: 'route', params: { mode: 'Serve' } },
      on: {
        'sks.reconcile': {
          guard: { type: 'endpointsAre', params: { mode: 'Proxy' } },
          target: 'Proxy',
          actions: 'activatorsSince',
        },
      },
    },
  },
});

export type SksSnapshot = SnapshotFrom<typeof sksMachine>;

/** What the readers below need of a snapshot: its state value (a resting actor keeps no more, src/sim/actors.ts). */
type SksValue = Pick<SksSnapshot, 'value'>;

/**
 * Whether `sks.reconcile` moves the machine: the mode the SKS reconciler's rule settles on
 * (`sksEndpointsMode`, the guards' rule) is not the one the machine is in. When it is, the
 * machine has no enabled transition for the event: its snapshot stays the same object and it
 * emits nothing, so a host may leave the event out (and a resting machine at rest).
 */
export function sksReconcileMoves(snapshot: SksValue, event: SksEvent): boolean {
  return sksEndpointsMode(event.requested, event.readyEndpoints, event.activatorEndpoints) !== sksModeOf(snapshot);
}

/** The SKS mode. */
export function sksModeOf(snapshot: SksValue): SKSMode {
  // The value of this flat machine is its state's name (`matches` builds state paths per call).
  return snapshot.value === 'Serve' ? 'Serve' : 'Proxy';
}
