/**
 * kube-scheduler's rules (src/model/cluster/scheduler.ts) are made cheap for clusters where most
 * pods fit nowhere (the shared rejections, the FitError counted without per-node lists, the
 * scoring without closures per node, the rejections counted rather than listed, the ties counted
 * in a reused list of scores, the siblings by node itself): every decision, message and draw must
 * be the plain version's. The plain version below is the rule as it was written first, kept as the oracle.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  filterNode,
  fitErrorMessage,
  type NodeRejection,
  type NodeView,
  type PodDemand,
  placePod,
  schedulePod,
} from '../../src/model/cluster/scheduler.js';

const plain = (() => {
  const IMAGE_MIN_THRESHOLD = 23 * 1024 * 1024;
  const IMAGE_MAX_CONTAINER_THRESHOLD = 1000 * 1024 * 1024;
  function filter(node: NodeView, pod: PodDemand): NodeRejection | undefined {
    if (node.unschedulable) return { reasons: ['node(s) were unschedulable'], resolvable: false };
    if (pod.nodeSelector) {
      for (const [k, v] of Object.entries(pod.nodeSelector)) {
        if (node.labels[k] !== v)
          return { reasons: ["node(s) didn't match Node's node affinity/selector"], resolvable: false };
      }
    }
    const reasons: string[] = [];
    if (node.requested.pods + 1 > node.allocatable.pods) reasons.push('Too many pods');
    if (pod.cpuMillis > 0 && node.requested.cpuMillis + pod.cpuMillis > node.allocatable.cpuMillis) {
      reasons.push('Insufficient cpu');
    }
    if (pod.memoryBytes > 0 && node.requested.memoryBytes + pod.memoryBytes > node.allocatable.memoryBytes) {
      reasons.push('Insufficient memory');
    }
    return reasons.length > 0 ? { reasons, resolvable: true } : undefined;
  }
  function nodesAvailable(total: number, reasons: readonly string[]): string {
    const counts = new Map<string, number>();
    for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return parts.length > 0
      ? `0/${total} nodes are available: ${parts.join(', ')}.`
      : `0/${total} nodes are available.`;
  }
  function fitError(rejections: readonly NodeRejection[]): string {
    const total = rejections.length;
    if (total === 0) return 'no nodes available to schedule pods';
    const f = nodesAvailable(
      total,
      rejections.flatMap((r) => r.reasons),
    );
    const p = nodesAvailable(
      total,
      rejections.map((r) =>
        r.resolvable ? 'No preemption victims found for incoming pod' : 'Preemption is not helpful for scheduling',
      ),
    );
    return `${f} preemption: ${p}.`;
  }
  function score(node: NodeView, pod: PodDemand, nodes: readonly NodeView[]): number {
    const cpuAlloc = node.allocatable.cpuMillis;
    const memAlloc = node.allocatable.memoryBytes;
    const cpuUsed = node.scoreRequested.cpuMillis + pod.scoreCpuMillis;
    const memUsed = node.scoreRequested.memoryBytes + pod.scoreMemoryBytes;
    const free = (used: number, alloc: number) => (alloc <= 0 || used > alloc ? 0 : ((alloc - used) * 100) / alloc);
    const leastAllocated = Math.floor((free(cpuUsed, cpuAlloc) + free(memUsed, memAlloc)) / 2);
    const fraction = (used: number, alloc: number) => (alloc <= 0 ? 1 : Math.min(1, used / alloc));
    const balanced = Math.floor((1 - Math.abs(fraction(cpuUsed, cpuAlloc) - fraction(memUsed, memAlloc)) / 2) * 100);
    let imageSum = 0;
    for (const image of new Set(pod.images)) {
      const size = node.images.get(image);
      if (size === undefined) continue;
      const having = nodes.filter((n) => n.images.has(image)).length;
      imageSum += size * (having / nodes.length);
    }
    const maxThreshold = IMAGE_MAX_CONTAINER_THRESHOLD * Math.max(1, pod.images.length);
    const clamped = Math.min(Math.max(imageSum, IMAGE_MIN_THRESHOLD), maxThreshold);
    const imageLocality = Math.floor(((clamped - IMAGE_MIN_THRESHOLD) * 100) / (maxThreshold - IMAGE_MIN_THRESHOLD));
    let spread = 100;
    if (pod.siblingsByNode && pod.siblingsByNode.size > 0) {
      const max = Math.max(...pod.siblingsByNode.values());
      const here = pod.siblingsByNode.get(node.name) ?? 0;
      spread = max === 0 ? 100 : Math.floor(((max - here) * 100) / max);
    }
    return leastAllocated + balanced + imageLocality + 2 * spread;
  }
  function schedule(pod: PodDemand, nodes: readonly NodeView[], random: () => number) {
    const rejections: NodeRejection[] = [];
    const feasible: NodeView[] = [];
    for (const node of nodes) {
      const rejected = filter(node, pod);
      if (rejected) rejections.push(rejected);
      else feasible.push(node);
    }
    if (feasible.length === 0) return { scheduled: false, message: fitError(rejections) };
    if (feasible.length === 1) return { scheduled: true, node: feasible[0]!.name };
    let best: NodeView[] = [];
    let bestScore = -1;
    for (const node of feasible) {
      const s = score(node, pod, nodes);
      if (s > bestScore) {
        bestScore = s;
        best = [node];
      } else if (s === bestScore) best.push(node);
    }
    const pick = best.length === 1 ? best[0]! : best[Math.floor(random() * best.length)]!;
    return { scheduled: true, node: pick.name };
  }
  return { filter, fitError, schedule };
})();

/** Park–Miller, counting its draws: both versions must draw as often. */
function stream(seed: number) {
  let x = seed;
  const r = () => {
    r.draws++;
    x = (x * 16807) % 2147483647;
    return x / 2147483647;
  };
  r.draws = 0;
  return r;
}

const MI = 1024 * 1024;
const IMAGES = ['app', 'queue', 'sidecar'];

const nodeArb = fc.record({
  unschedulable: fc.boolean(),
  zone: fc.constantFrom('a', 'b'),
  allocCpu: fc.constantFrom(0, 1000, 4000, 64_000),
  allocMem: fc.constantFrom(0, 512 * MI, 4096 * MI),
  allocPods: fc.integer({ min: 0, max: 12 }),
  usedCpu: fc.integer({ min: 0, max: 5000 }),
  usedMem: fc.integer({ min: 0, max: 5000 * MI }),
  usedPods: fc.integer({ min: 0, max: 12 }),
  images: fc.subarray(IMAGES),
  imageMb: fc.integer({ min: 1, max: 2000 }),
});

const podArb = fc.record({
  cpu: fc.constantFrom(0, 25, 100, 1500),
  mem: fc.constantFrom(0, 64 * MI, 1024 * MI),
  images: fc.array(fc.constantFrom(...IMAGES), { minLength: 1, maxLength: 3 }),
  selector: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
  siblings: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 8 }),
});

describe('kube-scheduler’s rules against their plain version', () => {
  it('filters, scores, words the FitError and draws as the plain version does (property)', () => {
    fc.assert(
      fc.property(
        fc.array(nodeArb, { minLength: 0, maxLength: 8 }),
        podArb,
        fc.integer({ min: 1, max: 2 ** 30 }),
        (specs, p, seed) => {
          const nodes: NodeView[] = specs.map((s, i) => ({
            name: `n${i}`,
            labels: { zone: s.zone },
            unschedulable: s.unschedulable,
            allocatable: { cpuMillis: s.allocCpu, memoryBytes: s.allocMem, pods: s.allocPods },
            requested: { cpuMillis: s.usedCpu, memoryBytes: s.usedMem, pods: s.usedPods },
            scoreRequested: { cpuMillis: s.usedCpu + 100, memoryBytes: s.usedMem + 200 * MI },
            images: new Map(s.images.map((image) => [image, s.imageMb * MI])),
          }));
          const siblings = new Map<string, number>();
          p.siblings.forEach((n, i) => {
            if (n > 0 && i < nodes.length) siblings.set(`n${i}`, n);
          });
          const pod: PodDemand = {
            cpuMillis: p.cpu,
            memoryBytes: p.mem,
            scoreCpuMillis: p.cpu || 100,
            scoreMemoryBytes: p.mem || 200 * MI,
            images: p.images,
            siblingsByNode: siblings,
            ...(p.selector ? { nodeSelector: { zone: p.selector } } : {}),
          };
          const rejections = nodes.map((n) => filterNode(n, pod));
          expect(rejections).toEqual(nodes.map((n) => plain.filter(n, pod)));
          const rejected = rejections.filter((r) => r !== undefined);
          expect(fitErrorMessage(rejected)).toBe(plain.fitError(rejected));
          const a = stream(seed);
          const b = stream(seed);
          expect(schedulePod(pod, nodes, a)).toEqual(plain.schedule(pod, nodes, b));
          expect(a.draws).toBe(b.draws);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('places the pod where the plain version does, with the siblings kept by node itself (property)', () => {
    // Up to 150 nodes (more than the reused list of scores starts with), many alike: ties.
    const alike = fc.record({
      allocPods: fc.constantFrom(0, 110),
      usedPods: fc.integer({ min: 0, max: 3 }),
      image: fc.boolean(),
      unschedulable: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(alike, { minLength: 0, maxLength: 150 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 150 }),
        fc.array(fc.constantFrom(...IMAGES), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        (specs, placed, images, seed) => {
          const nodes: NodeView[] = specs.map((s, i) => ({
            name: `n${i}`,
            labels: {},
            unschedulable: s.unschedulable,
            allocatable: { cpuMillis: 64_000, memoryBytes: 2 ** 38, pods: s.allocPods },
            requested: { cpuMillis: 100 * s.usedPods, memoryBytes: 0, pods: s.usedPods },
            scoreRequested: { cpuMillis: 100 * s.usedPods, memoryBytes: 200 * MI * s.usedPods },
            images: new Map(s.image ? [['app', 500 * MI]] : []),
          }));
          const byName = new Map<string, number>();
          const byNode = new Map<NodeView, number>();
          placed.forEach((n, i) => {
            if (n > 0 && i < nodes.length) {
              byName.set(`n${i}`, n);
              byNode.set(nodes[i]!, n);
            }
          });
          const demand: PodDemand = {
            cpuMillis: 100,
            memoryBytes: 0,
            scoreCpuMillis: 100,
            scoreMemoryBytes: 200 * MI,
            images,
          };
          const a = stream(seed);
          const b = stream(seed);
          const got = placePod(demand, nodes, a, byNode);
          const want = plain.schedule({ ...demand, siblingsByNode: byName }, nodes, b);
          expect(
            got.node === undefined
              ? { scheduled: false, message: got.message }
              : { scheduled: true, node: got.node.name },
          ).toEqual(want);
          expect(a.draws).toBe(b.draws);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('words a FitError of reasons the filters never give as the plain version does', () => {
    const rejections: NodeRejection[] = [
      { reasons: ['node(s) had untolerated taint', 'Insufficient cpu'], resolvable: false },
      { reasons: ['Too many pods', 'node(s) had untolerated taint'], resolvable: true },
      { reasons: ['Insufficient cpu', 'Insufficient memory', 'Too many pods'], resolvable: true },
      { reasons: [], resolvable: false },
    ];
    for (let n = 0; n <= rejections.length; n++) {
      expect(fitErrorMessage(rejections.slice(0, n))).toBe(plain.fitError(rejections.slice(0, n)));
    }
  });
});
