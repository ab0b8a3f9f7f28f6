/**
 * `--shard I/N`: which grid points shard I of N runs. Point i of the grid (0-based, grid order)
 * belongs to shard (i mod N) + 1. The rule reads only the grid index and N (no worker count,
 * machine or clock), so every machine agrees on it; dealing the points out in turn also spreads
 * the costly corner of a grid (its first axis varies slowest) over the shards.
 *
 * Kept apart from shard.ts (the file format) so that the command line parses the flag without
 * loading the grid's rules.
 */

/** The most shards a grid may be split into (knsim's bound, far above an Indexed Job's usual size). */
export const MAX_SHARDS = 100_000;

/** Shard `index` of `count`, counted from 1 (`--shard 2/3` is the second of three). */
export interface ShardSpec {
  index: number;
  count: number;
}

export function formatShard(s: ShardSpec): string {
  return `${s.index}/${s.count}`;
}

/** Parses `I/N`; the error says what is expected (commander puts the flag and value before it). */
export function parseShardSpec(text: string): ShardSpec {
  const expected = `expected I/N, shard I of N with 1 ≤ I ≤ N ≤ ${MAX_SHARDS.toLocaleString('en-US')} (1/3 is the first of 3)`;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new Error(`${expected}, got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) throw new Error(`${expected}; N is ${m[2]}`);
  if (index < 1) throw new Error(`${expected}; shards count from 1, the first is 1/${count}`);
  if (index > count) throw new Error(`${expected}; there is no shard ${index} of ${count}`);
  return { index, count };
}

/** The grid indices of shard `s` in a grid of `total` points, ascending. */
export function shardPoints(total: number, s: ShardSpec): number[] {
  const out: number[] = [];
  for (let i = s.index - 1; i < total; i += s.count) out.push(i);
  return out;
}
