/**
 * A PodSpec field config-features lets in reaches the revision's pods, as Knative's makePodSpec
 * copies the revision's PodSpec into the Deployment: a nodeSelector keeps the pods on the
 * matching nodes; without the flag the webhook refuses the Service.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject, Revision } from '../../src/model/api/types.js';
import { parseFeaturesConfig } from '../../src/model/rules/features.js';
import { podSpecFromTemplate, revisionContainers } from '../../src/model/rules/podspec.js';
import { runText } from './helpers.js';

const scenario = (features: string) => `
settings:
  cluster:
    nodes:
      - { name: east, count: 2, cpu: 4, memory: 8Gi, labels: { zone: east } }
      - { name: west, count: 2, cpu: 4, memory: 8Gi, labels: { zone: west } }
config:
  config-features: { ${features} }
files:
  app.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: app }
    spec:
      template:
        metadata:
          annotations: { autoscaling.knative.dev/initial-scale: "4", autoscaling.knative.dev/min-scale: "4" }
        spec:
          nodeSelector: { zone: west }
          tolerations: [ { key: dedicated, operator: Equal, value: app, effect: NoSchedule } ]
          containers:
            - image: docker.io/knsim/app
              resources: { requests: { cpu: 100m } }
steps:
  - apply: app.yaml
  - wait: { until: "ready pods == 4", timeout: 2m }
`;

type PodObject = KubeObject & { spec: { nodeName?: string; nodeSelector?: unknown; tolerations?: unknown[] } };

describe('a gated PodSpec field on the pods', () => {
  it('puts every pod of a nodeSelector revision on a matching node once config-features lets the field in', async () => {
    const { outcome, backend } = await runText(
      scenario('kubernetes.podspec-nodeselector: Enabled, kubernetes.podspec-tolerations: Enabled'),
    );
    expect(outcome.ok, outcome.transcript).toBe(true);
    const pods = backend.cluster.store.list('pods', 'default') as PodObject[];
    expect(pods).toHaveLength(4);
    const nodes = (backend.cluster.store.list('nodes') as KubeObject[]).filter(
      (n) => n.metadata.labels?.zone === 'west',
    );
    const west = new Set(nodes.map((n) => n.metadata.name));
    expect(pods.every((p) => west.has(p.spec.nodeName ?? ''))).toBe(true);
    expect(pods[0]!.spec.nodeSelector).toEqual({ zone: 'west' });
    // The pod's own toleration, then the API server's two for keys it does not tolerate.
    expect(pods[0]!.spec.tolerations?.map((t) => (t as { key: string }).key)).toEqual([
      'dedicated',
      'node.kubernetes.io/not-ready',
      'node.kubernetes.io/unreachable',
    ]);
  });

  it('refuses the Service while the flag is at its default', async () => {
    const { outcome } = await runText(scenario('kubernetes.podspec-tolerations: Enabled'));
    expect(outcome.ok).toBe(false);
    expect(outcome.transcript).toContain(
      'admission webhook "validation.webhook.serving.knative.dev" denied the request: validation failed: must not set the field(s): spec.template.spec.nodeSelector',
    );
  });

  it('keeps the API server defaults of a pod whose template sets none of them', () => {
    const spec = podSpecFromTemplate({ containers: [] }, 'kube-api-access-x');
    expect(spec.dnsPolicy).toBe('ClusterFirst');
    expect(spec.securityContext).toEqual({});
    expect((spec.tolerations as { key: string }[]).map((t) => t.key)).toEqual([
      'node.kubernetes.io/not-ready',
      'node.kubernetes.io/unreachable',
    ]);
    const own = podSpecFromTemplate(
      { containers: [], dnsPolicy: 'Default', tolerations: [{ operator: 'Exists' }] },
      'kube-api-access-x',
    );
    expect(own.dnsPolicy).toBe('Default');
    expect(own.tolerations).toEqual([{ operator: 'Exists' }]);
  });
});

describe("queue-proxy's feature switches", () => {
  const rev = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Revision',
    metadata: { name: 'app-00001', namespace: 'default' },
    spec: { containers: [{ image: 'docker.io/knsim/app' }] },
  } as unknown as Revision;
  const env = (data: Record<string, string>) => {
    const queue = revisionContainers(rev, { defaultTimeoutSeconds: 300, features: parseFeaturesConfig(data) }).at(-1)!;
    const get = (name: string) => (queue.env as { name: string; value?: string }[]).find((e) => e.name === name)?.value;
    return [get('ENABLE_HTTP2_AUTO_DETECTION'), get('ENABLE_MULTI_CONTAINER_PROBES')];
  };
  it('tells queue-proxy whether autodetect-http2 and multi-container-probing are Enabled (Allowed is not)', () => {
    expect(env({})).toEqual(['false', 'false']);
    expect(env({ 'autodetect-http2': 'Enabled', 'multi-container-probing': 'enabled' })).toEqual(['true', 'true']);
    expect(env({ 'autodetect-http2': 'Allowed', 'multi-container-probing': 'Allowed' })).toEqual(['false', 'false']);
  });
});
