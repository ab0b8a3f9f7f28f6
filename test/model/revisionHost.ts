/**
 * A Revision lifecycle machine for the reconcile properties (revisionEcho, revisionRepeatsLater):
 * it keeps the conditions of its last status write (a status that changes them is one write) and
 * everything else it emits, in order.
 */
import { createActor } from 'xstate';
import type { Condition } from '../../src/model/api/types.js';
import { revisionLifecycleMachine } from '../../src/model/machines/revision.js';
import { dataEqual } from '../../src/sim/store.js';

export function revisionHost() {
  const actor = createActor(revisionLifecycleMachine, { input: { name: 'r' } });
  const emitted: unknown[] = [];
  let stored: Condition[] | undefined;
  actor.on('*', (e: { type: string; conditions?: Condition[] }) => {
    if (e.type === 'status') {
      if (!dataEqual(e.conditions, stored)) {
        stored = structuredClone(e.conditions);
        emitted.push({ wrote: stored });
      }
      return;
    }
    emitted.push(e);
  });
  actor.start();
  const view = () => ({ value: actor.getSnapshot().value, context: actor.getSnapshot().context });
  return { actor, emitted, stored: () => stored, view };
}
