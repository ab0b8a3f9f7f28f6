/**
 * `knsim sweep --shard I/N`: the grid's identity and the shard file a shard writes (shardSpec.ts
 * says which points a shard runs; merge.ts reads shard files back and joins them).
 *
 * The file is JSON Lines:
 *   1. a header: the grid (scenario, axes, seed, knsim version), its hash, the shard and its points;
 *   2. one line per point, in grid order: its settings, whether it passed, its results;
 *   3. an end line with the number of points, so that a file cut short is known as such.
 * The results are stored as JSON has them (a NaN is null); a whole sweep formats its rows after
 * the same round trip (`toRecord`), so a merged table is the same text as a whole sweep's.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { RunResults } from '../../results/results.js';
import type { Scenario } from '../../scenario/types.js';
import { grid, type SweepAxis, type SweepPoint } from './grid.js';
import { type ShardSpec, shardPoints } from './shardSpec.js';

/** The shard file format; merge refuses other versions. */
export const SHARD_FORMAT = 1;
/** What the header's `kind` says: a file that is not a shard is told apart from one. */
export const SHARD_KIND = 'knsim-sweep-shard';

/**
 * What makes two sweeps the same grid: the scenario (as parsed, with the files it names), the
 * axes, the seed and the knsim that ran it. Limits and worker threads are not part of it: they
 * do not change a run's results, only whether it finishes.
 */
export interface GridIdentity {
  scenario: {
    name: string;
    /** sha256 of the parsed scenario (source positions left out) and of the trace files it names. */
    sha256: string;
  };
  axes: { key: string; values: string[] }[];
  seed: number;
  knsim: string;
  /** Points in the grid. */
  points: number;
}

/** JSON with object keys sorted: the same value gives the same text, whatever built it. */
export function canonicalJSON(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    );
  });
}

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/**
 * The files the scenario's load phases name (traces): each string of a phase that is the path of
 * a file, relative to the scenario's directory or absolute, as written → its absolute path.
 */
export function loadFiles(scenario: Scenario, file: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (v: unknown) => {
    if (typeof v === 'string') {
      const path = isAbsolute(v) ? v : resolve(dirname(file), v);
      try {
        if (v !== '' && !out.has(v) && statSync(path).isFile()) out.set(v, path);
      } catch {
        // Not a file: a plain string.
      }
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(visit);
  };
  for (const phase of scenario.load) visit(phase.spec);
  return out;
}

/**
 * The hash of a scenario as a sweep runs it: the parsed scenario with its source positions
 * left out (the same scenario at another path on another machine is the same), and the
 * contents of the trace files its load names.
 */
export function scenarioHash(scenario: Scenario, file: string): string {
  const { source: _source, ...rest } = scenario;
  const parsed = JSON.parse(JSON.stringify(rest, (key, v) => (key === 'location' ? undefined : v)));
  const files = Object.fromEntries(
    [...loadFiles(scenario, file)]
      .map(([named, path]) => [named, sha256(readFileSync(path))] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  return sha256(canonicalJSON({ scenario: parsed, files }));
}

export function gridIdentity(
  scenario: Scenario,
  file: string,
  axes: readonly SweepAxis[],
  seed: number,
  knsim: string,
): GridIdentity {
  return {
    scenario: { name: scenario.name, sha256: scenarioHash(scenario, file) },
    axes: axes.map((a) => ({ key: a.key, values: [...a.values] })),
    seed,
    knsim,
    points: grid(axes).length,
  };
}

export function gridHash(identity: GridIdentity): string {
  return sha256(canonicalJSON(identity));
}

/** A shard file's first line. */
export interface ShardHeader {
  kind: typeof SHARD_KIND;
  format: number;
  shard: ShardSpec;
  grid: GridIdentity;
  gridHash: string;
  /** The scenario file as the shard's command line named it (for people; not part of the grid). */
  scenarioFile: string;
  /** The grid indices this shard runs (`shardPoints`). */
  points: number[];
}

/** The header of shard `shard` of the grid `identity`. */
export function shardHeader(identity: GridIdentity, shard: ShardSpec, scenarioFile: string): ShardHeader {
  return {
    kind: SHARD_KIND,
    format: SHARD_FORMAT,
    shard: { index: shard.index, count: shard.count },
    gridHash: gridHash(identity),
    grid: identity,
    scenarioFile,
    points: shardPoints(identity.points, shard),
  };
}

/**
 * One grid point's row as a shard file stores it and as the table, JSON and CSV are made from:
 * JSON data (a NaN of the results is null).
 */
export interface SweepRecord {
  index: number;
  point: SweepPoint;
  ok: boolean;
  failures: string[];
  /** RunResults after a JSON round trip: figures that were NaN or infinite are null. */
  results: RunResults;
}

/** A point's line in a shard file. */
export interface ShardPointLine extends SweepRecord {
  kind: 'point';
}

/** The last line of a shard file. */
export interface ShardEndLine {
  kind: 'end';
  points: number;
}

const finiteOrNull = (_key: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

/** A row as JSON data: exactly what a shard file keeps of it (not its wall time). */
export function toRecord(
  index: number,
  row: { point: SweepPoint; ok: boolean; failures: string[]; results: RunResults },
): SweepRecord {
  return JSON.parse(
    JSON.stringify({ index, point: row.point, ok: row.ok, failures: row.failures, results: row.results }, finiteOrNull),
  ) as SweepRecord;
}

/** The text of a shard file. */
export function shardFileText(header: ShardHeader, records: readonly SweepRecord[]): string {
  const lines = [
    JSON.stringify(header),
    ...records.map((r) => JSON.stringify({ kind: 'point', ...r } satisfies ShardPointLine, finiteOrNull)),
    JSON.stringify({ kind: 'end', points: records.length } satisfies ShardEndLine),
  ];
  return `${lines.join('\n')}\n`;
}
