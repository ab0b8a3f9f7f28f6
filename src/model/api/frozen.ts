/**
 * Plain API data (objects, arrays, primitives) frozen all the way down. The simulated store
 * copies what it is given but shares frozen data (it cannot change): a part written again and
 * again unchanged, like a revision's pod template in each of its pods, is then stored once.
 */
export function deepFreeze<T>(v: T): T {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return v;
  for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  return Object.freeze(v);
}
