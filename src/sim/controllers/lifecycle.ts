/**
 * Follows Services and Revisions through their lifecycle machines and writes each milestone to
 * the log as narration ("no traffic for a whole stable window: … becomes inactive"). It only
 * observes the store: the reconcilers decide, the machines say what that means.
 */
import { type Actor, createActor } from 'xstate';
import type { KubeObject, Revision, Service } from '../../model/api/types.js';
import { revisionLifecycleMachine } from '../../model/machines/revision.js';
import { serviceLifecycleMachine } from '../../model/machines/service.js';
import { getCondition } from '../../model/rules/conditions.js';
import type { SimContext } from '../context.js';
import type { StoreEvent } from '../store.js';
import { T } from '../types.js';

export class LifecycleNarrator {
  private readonly services = new Map<string, Actor<typeof serviceLifecycleMachine>>();
  private readonly revisions = new Map<string, Actor<typeof revisionLifecycleMachine>>();

  constructor(private readonly ctx: SimContext) {}

  observe(e: StoreEvent, type: string): void {
    if (type === T.service) this.service(e);
    else if (type === T.revision) this.revision(e);
  }

  private say(text: string, revision?: string): void {
    this.ctx.emit({ t: this.ctx.now(), type: 'narration', text, ...(revision ? { revision } : {}) });
  }

  private key(obj: KubeObject): string {
    return `${obj.metadata.namespace}/${obj.metadata.name}`;
  }

  private service(e: StoreEvent): void {
    const svc = e.object as Service;
    const key = this.key(svc);
    if (e.op === 'deleted') {
      this.services.get(key)?.stop();
      this.services.delete(key);
      return;
    }
    let actor = this.services.get(key);
    if (!actor) {
      actor = createActor(serviceLifecycleMachine, {
        clock: this.ctx.engine.clock,
        input: { name: svc.metadata.name },
      });
      actor.on('milestone', ({ text }) => this.say(text));
      actor.start();
      this.services.set(key, actor);
    }
    const ready = getCondition(svc.status?.conditions, 'Ready');
    if (!ready) return;
    if (ready.status === 'True') {
      actor.send({
        type: 'service.ready',
        url: svc.status?.url ?? '',
        revision: svc.status?.latestReadyRevisionName ?? '',
      });
    } else if (ready.status === 'False') {
      actor.send({ type: 'service.failed', reason: ready.reason ?? '', message: ready.message ?? '' });
    } else if (ready.reason) {
      actor.send({ type: 'service.notReady', reason: ready.reason });
    }
  }

  private revision(e: StoreEvent): void {
    const rev = e.object as Revision;
    const key = this.key(rev);
    if (e.op === 'deleted') {
      this.revisions.get(key)?.stop();
      this.revisions.delete(key);
      return;
    }
    let actor = this.revisions.get(key);
    if (!actor) {
      const name = rev.metadata.name;
      actor = createActor(revisionLifecycleMachine, { clock: this.ctx.engine.clock, input: { name } });
      actor.on('milestone', ({ text }) => this.say(text, name));
      actor.start();
      this.revisions.set(key, actor);
    }
    const ready = getCondition(rev.status?.conditions, 'Ready');
    const active = getCondition(rev.status?.conditions, 'Active');
    if (ready?.status === 'True') actor.send({ type: 'revision.ready' });
    else if (ready?.status === 'False') {
      actor.send({ type: 'revision.failed', reason: ready.reason ?? '', message: ready.message ?? '' });
    }
    if (active?.status === 'True') actor.send({ type: 'revision.activated' });
    else if (active?.status === 'False') actor.send({ type: 'revision.deactivated', reason: active.reason ?? '' });
  }
}
