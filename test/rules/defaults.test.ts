import { describe, expect, it } from 'vitest';
import type { Service } from '../../src/model/api/types.js';
import {
  DEFAULT_DEFAULTS_CONFIG,
  defaultRevisionSpec,
  defaultRoute,
  defaultService,
  defaultTrafficTarget,
  parseDefaultsConfig,
} from '../../src/model/rules/defaults.js';

const svc: Service = {
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name: 'hello', namespace: 'default' },
  spec: { template: { spec: { containers: [{ image: 'docker.io/example/demo' }] } } },
};

describe('defaulting', () => {
  it('a Service without traffic sends 100% to the latest revision', () => {
    expect(defaultService(svc).spec.traffic).toEqual([{ latestRevision: true, percent: 100 }]);
  });

  it('latestRevision defaults to true without a revisionName, false with one; percent to 0', () => {
    expect(defaultTrafficTarget({ tag: 'x' })).toEqual({ tag: 'x', latestRevision: true, percent: 0 });
    expect(defaultTrafficTarget({ revisionName: 'hello-00001', percent: 10 })).toEqual({
      revisionName: 'hello-00001',
      latestRevision: false,
      percent: 10,
    });
  });

  it('fills in the revision spec from config-defaults', () => {
    const spec = defaultService(svc).spec.template.spec;
    expect(spec).toMatchObject({ timeoutSeconds: 300, containerConcurrency: 0, enableServiceLinks: false });
    expect(spec.containers?.[0]).toEqual({
      name: 'user-container',
      image: 'docker.io/example/demo',
      readinessProbe: { tcpSocket: { port: 0 }, successThreshold: 1 },
      resources: {},
    });
    const custom = parseDefaultsConfig({ 'revision-timeout-seconds': '120', 'container-concurrency': '10' });
    expect(defaultService(svc, { config: custom }).spec.template.spec).toMatchObject({
      timeoutSeconds: 120,
      containerConcurrency: 10,
    });
  });

  it('names several containers user-container-<i>, probes only the serving one', () => {
    const multi = structuredClone(svc);
    multi.spec.template.spec.containers = [{ image: 'a/b', ports: [{ containerPort: 8080 }] }, { image: 'c/d' }];
    const containers = defaultService(multi).spec.template.spec.containers!;
    expect(containers.map((c) => c.name)).toEqual(['user-container-0', 'user-container-1']);
    expect(containers[0]).toHaveProperty('readinessProbe');
    expect(containers[1]).not.toHaveProperty('readinessProbe');
  });

  it('keeps user values and does not modify its input', () => {
    const mine = structuredClone(svc);
    mine.spec.template.spec.timeoutSeconds = 30;
    mine.spec.traffic = [{ revisionName: 'hello-00001', percent: 100 }];
    const out = defaultService(mine);
    expect(out.spec.template.spec.timeoutSeconds).toBe(30);
    expect(out.spec.traffic).toEqual([{ revisionName: 'hello-00001', latestRevision: false, percent: 100 }]);
    expect(mine.spec.traffic).toEqual([{ revisionName: 'hello-00001', percent: 100 }]);
  });

  it('stamps creator and lastModifier when a user is given', () => {
    const created = defaultService(svc, { user: 'alice' });
    expect(created.metadata.annotations).toEqual({
      'serving.knative.dev/creator': 'alice',
      'serving.knative.dev/lastModifier': 'alice',
    });
    // An update that changes the spec names its user lastModifier and keeps the creator.
    const changed = structuredClone(created);
    changed.spec.template.spec.containers = [{ image: 'docker.io/example/other' }];
    const updated = defaultService(changed, { user: 'bob', previous: created });
    expect(updated.metadata.annotations?.['serving.knative.dev/creator']).toBe('alice');
    expect(updated.metadata.annotations?.['serving.knative.dev/lastModifier']).toBe('bob');
    // One that leaves the spec as it was changes neither (Knative's SetUserInfo).
    const same = defaultService(created, { user: 'bob', previous: created });
    expect(same.metadata.annotations?.['serving.knative.dev/lastModifier']).toBe('alice');
  });

  it('a Route gets no traffic default, owned by a Service or not; user annotations only when unowned', () => {
    const route = {
      apiVersion: 'serving.knative.dev/v1' as const,
      kind: 'Route' as const,
      metadata: { name: 'r' },
      spec: {},
    };
    const owned = {
      ...route,
      metadata: {
        name: 'r',
        ownerReferences: [{ apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'r', uid: 'u' }],
      },
    };
    expect(defaultRoute(route).spec.traffic).toBeUndefined();
    expect(defaultRoute(owned).spec.traffic).toBeUndefined();
    expect(defaultRoute(route, { user: 'alice' }).metadata.annotations?.['serving.knative.dev/creator']).toBe('alice');
    expect(defaultRoute(owned, { user: 'alice' }).metadata.annotations).toBeUndefined();
  });
});

describe('response-start and idle timeouts from config-defaults', () => {
  const spec = { containers: [{ image: 'x' }] };
  it('are set only when the default is not 0 and below the revision timeout', () => {
    expect(defaultRevisionSpec(spec)).not.toHaveProperty('responseStartTimeoutSeconds');
    expect(defaultRevisionSpec(spec)).not.toHaveProperty('idleTimeoutSeconds');
    const cfg = { ...DEFAULT_DEFAULTS_CONFIG, revisionResponseStartTimeoutSeconds: 60, revisionIdleTimeoutSeconds: 30 };
    expect(defaultRevisionSpec(spec, cfg)).toMatchObject({ responseStartTimeoutSeconds: 60, idleTimeoutSeconds: 30 });
    expect(defaultRevisionSpec({ ...spec, timeoutSeconds: 20 }, cfg)).not.toHaveProperty('idleTimeoutSeconds');
    expect(defaultRevisionSpec({ ...spec, responseStartTimeoutSeconds: 5 }, cfg).responseStartTimeoutSeconds).toBe(5);
  });
});
