/**
 * Knative's consistent choice of a subset (knative.dev/pkg `hash.ChooseSubset`): which n of a
 * set of names serve a target, the same on every call and in every process, and spread evenly
 * over the names across targets. The SKS reconciler uses it to choose the activators behind a
 * revision's public Service in Proxy mode (`subsetEndpoints`, reference §4), with the revision's
 * name as the target.
 *
 * Each name and the target hash (FNV-1a, 64 bits) to a point on a circle of 2,048; the target
 * also hashes to a start and a step. From the start, each step takes the first name at or after
 * the point not taken yet, until n are taken. Called when a revision's activator count changes,
 * never per request: BigInt is fine here.
 */

/** Points on the circle: a power of two, so that a 64-bit hash maps onto it without bias. */
const UNIVERSE = 2048n;
const START_SALT = 'start-angle-salt';
const STEP_SALT = 'step-angle-salt';

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;
const encoder = new TextEncoder();

/** FNV-1a, 64 bits, over the UTF-8 bytes of `text` (Go's hash/fnv New64a). */
export function fnv1a64(text: string): bigint {
  let h = FNV_OFFSET;
  for (const byte of encoder.encode(text)) {
    h ^= BigInt(byte);
    h = (h * FNV_PRIME) & MASK_64;
  }
  return h;
}

/**
 * Each name's point for `target`, in the order of `from`. Two names on one point are rare (one in
 * 2,048); the later one hashes again with its hash appended (in hex) until its point is free.
 */
export function subsetPoints(from: readonly string[], target: string): number[] {
  const taken = new Set<number>();
  return from.map((name) => {
    let text = name + target;
    let h = fnv1a64(text);
    let point = Number(h % UNIVERSE);
    while (taken.has(point)) {
      text += h.toString(16);
      h = fnv1a64(text);
      point = Number(h % UNIVERSE);
    }
    taken.add(point);
    return point;
  });
}

/**
 * n of `from` for `target` (all of them when n is at least their number), as a sorted list.
 * `from` holds distinct names; its order only decides which of two names on one point moves.
 */
export function chooseSubset(from: readonly string[], n: number, target: string): string[] {
  if (n >= from.length) return [...from].sort();
  const points = subsetPoints(from, target);
  const byPoint = new Map(points.map((p, i) => [p, from[i]!]));
  const pool = [...points].sort((a, b) => a - b);
  let angle = Number(fnv1a64(target + START_SALT) % UNIVERSE);
  const step = Number(fnv1a64(target + STEP_SALT) % UNIVERSE);
  const chosen = new Set<number>();
  while (chosen.size < n) {
    let at = pool.findIndex((p) => p >= angle);
    if (at < 0) at = 0;
    while (chosen.has(at)) at = at + 1 === pool.length ? 0 : at + 1;
    chosen.add(at);
    angle = (angle + step) % Number(UNIVERSE);
  }
  return [...chosen].map((i) => byPoint.get(pool[i]!)!).sort();
}
