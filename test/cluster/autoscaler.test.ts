/**
 * The cluster-autoscaler: its decisions (src/model/cluster/autoscaler.ts), the node lifecycle
 * machine, and in the simulator a node added for a pod no node fits, then removed when unneeded.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { KubeObject } from '../../src/model/api/types.js';
import { nodeUnneeded, planScaleUp } from '../../src/model/cluster/autoscaler.js';
import { type NodeView, podDemand } from '../../src/model/cluster/scheduler.js';
import { nodeMachine } from '../../src/model/machines/node.js';
import { Engine } from '../../src/sim/engine.js';
import { runText } from './helpers.js';

const GI = 1024 ** 3;

function emptyNode(name: string, cpu = 2000, over: Partial<NodeView> = {}): NodeView {
  return {
    name,
    labels: {},
    unschedulable: false,
    allocatable: { cpuMillis: cpu, memoryBytes: 8 * GI, pods: 110 },
    requested: { cpuMillis: 0, memoryBytes: 0, pods: 0 },
    scoreRequested: { cpuMillis: 0, memoryBytes: 0 },
    images: new Map(),
    ...over,
  };
}

const pod = (cpu: number) => podDemand([{ cpuMillis: cpu }, { cpuMillis: 25 }], { images: [] });

describe('scale-up decisions', () => {
  it('adds as many nodes as the pending pods need, first fit, after the nodes already on their way', () => {
    const pods = [pod(1000), pod(1000), pod(1000), pod(500)];
    // 1025m each: one per 2-CPU node, the 525m one fits next to the first.
    expect(planScaleUp(pods, emptyNode('t'), 0, 1, 10)).toEqual({ add: 3, helped: [0, 1, 2, 3], notHelped: [] });
    expect(planScaleUp(pods, emptyNode('t'), 2, 1, 10).add).toBe(1);
  });

  it('leaves to the scheduler the pods a node in the cluster can take now', () => {
    const joined = emptyNode('new');
    expect(planScaleUp([pod(1000)], emptyNode('t'), 0, 2, 3, [joined])).toEqual({ add: 0, helped: [], notHelped: [] });
    const full = emptyNode('full', 2000, { requested: { cpuMillis: 1500, memoryBytes: 0, pods: 1 } });
    expect(planScaleUp([pod(1000)], emptyNode('t'), 0, 1, 3, [full]).add).toBe(1);
  });

  it('stops at the group maximum and says why for the pods left, and for a pod no node could take', () => {
    const plan = planScaleUp([pod(1000), pod(1000), pod(64_000)], emptyNode('t'), 0, 2, 3);
    expect(plan).toEqual({
      add: 1,
      helped: [0],
      notHelped: [
        { index: 1, reason: '1 max node group size reached' },
        { index: 2, reason: '1 Insufficient cpu' },
      ],
    });
  });

  it('finds a node unneeded only when it is under the threshold, runs no system pods, and its pods fit elsewhere', () => {
    const busy = emptyNode('busy', 2000, { requested: { cpuMillis: 1200, memoryBytes: 0, pods: 1 } });
    const light = emptyNode('light', 2000, { requested: { cpuMillis: 525, memoryBytes: 0, pods: 1 } });
    expect(nodeUnneeded(light, 0, [pod(500)], [busy], 0.5)).toBe(true);
    expect(nodeUnneeded(light, 3, [pod(500)], [busy], 0.5)).toBe(false);
    expect(nodeUnneeded(busy, 0, [pod(1175)], [light], 0.5)).toBe(false);
    const full = emptyNode('full', 2000, { requested: { cpuMillis: 1900, memoryBytes: 0, pods: 1 } });
    expect(nodeUnneeded(light, 0, [pod(500)], [full], 0.5)).toBe(false);
  });
});

describe('node lifecycle', () => {
  it('is Ready after its provisioning time, drains when told and goes once empty', () => {
    const engine = new Engine();
    const actor = createActor(nodeMachine, { clock: engine.clock, input: { name: 'n', provisioningMs: 90_000 } });
    const seen: string[] = [];
    for (const type of ['joined', 'draining', 'removed'] as const)
      actor.on(type, () => seen.push(`${engine.now()}:${type}`));
    actor.start();
    engine.runUntil(89_999);
    expect(seen).toEqual([]);
    engine.runUntil(90_000);
    expect(seen).toEqual(['90000:joined']);
    actor.send({ type: 'node.drain' });
    actor.send({ type: 'node.empty' });
    expect(seen).toEqual(['90000:joined', '90000:draining', '90000:removed']);
  });
});

const run = (text: string) => runText(text, 2);

describe('the cluster-autoscaler in the simulator', () => {
  it('adds a node for a pod that fits nowhere and, once the pods are gone, removes it', async () => {
    const { outcome, backend } = await run(`
settings:
  cluster:
    nodes: [ { name: pool, cpu: 2, memory: 8Gi } ]
    autoscaler: { min: 1, max: 3, provisioning: 40s, scaleDownUnneeded: 1m, scaleDownDelayAfterAdd: 1m }
files:
  app.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: app }
    spec:
      template:
        metadata:
          annotations: { autoscaling.knative.dev/min-scale: "3" }
        spec:
          containers:
            - image: docker.io/knsim/app
              resources: { requests: { cpu: 700m } }
  small.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: app }
    spec:
      template:
        metadata:
          annotations: { autoscaling.knative.dev/min-scale: "1" }
        spec:
          containers:
            - image: docker.io/knsim/app
              resources: { requests: { cpu: 700m } }
steps:
  - apply: app.yaml
  - sleep: 20s
  - expect: pending pods == 1
  - wait: { until: "ready pods == 3", timeout: 2m }
  - kubectl: get nodes
  - kubectl: delete ksvc app
  - sleep: 4m
  - kubectl: get nodes
`);
    expect(outcome.ok, outcome.transcript).toBe(true);
    const [joined, gone] = outcome.transcript.split('$ kubectl get nodes').slice(1);
    expect(joined).toMatch(/pool-m02 +Ready +<none>/);
    expect(gone).not.toContain('pool-m02');
    const events = backend.cluster.store.list('events', 'default') as (KubeObject & {
      reason?: string;
      message?: string;
    })[];
    expect(events.filter((e) => e.reason === 'TriggeredScaleUp').map((e) => e.message)).toEqual([
      'pod triggered scale-up: [{pool 1->2 (max: 3)}]',
    ]);
  });

  it('drains an unneeded node: its pod is evicted and started again on the node that has room', async () => {
    const svc = (name: string, min: number) => `
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: ${name} }
    spec:
      template:
        metadata:
          annotations: { autoscaling.knative.dev/min-scale: "${min}" }
        spec:
          containers:
            - image: docker.io/knsim/${name}
              resources: { requests: { cpu: 700m } }`;
    const { outcome, backend } = await run(`
settings:
  cluster:
    nodes: [ { name: pool, cpu: 2, memory: 8Gi } ]
    autoscaler: { min: 1, max: 3, provisioning: 40s, scaleDownUnneeded: 1m, scaleDownDelayAfterAdd: 1m }
files:
  other.yaml: |${svc('other', 2)}
  app.yaml: |${svc('app', 1)}
steps:
  - apply: other.yaml
  - wait: ksvc other Ready
  - apply: app.yaml
  - wait: { until: "ksvc app Ready", timeout: 2m }
  - kubectl: delete ksvc other
  - sleep: 4m
  - kubectl: get nodes
expect:
  - ready pods(app-00001) == 1
`);
    expect(outcome.ok, outcome.transcript).toBe(true);
    expect(outcome.transcript).not.toContain('pool-m02   Ready');
    const pods = backend.cluster.store.list('pods', 'default') as (KubeObject & { spec: { nodeName?: string } })[];
    expect(pods.map((p) => p.spec.nodeName)).toEqual(['pool']);
    const events = backend.cluster.store.list('events', 'default') as (KubeObject & {
      reason?: string;
      message?: string;
      involvedObject?: { kind?: string; name?: string };
    })[];
    const scaleDown = events.filter((e) => e.reason === 'ScaleDown');
    expect(scaleDown.map((e) => `${e.involvedObject?.kind} ${e.message}`).sort()).toEqual([
      'Node marked the node as toBeDeleted/unschedulable',
      'Pod deleting pod for node scale down',
    ]);
  });

  it('counts a node unneeded during the cooldown after its scale-up, and deletes it when the cooldown ends', async () => {
    // The node is added at the first scan (10 s) and empties at about 1m20s; unneeded for 1 min
    // by 2m30s, but the cooldown after the scale-up (3 min) lasts until 3m10s: it goes at the
    // first scan after that. Counting only from the cooldown's end, it would stay until 4m10s.
    const { outcome, backend } = await run(`
settings:
  cluster:
    nodes: [ { name: pool, cpu: 2, memory: 8Gi } ]
    autoscaler: { min: 1, max: 3, provisioning: 40s, scaleDownUnneeded: 1m, scaleDownDelayAfterAdd: 3m }
files:
  app.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: app }
    spec:
      template:
        metadata:
          annotations: { autoscaling.knative.dev/min-scale: "3" }
        spec:
          containers:
            - image: docker.io/knsim/app
              resources: { requests: { cpu: 700m } }
steps:
  - apply: app.yaml
  - wait: { until: "ready pods == 3", timeout: 2m }
  - kubectl: delete ksvc app
  - at: 3m05s
    kubectl: get nodes
  - at: 3m25s
    kubectl: get nodes
`);
    expect(outcome.ok, outcome.transcript).toBe(true);
    const [before, after] = outcome.transcript.split('$ kubectl get nodes').slice(1);
    expect(before).toMatch(/pool-m02 +Ready +<none>/);
    expect(after).not.toContain('pool-m02');
    const events = backend.cluster.store.list('events', 'default') as (KubeObject & { reason?: string })[];
    expect(events.filter((e) => e.reason === 'ScaleDown').length).toBe(1);
  });
});
