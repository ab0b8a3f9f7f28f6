/**
 * A root actor that hosts other actors as its children, for tests that run machines as actors
 * side by side (the simulator runs its machines without actors: src/sim/machineHost.ts).
 */
import { type AnyActorRef, createActor, fromTransition } from 'xstate';
import type { ActorFailures } from '../../src/sim/actors.js';
import type { ActorClock } from '../../src/sim/engine.js';

/**
 * What a home does with its children's events: nothing, but a child's error (a throwing action
 * or guard stops the child and XState sends its parent `xstate.error.actor.<id>`) stops the home
 * on it, which `ActorFailures.watch` then throws. A child that reaches its final state sends
 * `xstate.done.actor.<id>`, which is dropped.
 */
const homeLogic = fromTransition((state: undefined, event: { type: string; error?: unknown }) => {
  if (event.type.startsWith('xstate.error.actor.')) throw event.error;
  return state;
}, undefined);

/**
 * A started root actor that only hosts children: actors created with `{ parent: home }` share its
 * system (scheduler, clock, registry) instead of building one each, which is most of what making
 * and starting a small root actor costs. A child cannot be `stop()`ped from outside; it stops on
 * reaching its final state (XState cancels its timers and unregisters it then). `failures`
 * watches the home, so a child's error is thrown by `throwIfAny`.
 */
export function actorHome(clock: ActorClock, failures: ActorFailures): AnyActorRef {
  return failures.watch(createActor(homeLogic, { clock })).start();
}
