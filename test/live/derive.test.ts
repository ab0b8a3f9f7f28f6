import { afterEach, describe, expect, it } from 'vitest';
import { mainRevisionOf, podPhaseOf, revisionForHost, shiftTimes } from '../../src/backends/live/derive.js';
import {
  gatewayFor,
  gatewayUrl,
  ingressChoice,
  ingressClassOf,
  resolveGateway,
} from '../../src/backends/live/ingress.js';
import { describeKubeError } from '../../src/backends/live/kube.js';
import type { Pod, Route } from '../../src/model/api/types.js';
import { FakeApiServer } from './fakeApi.js';

function pod(status: Pod['status'], deletionTimestamp?: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', ...(deletionTimestamp ? { deletionTimestamp } : {}) },
    spec: { containers: [] },
    ...(status ? { status } : {}),
  };
}

describe('pod phases', () => {
  it('follows a pod from Pending to Terminating', () => {
    expect(podPhaseOf(pod(undefined))).toBe('Pending');
    expect(podPhaseOf(pod({ phase: 'Pending' }))).toBe('Pending');
    expect(podPhaseOf(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] }))).toBe(
      'ContainerCreating',
    );
    expect(
      podPhaseOf(
        pod({
          phase: 'Pending',
          containerStatuses: [
            { name: 'c', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
          ],
        }),
      ),
    ).toBe('ContainerCreating');
    expect(podPhaseOf(pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] }))).toBe('Running');
    expect(podPhaseOf(pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] }))).toBe('Ready');
    expect(
      podPhaseOf(pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] }, '2026-01-01T00:00:00Z')),
    ).toBe('Terminating');
  });
});

describe('routes and hosts', () => {
  const route: Route = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Route',
    metadata: { name: 'hello', namespace: 'default' },
    spec: {},
    status: {
      url: 'http://hello.default.example.com',
      traffic: [
        { revisionName: 'hello-00001', percent: 20 },
        { revisionName: 'hello-00002', percent: 80 },
        { revisionName: 'hello-00003', percent: 0, tag: 'canary', url: 'http://canary-hello.default.example.com' },
      ],
    },
  };
  it('sends a host to the route main revision, or its tagged one', () => {
    expect(mainRevisionOf(route)).toBe('hello-00002');
    expect(revisionForHost([route], 'hello.default.example.com')).toBe('hello-00002');
    expect(revisionForHost([route], 'hello.default.example.com:80')).toBe('hello-00002');
    expect(revisionForHost([route], 'canary-hello.default.example.com')).toBe('hello-00003');
    expect(revisionForHost([route], 'other.default.example.com')).toBeUndefined();
  });

  it('moves timestamps into the simulator frame for kubectl ages', () => {
    const obj = {
      metadata: { creationTimestamp: '2026-11-27T07:00:10Z', name: 'x' },
      status: { conditions: [{ type: 'Ready', lastTransitionTime: '2026-11-27T07:00:12Z' }] },
    };
    const moved = shiftTimes(obj, -Date.parse('2026-11-27T07:00:00Z') + Date.parse('2026-01-01T00:00:00Z'));
    expect(moved.metadata.creationTimestamp).toBe('2026-01-01T00:00:10Z');
    expect(moved.status.conditions[0]!.lastTransitionTime).toBe('2026-01-01T00:00:12Z');
    expect(obj.metadata.creationTimestamp).toBe('2026-11-27T07:00:10Z');
  });
});

describe('the ingress gateway', () => {
  it('says why it looks for a networking layer: config-network names it, sets none, or does not exist', () => {
    expect(ingressChoice({ 'ingress-class': 'kourier.ingress.networking.knative.dev' })).toEqual({
      ingressClass: 'kourier.ingress.networking.knative.dev',
      why: 'config-network names the kourier networking layer (kourier.ingress.networking.knative.dev)',
    });
    expect(ingressChoice({ _example: 'x' }).why).toBe(
      "knative-serving/config-network sets no ingress-class, so Knative's default networking layer applies: istio (istio.ingress.networking.knative.dev)",
    );
    expect(ingressChoice(null).why).toBe(
      "knative-serving/config-network does not exist, so Knative's default networking layer applies: istio (istio.ingress.networking.knative.dev)",
    );
  });

  const servers: FakeApiServer[] = [];
  afterEach(async () => {
    while (servers.length > 0) await servers.pop()!.stop();
  });

  it('reads the class from config-network, old and new key', () => {
    expect(ingressClassOf({ 'ingress-class': 'kourier.ingress.networking.knative.dev' })).toBe(
      'kourier.ingress.networking.knative.dev',
    );
    expect(ingressClassOf({ 'ingress.class': 'contour.ingress.networking.knative.dev' })).toBe(
      'contour.ingress.networking.knative.dev',
    );
    expect(ingressClassOf({})).toBe('istio.ingress.networking.knative.dev');
    expect(gatewayFor('kourier.ingress.networking.knative.dev')).toEqual({
      namespace: 'kourier-system',
      name: 'kourier',
    });
    expect(gatewayFor('istio.ingress.networking.knative.dev')).toEqual({
      namespace: 'istio-system',
      name: 'istio-ingressgateway',
    });
    expect(gatewayFor('contour.ingress.networking.knative.dev')).toEqual({
      namespace: 'contour-external',
      name: 'envoy',
    });
  });

  it('prefers the LoadBalancer address, else a node address and the NodePort', () => {
    const ports = [
      { name: 'http2', port: 80, nodePort: 31080 },
      { name: 'https', port: 443, nodePort: 31443 },
    ];
    expect(gatewayUrl({ spec: { ports }, status: { loadBalancer: { ingress: [{ ip: '10.0.0.5' }] } } }, [])).toEqual({
      url: 'http://10.0.0.5:80',
      how: 'LoadBalancer',
    });
    expect(
      gatewayUrl({ spec: { ports } }, [{ status: { addresses: [{ type: 'InternalIP', address: '192.168.49.2' }] } }]),
    ).toEqual({ url: 'http://192.168.49.2:31080', how: 'NodePort on InternalIP' });
    expect(gatewayUrl({ spec: { ports: [{ port: 80 }] } }, [])).toBeUndefined();
  });

  it('finds the Kourier gateway on a cluster', async () => {
    const api = new FakeApiServer();
    await api.start();
    servers.push(api);
    api.put({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'config-network', namespace: 'knative-serving' },
      data: { 'ingress-class': 'kourier.ingress.networking.knative.dev' },
    });
    await expect(resolveGateway(api.kubeConfig())).rejects.toThrow(
      'config-network names the kourier networking layer (kourier.ingress.networking.knative.dev), but its gateway service kourier-system/kourier does not exist; give the address with --target URL',
    );
    api.put({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kourier', namespace: 'kourier-system' },
      spec: { type: 'LoadBalancer', ports: [{ name: 'http2', port: 80, nodePort: 31080 }] },
      status: { loadBalancer: { ingress: [{ ip: '127.0.0.1' }] } },
    });
    await expect(resolveGateway(api.kubeConfig())).resolves.toEqual({
      url: 'http://127.0.0.1:80',
      how: 'LoadBalancer',
      ingressClass: 'kourier.ingress.networking.knative.dev',
    });
  });

  it('words network failures', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    expect(describeKubeError(err('ETIMEDOUT'), 'https://k:6443')).toBe(
      'cannot reach the cluster at https://k:6443: timed out',
    );
    expect(describeKubeError(err('ECONNRESET'), 'https://k:6443')).toBe(
      'cannot reach the cluster at https://k:6443: connection reset',
    );
  });
});
