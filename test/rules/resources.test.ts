import { describe, expect, it } from 'vitest';
import {
  notFoundMessage,
  objectReference,
  resolveResourceName,
  resourcesInCategory,
} from '../../src/model/rules/resources.js';

function idOf(typed: string): string {
  const r = resolveResourceName(typed);
  return r.ok ? r.resource.id : r.error;
}

describe('resolving what users type to a resource type', () => {
  it.each([
    ['ksvc', 'services.serving.knative.dev'],
    ['kservice', 'services.serving.knative.dev'],
    ['services.serving.knative.dev', 'services.serving.knative.dev'],
    ['service.serving.knative.dev', 'services.serving.knative.dev'],
    ['services.v1.serving.knative.dev', 'services.serving.knative.dev'],
    ['service', 'services'],
    ['services', 'services'],
    ['svc', 'services'],
    ['configurations', 'configurations.serving.knative.dev'],
    ['config', 'configurations.serving.knative.dev'],
    ['cfg', 'configurations.serving.knative.dev'],
    ['routes', 'routes.serving.knative.dev'],
    ['rt', 'routes.serving.knative.dev'],
    ['revision', 'revisions.serving.knative.dev'],
    ['revisions', 'revisions.serving.knative.dev'],
    ['rev', 'revisions.serving.knative.dev'],
    ['pods', 'pods'],
    ['po', 'pods'],
    ['pod', 'pods'],
    ['Pod', 'pods'],
    ['kpa', 'podautoscalers.autoscaling.internal.knative.dev'],
    ['pa', 'podautoscalers.autoscaling.internal.knative.dev'],
    ['podautoscalers', 'podautoscalers.autoscaling.internal.knative.dev'],
    ['sks', 'serverlessservices.networking.internal.knative.dev'],
    ['serverlessservices', 'serverlessservices.networking.internal.knative.dev'],
    ['deploy', 'deployments.apps'],
    ['deployments', 'deployments.apps'],
    ['cm', 'configmaps'],
    ['configmaps', 'configmaps'],
  ])('%s → %s', (typed, id) => {
    expect(idOf(typed)).toBe(id);
  });

  it('plain service means the core Service, with kind and apiVersion', () => {
    const r = resolveResourceName('service');
    expect(r.ok && [r.resource.kind, r.resource.apiVersion]).toEqual(['Service', 'v1']);
    const k = resolveResourceName('ksvc');
    expect(k.ok && [k.resource.kind, k.resource.apiVersion, k.resource.shortNames]).toEqual([
      'Service',
      'serving.knative.dev/v1',
      ['kservice', 'ksvc'],
    ]);
  });

  it("an unknown type is kubectl's error", () => {
    expect(idOf('foo')).toBe('error: the server doesn\'t have a resource type "foo"');
  });

  it('categories group the Knative types, in discovery order (by group, then by name) as kubectl expands them', () => {
    expect(resourcesInCategory('serving').map((r) => r.plural)).toEqual([
      'configurations',
      'revisions',
      'routes',
      'services',
    ]);
    expect(resourcesInCategory('knative-internal').map((r) => r.kind)).toEqual([
      'Metric',
      'PodAutoscaler',
      'Certificate',
      'Ingress',
      'ServerlessService',
    ]);
    // As a cluster's `kubectl get all` prints them (the kinds none exist of are asked for too).
    expect(resourcesInCategory('all').map((r) => r.id)).toEqual([
      'pods',
      'replicationcontrollers',
      'services',
      'daemonsets.apps',
      'deployments.apps',
      'replicasets.apps',
      'statefulsets.apps',
      'horizontalpodautoscalers.autoscaling',
      'cronjobs.batch',
      'jobs.batch',
      'configurations.serving.knative.dev',
      'revisions.serving.knative.dev',
      'routes.serving.knative.dev',
      'services.serving.knative.dev',
    ]);
  });

  it('messages name resources as kubectl does', () => {
    const ksvc = resolveResourceName('ksvc');
    if (!ksvc.ok) throw new Error('ksvc must resolve');
    expect(objectReference(ksvc.resource, 'knservice')).toBe('service.serving.knative.dev/knservice');
    expect(notFoundMessage(ksvc.resource, 'nope')).toBe(
      'Error from server (NotFound): services.serving.knative.dev "nope" not found',
    );
  });
});
