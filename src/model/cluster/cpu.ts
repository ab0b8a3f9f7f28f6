/**
 * How a node's CPU is shared (the kernel's CFS as the kubelet configures it): each pod wants as
 * much as its busy requests can use, one core per request (an app thread per request), at most
 * its containers' CPU limit (CFS quota); when the node cannot give everyone what they want, the
 * CPU is divided in proportion to cpu.shares, which the kubelet sets from the pods' CPU requests
 * (at least 2 shares), each pod getting no more than it wants (water-filling). Inside a pod, the
 * requests it works on share what it gets equally (processor sharing).
 */

/** What a pod can use now (millicores): one core per busy request, capped by its CPU limit. */
export function cpuDemandMillis(busyRequests: number, limitMillis: number | undefined): number {
  const wanted = busyRequests * 1000;
  return limitMillis === undefined ? wanted : Math.min(wanted, limitMillis);
}

/** cpu.shares as the kubelet derives them from a pod's CPU requests (millicores → shares, at least 2). */
export function cpuWeight(requestMillis: number): number {
  return Math.max(2, Math.floor((requestMillis * 1024) / 1000));
}

/**
 * Divides `capacityMillis` among pods by weight, none getting more than its demand: a pod whose
 * fair share exceeds its demand gets its demand and the rest is shared again among the others.
 * Returns the allocation of each pod, in order (millicores, fractional).
 */
export function shareCpu(
  capacityMillis: number,
  pods: readonly { readonly demandMillis: number; readonly weight: number }[],
): number[] {
  const out = pods.map(() => 0);
  let total = 0;
  for (const p of pods) total += p.demandMillis;
  if (total <= capacityMillis) return pods.map((p) => p.demandMillis);
  let left = capacityMillis;
  let open = pods.map((_, i) => i).filter((i) => pods[i]!.demandMillis > 0);
  while (open.length > 0 && left > 1e-9) {
    let weights = 0;
    for (const i of open) weights += pods[i]!.weight;
    const satisfied = open.filter((i) => pods[i]!.demandMillis - out[i]! <= (left * pods[i]!.weight) / weights);
    if (satisfied.length === 0) {
      for (const i of open) out[i] = out[i]! + (left * pods[i]!.weight) / weights;
      break;
    }
    for (const i of satisfied) {
      left -= pods[i]!.demandMillis - out[i]!;
      out[i] = pods[i]!.demandMillis;
    }
    open = open.filter((i) => !satisfied.includes(i));
  }
  return out;
}
