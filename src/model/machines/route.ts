/**
 * A Route's ingress: each new traffic assignment must be programmed into the networking layer
 * (the KIngress) before the Route's IngressReady turns True. Until the first traffic exists
 * there is nothing to program; a change while programming starts the wait over.
 */
import { assign, emit, setup } from 'xstate';

export interface RouteInput {
  name: string;
  /** How long the networking layer takes to program a change (a simulator setting). */
  ingressProgrammingMs: number;
}

export type RouteEvent = { type: 'route.traffic'; key: string };
export type RouteEmitted = { type: 'ingress.ready'; key: string };

export const routeMachine = setup({
  types: {
    input: {} as RouteInput,
    context: {} as RouteInput & { key: string },
    events: {} as RouteEvent,
    emitted: {} as RouteEmitted,
  },
  delays: {
    ingressProgramming: ({ context }) => context.ingressProgrammingMs,
  },
  actions: {
    rememberTraffic: assign({ key: (_, params: { key: string }) => params.key }),
    announceReady: emit(({ context }) => ({ type: 'ingress.ready' as const, key: context.key })),
  },
}).createMachine({
  id: 'route',
  context: ({ input }) => ({ ...input, key: '' }),
  initial: 'noTraffic',
  on: {
    'route.traffic': {
      target: '.programming',
      reenter: true,
      actions: [{ type: 'rememberTraffic', params: ({ event }) => ({ key: event.key }) }],
    },
  },
  states: {
    noTraffic: {},
    programming: {
      after: { ingressProgramming: 'programmed' },
    },
    programmed: {
      entry: ['announceReady'],
    },
  },
});
