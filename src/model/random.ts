/**
 * A source of uniform numbers in [0, 1). The simulator hands one in (seeded with
 * seedrandom); the model never reaches for Math.random.
 */
export type Random = () => number;

/** Lower-case alphanumerics without vowels, as Kubernetes uses for generated name suffixes. */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A random suffix like the ones Kubernetes appends to generated names (`pbtvj`). */
export function randomSuffix(random: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out += SUFFIX_ALPHABET[Math.floor(random() * SUFFIX_ALPHABET.length)];
  }
  return out;
}
