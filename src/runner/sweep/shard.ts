/**
 * A sweep cut into shards: `knsim sweep --shard I/N` runs the grid points whose index is I modulo
 * N (I from 0 to N−1, as a Kubernetes Indexed Job numbers its pods) and prints them as one JSON
 * document; `knsim sweep merge` reads the N documents back and prints the table (or JSON) the
 * whole sweep prints on one machine, byte for byte. Every run is deterministic (same scenario,
 * settings and seed, same results), so where a point ran does not matter.
 *
 * A shard names what it is a part of: the scenario file's SHA-256, the `--set` values, the seed
 * and N. Merge refuses shards of different sweeps, a missing or repeated shard, or a point that
 * no shard ran.
 */
import { createHash } from 'node:crypto';
import type { SweepRow } from './run.js';

export const SHARD_FORMAT = 'knsim.sweep-shard/v1';

export class ShardError extends Error {
  override readonly name = 'ShardError';
}

export interface Shard {
  /** 0 … count − 1 */
  readonly index: number;
  readonly count: number;
}

/** `I/N`: shard I (0 … N−1) of N. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || count > 100_000 || index >= count) {
    throw new ShardError(
      `--shard: expected I/N with N from 1 to 100000 and I from 0 to N-1 (a Job's completion index), got "${text}"`,
    );
  }
  return { index, count };
}

/** Whether grid point `pointIndex` belongs to `shard`. */
export function inShard(shard: Shard, pointIndex: number): boolean {
  return pointIndex % shard.count === shard.index;
}

/** What a shard is a part of; shards merge only when these agree. */
export interface SweepIdentity {
  /** SHA-256 of the scenario file's bytes. */
  readonly scenarioSha256: string;
  /** The scenario file as named on the command line (shown, not compared). */
  readonly scenario: string;
  /** The `--set` values, as given. */
  readonly sets: readonly string[];
  readonly seed: number | null;
  /** Grid points in the whole sweep. */
  readonly points: number;
}

export function scenarioDigest(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

interface ShardDocument extends SweepIdentity {
  readonly format: typeof SHARD_FORMAT;
  readonly shard: Shard;
  /** The rows of this shard's points, by grid index. */
  readonly rows: { readonly index: number; readonly row: SweepRow }[];
}

// JSON has no NaN or ±Infinity (results use NaN for "no value"): they travel as {"$number": "NaN"}.
const encodeNumber = (_key: string, value: unknown) =>
  typeof value === 'number' && !Number.isFinite(value) ? { $number: String(value) } : value;
const decodeNumber = (_key: string, value: unknown) =>
  value !== null &&
  typeof value === 'object' &&
  Object.keys(value).length === 1 &&
  typeof (value as { $number?: unknown }).$number === 'string'
    ? Number((value as { $number: string }).$number)
    : value;

/** One shard's rows as its JSON document (one line, newline-terminated). */
export function shardText(
  identity: SweepIdentity,
  shard: Shard,
  rows: readonly { index: number; row: SweepRow }[],
): string {
  const doc: ShardDocument = { format: SHARD_FORMAT, ...identity, shard, rows: [...rows] };
  return `${JSON.stringify(doc, encodeNumber)}\n`;
}

/**
 * Reads a shard document out of `text`: the whole text, or the last line that is one (the output
 * of a pod's log may carry other lines before it).
 */
function readShard(name: string, text: string): ShardDocument {
  const lines = text.split('\n').filter((l) => l.trim().startsWith('{'));
  for (let i = lines.length - 1; i >= 0; i--) {
    let doc: unknown;
    try {
      doc = JSON.parse(lines[i]!, decodeNumber);
    } catch {
      continue;
    }
    if ((doc as { format?: unknown })?.format === SHARD_FORMAT) return doc as ShardDocument;
  }
  throw new ShardError(`${name}: not a knsim sweep shard (no line with "format": "${SHARD_FORMAT}")`);
}

/** The shards of one sweep (each `{ name, text }`) joined: its identity and every row in grid order. */
export function mergeShards(inputs: readonly { name: string; text: string }[]): {
  identity: SweepIdentity;
  rows: SweepRow[];
} {
  if (inputs.length === 0) throw new ShardError('knsim sweep merge needs the shard files of one sweep');
  const docs = inputs.map((i) => ({ name: i.name, doc: readShard(i.name, i.text) }));
  const first = docs[0]!;
  const same = (a: ShardDocument, b: ShardDocument) =>
    a.scenarioSha256 === b.scenarioSha256 &&
    JSON.stringify(a.sets) === JSON.stringify(b.sets) &&
    a.seed === b.seed &&
    a.points === b.points &&
    a.shard.count === b.shard.count;
  for (const { name, doc } of docs.slice(1)) {
    if (!same(first.doc, doc)) {
      throw new ShardError(
        `${name} is a shard of another sweep than ${first.name} (scenario, --set values, seed or shard count differ)`,
      );
    }
  }
  const count = first.doc.shard.count;
  const seen = new Map<number, string>();
  for (const { name, doc } of docs) {
    const other = seen.get(doc.shard.index);
    if (other !== undefined) throw new ShardError(`${name} and ${other} are both shard ${doc.shard.index}/${count}`);
    seen.set(doc.shard.index, name);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) {
    throw new ShardError(
      `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing`,
    );
  }
  const rows: (SweepRow | undefined)[] = new Array(first.doc.points);
  for (const { name, doc } of docs) {
    for (const { index, row } of doc.rows) {
      if (!inShard(doc.shard, index) || index >= rows.length) {
        throw new ShardError(`${name}: point ${index} does not belong to shard ${doc.shard.index}/${count}`);
      }
      rows[index] = row;
    }
  }
  const absent = rows.findIndex((r) => r === undefined);
  if (absent >= 0) throw new ShardError(`no shard has grid point ${absent}`);
  const { scenario, scenarioSha256, sets, seed, points } = first.doc;
  return { identity: { scenario, scenarioSha256, sets, seed, points }, rows: rows as SweepRow[] };
}
