/**
 * What every simulated controller and data-plane component shares: the engine (time), the
 * store (API objects), seeded random streams, settings, cluster config and the event log.
 */
import type { KubeObject } from '../model/api/types.js';
import type { LogEvent } from '../model/events.js';
import type { Random } from '../model/random.js';
import type { Engine } from './engine.js';
import type { EventLog } from './log.js';
import type { SimSettings } from './settings.js';
import type { ObjectStore } from './store.js';

export interface RandomStreams {
  /** Generated names and uids. */
  names: Random;
  /** Pod start-up times. */
  pods: Random;
  /** Traffic splitting, load balancing, scraper sampling. */
  routing: Random;
  /** Network hop latency. */
  network: Random;
  /**
   * Uids of the objects that only show what a cluster shows (ReplicaSets, Kubernetes Services,
   * Endpoints, Events, KIngresses, Certificates): their own stream, so adding them changes no
   * name or start-up time the simulation draws.
   */
  objects: Random;
  /** The scheduler's ties between equally good nodes. */
  scheduler: Random;
}

export interface SimContext {
  readonly engine: Engine;
  readonly store: ObjectStore;
  readonly random: RandomStreams;
  readonly settings: SimSettings;
  readonly log: EventLog;
  /** Queue a reconcile of `type` `namespace/name` after the informer delay (deduplicated). */
  enqueue(type: string, namespace: string, name: string): void;
  emit(event: LogEvent): void;
  now(): number;
  /** RFC 3339 timestamp of now. */
  timestamp(): string;
  /**
   * How the log names a revision of `namespace` (src/model/rules/naming.ts `namespacedName`):
   * the bare name in the run's namespace, `namespace/name` elsewhere.
   */
  logName(namespace: string, name: string): string;
}

export function ownerRef(owner: KubeObject): NonNullable<KubeObject['metadata']['ownerReferences']>[number] {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}
