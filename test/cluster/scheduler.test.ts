/**
 * kube-scheduler's rules (src/model/cluster/scheduler.ts): which nodes fit, the FitError message
 * word for word, and the scoring that picks among feasible nodes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpuMillis, formatCpu, formatMemory, memoryBytes } from '../../src/model/cluster/quantity.js';
import {
  filterNode,
  fitErrorMessage,
  type NodeView,
  podDemand,
  schedulePod,
} from '../../src/model/cluster/scheduler.js';

const MI = 1024 * 1024;

function node(name: string, freeCpu: number, freeMem = 4096 * MI, over: Partial<NodeView> = {}): NodeView {
  return {
    name,
    labels: {},
    unschedulable: false,
    allocatable: { cpuMillis: 2000, memoryBytes: 4096 * MI, pods: 110 },
    requested: { cpuMillis: 2000 - freeCpu, memoryBytes: 4096 * MI - freeMem, pods: 10 },
    scoreRequested: { cpuMillis: 2000 - freeCpu, memoryBytes: 4096 * MI - freeMem },
    images: new Map(),
    ...over,
  };
}

const knativePod = (userCpu?: number, userMem?: number) =>
  podDemand(
    [
      {
        ...(userCpu !== undefined ? { cpuMillis: userCpu } : {}),
        ...(userMem !== undefined ? { memoryBytes: userMem } : {}),
      },
      { cpuMillis: 25 },
    ],
    { images: ['docker.io/x/app', 'queue'] },
  );

describe('quantities', () => {
  it('reads CPU and memory as the API server does, rounding up', () => {
    expect(cpuMillis('500m')).toBe(500);
    expect(cpuMillis('2')).toBe(2000);
    expect(cpuMillis(1.5)).toBe(1500);
    expect(cpuMillis('0.0001')).toBe(1);
    expect(memoryBytes('128Mi')).toBe(128 * MI);
    expect(memoryBytes('1G')).toBe(1e9);
    expect(memoryBytes('2e3')).toBe(2000);
    expect(cpuMillis('two')).toBeUndefined();
    expect(memoryBytes('1 Gi')).toBeUndefined();
    expect(formatCpu(2000)).toBe('2');
    expect(formatCpu(25)).toBe('25m');
    expect(formatMemory(2200 * MI)).toBe('2200Mi');
  });
});

describe('filters', () => {
  it('says a 64-CPU pod fits on no minikube node, in kube-scheduler’s words', () => {
    const result = schedulePod(knativePod(64_000), [node('minikube', 650)], Math.random);
    expect(result).toEqual({
      scheduled: false,
      message:
        '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod..',
    });
  });

  it('counts each reason over the nodes and sorts the counts as strings', () => {
    const nodes = [node('a', 0, 0), node('b', 0), node('c', 0)];
    const rejections = nodes.map((n) => filterNode(n, knativePod(100, 10 * MI))!);
    expect(fitErrorMessage(rejections)).toBe(
      '0/3 nodes are available: 1 Insufficient memory, 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod..',
    );
  });

  it('reports a full node, a cordoned node and a nodeSelector mismatch, preemption being no help for the last two', () => {
    const full = node('a', 2000, 4096 * MI, {
      labels: { zone: 'a' },
      requested: { cpuMillis: 0, memoryBytes: 0, pods: 110 },
    });
    const cordoned = node('b', 2000, 4096 * MI, { unschedulable: true, labels: { zone: 'a' } });
    const other = node('c', 2000, 4096 * MI, { labels: { zone: 'b' } });
    const pod = { ...knativePod(), nodeSelector: { zone: 'a' } };
    const rejections = [full, cordoned, other].map((n) => filterNode(n, pod)!);
    expect(fitErrorMessage(rejections)).toBe(
      "0/3 nodes are available: 1 Too many pods, 1 node(s) didn't match Node's node affinity/selector, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling..",
    );
  });

  it('fits a pod exactly when its requests fit in what the node has left (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 0, max: 4000 }), (free, want) => {
        const fits = filterNode(node('n', Math.min(free, 2000)), knativePod(want)) === undefined;
        expect(fits).toBe(want + 25 <= Math.min(free, 2000));
      }),
      { seed: 11 },
    );
  });

  it('places a pod with no requests anywhere there is a pod slot', () => {
    expect(filterNode(node('n', 0, 0), podDemand([{}], { images: [] }))).toBeUndefined();
  });
});

describe('scoring', () => {
  it('prefers the node with more room, then the one that has the image', () => {
    const roomy = node('roomy', 1800);
    const tight = node('tight', 300);
    expect(schedulePod(knativePod(100), [tight, roomy], () => 0)).toEqual({ scheduled: true, node: 'roomy' });
    const withImage = node('cached', 1000, 4096 * MI, { images: new Map([['docker.io/x/app', 500 * MI]]) });
    const without = node('fresh', 1000);
    expect(schedulePod(knativePod(100), [without, withImage], () => 0)).toEqual({ scheduled: true, node: 'cached' });
  });

  it('scales an image’s size by the share of nodes that have it (ImageLocality)', () => {
    // 600 Mi on one node of four counts 150 Mi; 300 Mi on three of four counts 225 Mi.
    const big = node('big', 1000, 4096 * MI, { images: new Map([['docker.io/x/app', 600 * MI]]) });
    const small = (name: string) => node(name, 1000, 4096 * MI, { images: new Map([['queue', 300 * MI]]) });
    const nodes = [big, small('s1'), small('s2'), small('s3')];
    expect(schedulePod(knativePod(100), nodes, () => 0)).toEqual({ scheduled: true, node: 's1' });
    // Alone, the big image wins.
    expect(schedulePod(knativePod(100), [big, small('s1')], () => 0)).toEqual({ scheduled: true, node: 'big' });
  });

  it('spreads a ReplicaSet’s pods over equally good nodes', () => {
    const pod = { ...knativePod(100), siblingsByNode: new Map([['a', 3]]) };
    expect(schedulePod(pod, [node('a', 1000), node('b', 1000)], () => 0)).toEqual({ scheduled: true, node: 'b' });
  });
});
