/** Small builders for test objects, shaped like what the API server returns. */
import type { Condition, Pod, Revision, Service } from '../../src/model/api/types.js';

export function readyCondition(status: Condition['status'], reason?: string): Condition {
  return reason === undefined ? { type: 'Ready', status } : { type: 'Ready', status, reason };
}

export function ksvc(
  name: string,
  status: { url?: string; created?: string; ready?: string; conditions?: Condition[] } = {},
): Service {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { template: { spec: { containers: [{ image: 'docker.io/example/demo' }] } } },
    status: {
      ...(status.url ? { url: status.url } : {}),
      ...(status.created ? { latestCreatedRevisionName: status.created } : {}),
      ...(status.ready ? { latestReadyRevisionName: status.ready } : {}),
      conditions: status.conditions ?? [],
    },
  };
}

export function revision(
  name: string,
  config: string,
  generation: number,
  status: { conditions?: Condition[]; actualReplicas?: number; desiredReplicas?: number } = {},
): Revision {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Revision',
    metadata: {
      name,
      namespace: 'default',
      labels: {
        'serving.knative.dev/configuration': config,
        'serving.knative.dev/configurationGeneration': String(generation),
      },
    },
    spec: { containers: [{ image: 'docker.io/example/demo' }] },
    status: { conditions: status.conditions ?? [], ...status },
  };
}

/** A Knative pod: user-container + queue-proxy, both ready and running unless overridden. */
export function pod(
  name: string,
  creationTimestamp: string,
  overrides: {
    phase?: NonNullable<Pod['status']>['phase'];
    ready?: boolean;
    waiting?: string;
    restarts?: number;
    deletionTimestamp?: string;
  } = {},
): Pod {
  const ready = overrides.ready ?? true;
  const state = overrides.waiting
    ? { waiting: { reason: overrides.waiting } }
    : { running: { startedAt: creationTimestamp } };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      creationTimestamp,
      ...(overrides.deletionTimestamp ? { deletionTimestamp: overrides.deletionTimestamp } : {}),
    },
    spec: { containers: [{ name: 'user-container' }, { name: 'queue-proxy' }] },
    status: {
      phase: overrides.phase ?? 'Running',
      containerStatuses: ['queue-proxy', 'user-container'].map((n) => ({
        name: n,
        ready,
        restartCount: n === 'user-container' ? (overrides.restarts ?? 0) : 0,
        state,
      })),
    },
  };
}
