/**
 * What expectations see of a cluster: pods, objects and metrics, read from the backend's last
 * known objects and the event log (so the same view works for simulated and live runs). Names
 * are the scenario namespace's; `team-a/web` names an object of another namespace, as the log
 * names revisions outside the scenario's (src/model/rules/naming.ts `namespacedName`).
 */
import type { Backend } from '../backends/backend.js';
import type { KubeObject, Pod } from '../model/api/types.js';
import type { SampleEvent } from '../model/events.js';
import { getCondition } from '../model/rules/conditions.js';
import { LABEL_REVISION, LABEL_SERVICE } from '../model/rules/labels.js';
import { namespacedName, splitNamespacedName } from '../model/rules/naming.js';
import { resolveResourceName } from '../model/rules/resources.js';
import type { ClusterView } from '../scenario/evaluate.js';

export class BackendView implements ClusterView {
  private readonly samples = new Map<string, SampleEvent>();
  /** The last curl step's answer, and the status the step expected (set by the runner). */
  lastCurl: { latencyMs: number; status: number; expectedStatus?: number } | undefined;

  constructor(
    private readonly backend: Backend,
    private readonly namespace: string,
  ) {
    backend.log.subscribe(
      (line) => {
        if (line.type === 'sample') this.samples.set(line.revision, line);
      },
      ['sample'],
      // A standing sample is the revision's last one, which this keeps: nothing to do.
      { tick: () => {}, stand: () => {}, sit: () => {} },
    );
  }

  nowMs(): number {
    return this.backend.now();
  }

  countPods(filter: {
    revision?: string;
    service?: string;
    state: 'all' | 'ready' | 'terminating' | 'pending';
  }): number {
    let n = 0;
    const target = filter.revision ?? filter.service;
    const { namespace, name } = target
      ? splitNamespacedName(target, this.namespace)
      : { namespace: this.namespace, name: '' };
    for (const pod of this.backend.snapshot('pods', namespace) as Pod[]) {
      const labels = pod.metadata.labels ?? {};
      if (filter.revision && labels[LABEL_REVISION] !== name) continue;
      if (filter.service && labels[LABEL_SERVICE] !== name) continue;
      const terminating = pod.metadata.deletionTimestamp !== undefined;
      const ready = !terminating && getCondition(pod.status?.conditions, 'Ready')?.status === 'True';
      if (
        filter.state === 'all' ||
        (filter.state === 'ready' && ready) ||
        (filter.state === 'terminating' && terminating) ||
        (filter.state === 'pending' && !ready && !terminating)
      ) {
        n++;
      }
    }
    return n;
  }

  getObject(resource: string, name: string): KubeObject | undefined {
    const r = resolveResourceName(resource);
    if (!r.ok) return undefined;
    const ref = r.resource.namespaced ? splitNamespacedName(name, this.namespace) : { namespace: undefined, name };
    return this.backend.snapshot(r.resource.id, ref.namespace).find((o) => o.metadata.name === ref.name);
  }

  metric(name: string, revision?: string): number | undefined {
    const key = revision && this.logName(revision);
    const sample = key ? this.samples.get(key) : [...this.samples.values()].at(-1);
    switch (name) {
      case 'desired':
        return sample?.desired;
      case 'activator-queue':
        return sample?.activatorQueue;
      case 'panic':
        return sample ? (sample.panic ? 1 : 0) : undefined;
      case 'rps':
        return sample?.rps;
      case 'concurrency':
        return sample?.concurrency;
      case 'last-curl-latency':
        return this.lastCurl?.latencyMs;
      case 'last-curl-status':
        return this.lastCurl?.status;
      case 'last-curl-expected-status':
        return this.lastCurl?.expectedStatus;
      default:
        return this.backend.results.metric(name, key || undefined);
    }
  }

  /** `default/web-00001` in a run of `default` is the log's `web-00001`. */
  private logName(ref: string): string {
    const { namespace, name } = splitNamespacedName(ref, this.namespace);
    return namespacedName(namespace, name, this.namespace);
  }
}
