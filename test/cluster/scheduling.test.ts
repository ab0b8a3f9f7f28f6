/**
 * Pods on nodes in the simulator: a pod no node fits stays Pending with the scheduler's message
 * and a FailedScheduling event, its revision reports it as Knative does, and it is bound as soon
 * as room is made; concurrent pods of one image on a node share its pull.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/model/api/types.js';
import { parseScenario, ScenarioError } from '../../src/scenario/parse.js';
import { runText } from './helpers.js';

const run = (text: string) => runText(text);

const service = (name: string, cpu: string, annotations = '') => `
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: ${name} }
    spec:
      template:
        metadata:
          annotations: { autoscaling.knative.dev/min-scale: "1"${annotations} }
        spec:
          containers:
            - image: docker.io/knsim/${name}
              resources: { requests: { cpu: "${cpu}" } }`;

describe('scheduling on the default (minikube) node', () => {
  it('keeps a pod asking for more CPU than the node has Pending, and the revision says why', async () => {
    const { outcome, events } = await run(`
files:
  big.yaml: |${service('big', '64')}
steps:
  - apply: big.yaml
  - sleep: 30s
  - kubectl: get pods
  - kubectl: get revision
expect:
  - pods == 1
  - ready pods == 0
`);
    expect(outcome.ok, outcome.transcript).toBe(true);
    const message =
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod..';
    expect(events.filter((e) => e.reason === 'FailedScheduling').map((e) => e.message)).toContain(message);
    expect(outcome.transcript).toMatch(/big-00001-deployment-\S+\s+0\/2\s+Pending/);
    expect(outcome.transcript).toMatch(/big-00001\s+big\s+1\s+False\s+Unschedulable/);
  });

  it('binds the waiting pod once another revision’s pod leaves, and the revision becomes Ready', async () => {
    // 650m is left for revisions on the default node: 600m + 25m for the first, none for the second.
    const { outcome, backend } = await run(`
files:
  first.yaml: |${service('first', '600m')}
  second.yaml: |${service('second', '100m')}
steps:
  - apply: first.yaml
  - wait: ksvc first Ready
  - apply: second.yaml
  - sleep: 20s
  - expect: revision second-00001 Ready=False
  - kubectl: delete ksvc first
  - wait: { until: "ksvc second Ready", timeout: 2m }
expect:
  - revision second-00001 Ready
`);
    expect(outcome.ok, outcome.transcript).toBe(true);
    const pods = backend.cluster.store.list('pods', 'default') as (KubeObject & { spec: { nodeName?: string } })[];
    expect(pods.map((p) => p.spec.nodeName)).toEqual(['knsim']);
  });

  it('respects pod-is-always-schedulable: Deploying while its pod waits, failed past the progress deadline', async () => {
    const { outcome, backend } = await run(`
config:
  config-deployment: { pod-is-always-schedulable: "true" }
files:
  big.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: big }
    spec:
      template:
        spec:
          containers:
            - image: docker.io/knsim/big
              resources: { requests: { cpu: "64" } }
steps:
  - apply: big.yaml
  - sleep: 30s
  - kubectl: get revision
  - at: 10m20s
    kubectl: get revision
  - at: 10m40s
    kubectl: get revision
  - kubectl: get pods
`);
    const [early, beforeDeadline, after] = outcome.transcript.split('$ kubectl get revision').slice(1);
    expect(early).toMatch(/big-00001\s+big\s+1\s+Unknown\s+Deploying/);
    // The activation timeout is the progress deadline (600 s) + 30 s.
    expect(beforeDeadline).toMatch(/big-00001\s+big\s+1\s+Unknown\s+Deploying/);
    expect(after).toMatch(/big-00001\s+big\s+1\s+False\s+ProgressDeadlineExceeded/);
    expect(after).toContain('No resources found in default namespace.');
    const rev = backend.cluster.store.get('revisions.serving.knative.dev', 'default', 'big-00001') as KubeObject & {
      status: { conditions: { type: string; status: string; reason?: string; message?: string }[] };
    };
    expect(rev.status.conditions.find((c) => c.type === 'ResourcesAvailable')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: 'Initial scale was never achieved',
    });
  });
});

describe('kubectl describe node', () => {
  it('shows what the scheduler sees: Allocatable less the reserved requests, the node’s pods and their sum', async () => {
    const { outcome } = await run(`
files:
  a.yaml: |${service('a', '100m')}
steps:
  - apply: a.yaml
  - wait: ksvc a Ready
  - kubectl: describe node knsim
`);
    const out = outcome.transcript.slice(outcome.transcript.indexOf('$ kubectl describe node knsim'));
    expect(out).toMatch(/Capacity:\n {2}cpu: +2\n/);
    expect(out).toMatch(/Allocatable:\n {2}cpu: +650m\n/);
    expect(out).toMatch(/Non-terminated Pods: +\(1 in total\)/);
    expect(out).toMatch(/default +a-00001-deployment-\S+ +125m \(19%\) +0 \(0%\) +0 \(0%\) +0 \(0%\) +\d+s/);
    expect(out).toMatch(/ {2}cpu +125m \(19%\) +0 \(0%\)\n/);
  });
});

describe('nodes a scenario declares', () => {
  it('spreads pods over several nodes and pulls the image once per node, later pods waiting for it', async () => {
    const { outcome, backend, events } = await run(`
settings:
  cluster:
    nodes: [ { name: pool, count: 2, cpu: 4, memory: 8Gi, pullBandwidth: 50MB/s } ]
  images:
    docker.io/knsim/app: { size: 250MB }
files:
  app.yaml: |${service('app', '100m', ', autoscaling.knative.dev/initial-scale: "4"')}
steps:
  - apply: app.yaml
  - wait: { until: "ready pods == 4", timeout: 1m }
  - kubectl: get nodes
`);
    expect(outcome.ok, outcome.transcript).toBe(true);
    expect(outcome.transcript).toContain('pool       Ready    control-plane');
    expect(outcome.transcript).toContain('pool-m02   Ready    <none>');
    const pods = backend.cluster.store.list('pods', 'default') as (KubeObject & { spec: { nodeName?: string } })[];
    const byNode = new Map<string, number>();
    for (const p of pods) byNode.set(p.spec.nodeName ?? '', (byNode.get(p.spec.nodeName ?? '') ?? 0) + 1);
    expect([...byNode.values()]).toEqual([2, 2]);
    const pulled = events
      .filter((e) => e.reason === 'Pulled' && e.involvedObject?.fieldPath === 'spec.containers{user-container}')
      .map((e) => e.message ?? '');
    // Per node: one download of 250 MB at 50 MB/s (5 s + the registry round trip) …
    expect(pulled.filter((m) => m.includes(' in 5.2s (5.2s including waiting)'))).toHaveLength(2);
    // … and one pod that waited for it, then only resolved the reference.
    expect(pulled.filter((m) => /in 200ms \(5\.\d+s including waiting\)/.test(m))).toHaveLength(2);
    expect(pulled.every((m) => m.endsWith('Image size: 250000000 bytes.'))).toBe(true);
  });

  it('refuses a wrong node declaration with its file, line and field', () => {
    const text = `
settings:
  cluster:
    nodes:
      - { count: 2, cpu: lots, memory: 8Gi }
    autoscaler: { min: 3, max: 2 }
steps: []
`;
    let error: unknown;
    try {
      parseScenario(text, 'bad.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    const msg = (error as Error).message;
    expect(msg).toContain('bad.yaml:5:');
    expect(msg).toContain('settings.cluster.nodes[0].cpu');
    expect(msg).toContain('expected a CPU quantity');
    expect(msg).toContain('settings.cluster.autoscaler.max');
    expect(msg).toContain('max (2) is less than min (3)');
  });

  it('pulls different images at once with serializeImagePulls off, and in turn with it on', async () => {
    const pulls = async (serialize: boolean) => {
      const { events } = await run(`
settings:
  cluster:
    nodes: [ { cpu: 4, memory: 8Gi, pullBandwidth: 50MB/s } ]
    serializeImagePulls: ${serialize}
  images:
    docker.io/knsim/one: { size: 250MB }
    docker.io/knsim/two: { size: 250MB }
files:
  both.yaml: |${service('one', '100m')}
    ---${service('two', '100m')}
steps:
  - apply: both.yaml
  - wait: { until: "ready pods == 2", timeout: 1m }
`);
      return events
        .filter((e) => e.reason === 'Pulled' && e.involvedObject?.fieldPath === 'spec.containers{user-container}')
        .map((e) =>
          (e.message ?? '').replace(/^Successfully pulled image "(\S+)" in (\S+) \((\S+) including.*$/, '$1 $2 $3'),
        )
        .sort();
    };
    expect(await pulls(false)).toEqual(['docker.io/knsim/one 5.2s 5.2s', 'docker.io/knsim/two 5.2s 5.2s']);
    // One after the other: the second pull waited for the first (about 10.4 s in all).
    const waited = (await pulls(true)).map((m) => Number.parseFloat(m.split(' ')[2]!)).sort((a, b) => a - b);
    expect(waited[0]).toBeCloseTo(5.2, 1);
    expect(waited[1]).toBeGreaterThan(10.3);
    expect(waited[1]).toBeLessThan(10.5);
  });
});
