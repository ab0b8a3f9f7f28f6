/**
 * A node's life in a cluster with a cluster-autoscaler: provisioning (the cloud creates the VM,
 * the kubelet joins) until it is Ready; Ready, taking pods; draining once the autoscaler finds it
 * unneeded (cordoned, its pods evicted); then removed. Nodes that were there from the start begin
 * Ready. The provisioning time comes in as input; the drain ends when the simulator says the
 * node is empty.
 */
import { emit, setup } from 'xstate';

export interface NodeInput {
  name: string;
  /** From the scale-up decision to the node Ready (0 for nodes there from the start). */
  provisioningMs: number;
}

export type NodeMachineEvent =
  /** The autoscaler found the node unneeded: cordon it and evict its pods. */
  | { type: 'node.drain' }
  /** Its last pod is gone. */
  | { type: 'node.empty' };

export type NodeEmitted = { type: 'joined' } | { type: 'draining' } | { type: 'removed' };

export const nodeMachine = setup({
  types: {
    input: {} as NodeInput,
    context: {} as NodeInput,
    events: {} as NodeMachineEvent,
    emitted: {} as NodeEmitted,
  },
  delays: {
    provisioning: ({ context }) => context.provisioningMs,
  },
  guards: {
    alreadyThere: ({ context }) => context.provisioningMs <= 0,
  },
  actions: {
    sayJoined: emit({ type: 'joined' as const }),
    sayDraining: emit({ type: 'draining' as const }),
    sayRemoved: emit({ type: 'removed' as const }),
  },
}).createMachine({
  id: 'node',
  context: ({ input }) => ({ ...input }),
  initial: 'provisioning',
  states: {
    provisioning: {
      always: { guard: 'alreadyThere', target: 'ready' },
      after: { provisioning: 'ready' },
    },
    ready: {
      entry: ['sayJoined'],
      on: { 'node.drain': 'draining' },
    },
    draining: {
      entry: ['sayDraining'],
      on: { 'node.empty': 'removed' },
    },
    removed: {
      type: 'final',
      entry: ['sayRemoved'],
    },
  },
});
