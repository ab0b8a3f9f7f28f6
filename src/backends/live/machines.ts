/**
 * Live mode runs the model's lifecycle machines on the wall clock, fed by the cluster's watch
 * events: each Service, Configuration, Revision and Route the run watches gets the same machine
 * the simulator runs, and every status the cluster reports for it is sent as `*.reported`. The
 * machines' milestones go to the live log as `narration` (the same sentences as a simulated
 * run); a move the cluster made that the model forbids goes to it as `divergence`, naming the
 * object, the mode it left, the one it reported and the rule. Nothing here decides anything: the
 * machines do.
 */
import { type Actor, createActor } from 'xstate';
import type { Configuration, KubeObject, Revision, Route, Service } from '../../model/api/types.js';
import type { LogEvent } from '../../model/events.js';
import { configurationLifecycleMachine } from '../../model/machines/configuration.js';
import type { Divergence, Milestone } from '../../model/machines/lifecycle.js';
import { revisionLifecycleMachine } from '../../model/machines/revision.js';
import { routeMachine } from '../../model/machines/route.js';
import { serviceLifecycleMachine } from '../../model/machines/service.js';

export interface LiveLifecyclesOptions {
  /** Writes an event to the live log. */
  emit: (event: LogEvent) => void;
}

type Lifecycle =
  | { kind: 'Service'; actor: Actor<typeof serviceLifecycleMachine> }
  | { kind: 'Configuration'; actor: Actor<typeof configurationLifecycleMachine> }
  | { kind: 'Revision'; actor: Actor<typeof revisionLifecycleMachine> }
  | { kind: 'Route'; actor: Actor<typeof routeMachine> };

const SERVING = 'serving.knative.dev/v1';

export class LiveLifecycles {
  private readonly actors = new Map<string, { uid: string | undefined; lifecycle: Lifecycle }>();
  /** The time of the watch event being observed. */
  private t = 0;

  constructor(private readonly options: LiveLifecyclesOptions) {}

  /**
   * One watch event, at run time `t` (when its object event was logged: what the machine tells
   * is logged at the same time). Kinds without a lifecycle machine are ignored.
   */
  observe(t: number, op: 'added' | 'modified' | 'deleted', obj: KubeObject): void {
    this.t = t;
    if (obj.apiVersion !== SERVING) return;
    const key = `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    if (op === 'deleted') {
      this.actors.get(key)?.lifecycle.actor.stop();
      this.actors.delete(key);
      return;
    }
    let known = this.actors.get(key);
    if (known && known.uid !== obj.metadata.uid) {
      known.lifecycle.actor.stop();
      known = undefined;
    }
    const lifecycle = known?.lifecycle ?? this.start(obj);
    if (!lifecycle) return;
    if (!known) this.actors.set(key, { uid: obj.metadata.uid, lifecycle });
    switch (lifecycle.kind) {
      case 'Service':
        lifecycle.actor.send({ type: 'service.reported', status: (obj as Service).status });
        break;
      case 'Configuration':
        lifecycle.actor.send({ type: 'configuration.reported', conditions: (obj as Configuration).status?.conditions });
        break;
      case 'Revision':
        lifecycle.actor.send({ type: 'revision.reported', conditions: (obj as Revision).status?.conditions });
        break;
      case 'Route':
        lifecycle.actor.send({ type: 'route.reported', conditions: (obj as Route).status?.conditions });
        break;
    }
  }

  /** The run is over: every machine stops. */
  stop(): void {
    for (const { lifecycle } of this.actors.values()) lifecycle.actor.stop();
    this.actors.clear();
  }

  private start(obj: KubeObject): Lifecycle | undefined {
    const name = obj.metadata.name;
    switch (obj.kind) {
      case 'Service': {
        const actor = createActor(serviceLifecycleMachine, { input: { name } });
        const say = this.sayer(obj);
        actor.on('milestone', say.milestone);
        actor.on('divergence', say.divergence);
        return { kind: 'Service', actor: actor.start() };
      }
      case 'Configuration': {
        const actor = createActor(configurationLifecycleMachine, { input: { name } });
        const say = this.sayer(obj);
        actor.on('milestone', say.milestone);
        actor.on('divergence', say.divergence);
        return { kind: 'Configuration', actor: actor.start() };
      }
      case 'Revision': {
        const actor = createActor(revisionLifecycleMachine, { input: { name } });
        const say = this.sayer(obj, name);
        actor.on('milestone', say.milestone);
        actor.on('divergence', say.divergence);
        return { kind: 'Revision', actor: actor.start() };
      }
      case 'Route': {
        // The networking layer's delay is the cluster's own here: the ingress region is not fed.
        const actor = createActor(routeMachine, { input: { name, ingressProgrammingMs: 0 } });
        const say = this.sayer(obj);
        actor.on('milestone', say.milestone);
        actor.on('divergence', say.divergence);
        return { kind: 'Route', actor: actor.start() };
      }
      default:
        return undefined;
    }
  }

  /** Where one object's milestones and divergences go: the live log. */
  private sayer(obj: KubeObject, revision?: string) {
    const { emit } = this.options;
    return {
      milestone: (m: Milestone) =>
        emit({ t: this.t, type: 'narration', text: m.text, ...(revision ? { revision } : {}) }),
      divergence: (d: Divergence) =>
        emit({
          t: this.t,
          type: 'divergence',
          kind: obj.kind,
          namespace: obj.metadata.namespace ?? '',
          name: obj.metadata.name,
          from: d.from,
          to: d.to,
          rule: d.rule,
        }),
    };
  }
}
