/**
 * What the reconcilers share about their lifecycle machines: one actor per object, and where
 * what the machines tell goes. Milestones go to the log as narration; divergences (a move the
 * model forbids: never expected from the model's own rules, and tests say so) as `divergence`.
 */
import type { KubeObject } from '../../model/api/types.js';
import type { Divergence, Milestone } from '../../model/machines/lifecycle.js';
import { ActorFailures } from '../actors.js';
import type { SimContext } from '../context.js';

/**
 * The actors of one kind's objects, by namespace and name; a reused name gets a fresh actor.
 * `failures` brings an error inside a machine (a rule that throws) back to the reconciler: watch
 * each actor and wrap its listeners with it, and call `failures.throwIfAny()` after each send.
 */
export class ActorsByObject<A extends { stop(): void }> {
  readonly failures = new ActorFailures();
  private readonly actors = new Map<string, { uid: string | undefined; actor: A }>();

  /** The object's actor, made by `start` on first use (again when a new object took the name). */
  of(obj: KubeObject, start: () => A): A {
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const known = this.actors.get(key);
    if (known && known.uid === obj.metadata.uid) return known.actor;
    known?.actor.stop();
    const actor = start();
    this.actors.set(key, { uid: obj.metadata.uid, actor });
    return actor;
  }

  /** The object is gone: its machine stops. */
  forget(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    this.actors.get(key)?.actor.stop();
    this.actors.delete(key);
  }
}

/** A milestone as a `narration` event (with the revision it is about, for the TUI). */
export function narrate(ctx: SimContext, milestone: Milestone, revision?: string): void {
  ctx.emit({ t: ctx.now(), type: 'narration', text: milestone.text, ...(revision ? { revision } : {}) });
}

/** A divergence as a `divergence` event naming the object. */
export function diverge(ctx: SimContext, obj: KubeObject, d: Divergence): void {
  ctx.emit({
    t: ctx.now(),
    type: 'divergence',
    kind: obj.kind,
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name,
    from: d.from,
    to: d.to,
    rule: d.rule,
  });
}
