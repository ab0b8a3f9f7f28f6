/**
 * `knsim sweep merge <files…>`: shard files (shard.ts) read back, checked to be the shards of
 * one grid that together hold each of its points once, and joined into the grid's rows, in
 * grid order, for the same table, JSON or CSV a whole sweep prints.
 *
 * Lines before the header that are not JSON objects are passed over (a pod's log may start with
 * lines of its own). Every problem is a ShardError naming the file (and the line): a file that is not a shard, a
 * line that is not JSON, a file cut short (no end line), shards of different grids or of
 * different splits, a shard given twice or missing, a point missing, repeated or not the
 * grid's.
 */
import { type FileLine, fileLines } from '../../io/files.js';
import { describePoint, grid, parseAxes, type SweepAxis, type SweepPoint } from './grid.js';
import { type GridIdentity, gridHash, SHARD_FORMAT, SHARD_KIND, type ShardHeader, type SweepRecord } from './shard.js';
import { formatShard, type ShardSpec, shardPoints } from './shardSpec.js';

export class ShardError extends Error {
  constructor(message: string) {
    super(message);
    // Bad input, printed as one line with exit 2 (src/io/errors.ts).
    this.name = 'UserError';
  }
}

/** A shard file read and checked on its own. */
export interface ShardFile {
  file: string;
  header: ShardHeader;
  records: SweepRecord[];
}

const MiB = 1024 * 1024;
/** A point's line holds its results per service and revision: a fleet's can be megabytes. */
const BOUNDS = {
  maxLineBytes: 256 * MiB,
  maxBytes: 64 * 1024 * MiB,
  lineHint: 'a shard line holds one grid point',
};

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** The results' figures the table and CSV read: numbers (null where the run had none). */
const FIGURES: readonly string[] = [
  'requests',
  'answered',
  'errors',
  'status503',
  'status504',
  'coldRequests',
  'coldStarts',
  'maxPods',
  'meanPods',
  'podSeconds',
  'panicSeconds',
  'activatorInPathSeconds',
];
const NULLABLE: readonly string[] = [
  'latency.p50',
  'latency.p95',
  'latency.p99',
  'latency.max',
  'coldLatency.p99',
  'timeToZeroMs',
];

function at(o: Json, path: string): unknown {
  let v: unknown = o;
  for (const k of path.split('.')) v = isObject(v) ? v[k] : undefined;
  return v;
}

/** What is wrong with a header, or undefined. */
function headerProblem(h: Json): string | undefined {
  if (h.kind !== SHARD_KIND) return `not a knsim sweep shard (its first line has no "kind": "${SHARD_KIND}")`;
  if (h.format !== SHARD_FORMAT)
    return `shard format ${JSON.stringify(h.format)}; this knsim reads format ${SHARD_FORMAT}`;
  const s = h.shard;
  if (!isObject(s) || !isCount(s.index) || !isCount(s.count) || s.index < 1 || s.index > s.count)
    return 'the header\'s "shard" is not {"index": I, "count": N} with 1 ≤ I ≤ N';
  const g = h.grid;
  if (
    !isObject(g) ||
    !isObject(g.scenario) ||
    typeof g.scenario.name !== 'string' ||
    typeof g.scenario.sha256 !== 'string' ||
    !Array.isArray(g.axes) ||
    !g.axes.every((a) => isObject(a) && typeof a.key === 'string' && isStrings(a.values)) ||
    !isCount(g.seed) ||
    typeof g.knsim !== 'string' ||
    !isCount(g.points)
  )
    return 'the header\'s "grid" is not a sweep grid (scenario, axes, seed, knsim, points)';
  if (typeof h.gridHash !== 'string') return 'the header has no "gridHash"';
  if (gridHash(g as unknown as GridIdentity) !== h.gridHash)
    return 'the header\'s "gridHash" is not the hash of its "grid" (the header was changed)';
  const axes = g.axes as SweepAxis[];
  if (grid(axes).length !== g.points) return `the header's grid has ${grid(axes).length} points, not ${g.points}`;
  if (typeof h.scenarioFile !== 'string') return 'the header has no "scenarioFile"';
  const spec = s as unknown as ShardSpec;
  const expected = shardPoints(g.points as number, spec);
  if (!Array.isArray(h.points) || h.points.length !== expected.length || h.points.some((p, i) => p !== expected[i]))
    return `the header's "points" are not those of shard ${formatShard(spec)} of a ${g.points}-point grid (${expected.join(', ') || 'none'})`;
  return undefined;
}

/** What is wrong with a point line (index already checked), or undefined. */
function recordProblem(r: Json, expected: SweepPoint): string | undefined {
  const point = r.point;
  if (!Array.isArray(point) || !point.every((p) => Array.isArray(p) && p.length === 2 && isStrings(p)))
    return '"point" is not a list of [key, value]';
  if (describePoint(point as SweepPoint) !== describePoint(expected))
    return `point ${r.index} of this grid is ${describePoint(expected)}, the line has ${describePoint(point as SweepPoint)}`;
  if (typeof r.ok !== 'boolean') return '"ok" is not true or false';
  if (!isStrings(r.failures)) return '"failures" is not a list of strings';
  if (!isObject(r.results)) return '"results" is not an object';
  for (const f of FIGURES) if (typeof at(r.results, f) !== 'number') return `results.${f}: expected a number`;
  for (const f of NULLABLE) {
    const v = at(r.results, f);
    if (v !== null && typeof v !== 'number') return `results.${f}: expected a number or null`;
  }
  return undefined;
}

function parseLine(file: string, line: FileLine, last: boolean, first: boolean): Json {
  let value: unknown;
  try {
    value = JSON.parse(line.text);
  } catch (e) {
    if (first)
      throw new ShardError(`${file}:${line.number}: not a knsim sweep shard (the line before its header is not JSON)`);
    if (last && !line.complete) {
      throw new ShardError(`${file}:${line.number}: truncated: the file ends inside this line (cut short?)`);
    }
    throw new ShardError(`${file}:${line.number}: not JSON: ${(e as Error).message}`);
  }
  if (!isObject(value)) throw new ShardError(`${file}:${line.number}: not a JSON object`);
  return value;
}

/** Reads one shard file and checks it on its own: header, every point of its shard once, the end line. */
export function readShardFile(file: string): ShardFile {
  return readShardLines(file, fileLines(file, BOUNDS));
}

/** The lines of a text (a pod's log) as a file's lines: the last one is complete when a newline ends it. */
function* textLines(text: string): Generator<FileLine> {
  let start = 0;
  let number = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    number++;
    const line = text.slice(start, end).replace(/\r$/, '');
    start = end + 1;
    yield { text: line, number, complete: nl >= 0, endByte: start };
  }
}

/** A shard read from text (a pod's log), named `name` in errors. */
export function readShardText(name: string, text: string): ShardFile {
  return readShardLines(name, textLines(text));
}

function readShardLines(file: string, lines: Iterator<FileLine>): ShardFile {
  let header: ShardHeader | undefined;
  let axesPoints: SweepPoint[] = [];
  let wanted = new Set<number>();
  const records: SweepRecord[] = [];
  const seenAt = new Map<number, number>();
  let end: FileLine | undefined;
  let lastLine = 0;
  let skipped = 0;
  let next = lines.next();
  while (!next.done) {
    const line = next.value;
    next = lines.next();
    lastLine = line.number;
    if (line.text.trim() === '' && line.complete) continue;
    // A pod's log (`kubectl logs`) may hold lines of its own before the shard's: lines before
    // the header that are not JSON objects are passed over.
    if (!header && !line.text.trimStart().startsWith('{')) {
      skipped++;
      continue;
    }
    const where = `${file}:${line.number}`;
    if (end) throw new ShardError(`${where}: a line after the end line (line ${end.number})`);
    const value = parseLine(file, line, next.done === true, header === undefined);
    if (!header) {
      const problem = headerProblem(value);
      if (problem) throw new ShardError(`${where}: ${problem}`);
      header = value as unknown as ShardHeader;
      axesPoints = grid(header.grid.axes as SweepAxis[]);
      wanted = new Set(header.points);
      continue;
    }
    if (value.kind === 'end') {
      if (value.points !== records.length)
        throw new ShardError(`${where}: the end line counts ${value.points} points, the file has ${records.length}`);
      end = line;
      continue;
    }
    if (value.kind !== 'point') throw new ShardError(`${where}: expected a point line or the end line`);
    const index = value.index;
    if (!isCount(index) || index >= axesPoints.length)
      throw new ShardError(`${where}: "index" is not a point of this ${axesPoints.length}-point grid`);
    if (!wanted.has(index))
      throw new ShardError(`${where}: point ${index} belongs to another shard, not ${formatShard(header.shard)}`);
    const first = seenAt.get(index);
    if (first !== undefined) throw new ShardError(`${where}: point ${index} again (first on line ${first})`);
    const problem = recordProblem(value, axesPoints[index]!);
    if (problem) throw new ShardError(`${where}: ${problem}`);
    seenAt.set(index, line.number);
    const { kind: _kind, ...record } = value;
    records.push(record as unknown as SweepRecord);
  }
  if (!header) {
    throw new ShardError(
      skipped > 0
        ? `${file}: not a knsim sweep shard (no header line with "kind": "${SHARD_KIND}" in its ${lastLine} lines)`
        : `${file}: empty: not a knsim sweep shard`,
    );
  }
  if (!end) {
    throw new ShardError(
      `${file}:${lastLine}: truncated: no end line after ${records.length} of shard ${formatShard(header.shard)}'s ${header.points.length} points (the shard did not finish, or the file was cut short)`,
    );
  }
  const missing = header.points.filter((i) => !seenAt.has(i));
  if (missing.length > 0) {
    throw new ShardError(
      `${file}: shard ${formatShard(header.shard)} lacks ${missing.length === 1 ? 'point' : 'points'} ${missing
        .map((i) => `${i} (${describePoint(axesPoints[i]!)})`)
        .join(', ')}`,
    );
  }
  records.sort((a, b) => a.index - b.index);
  return { file, header, records };
}

/** How two grids differ, in the words of the command line. */
function gridDifference(a: GridIdentity, b: GridIdentity): string {
  const sets = (g: GridIdentity) => g.axes.map((x) => `--set ${x.key}=${x.values.join(',')}`).join(' ');
  if (a.scenario.name !== b.scenario.name) return `scenario ${a.scenario.name} vs ${b.scenario.name}`;
  if (a.scenario.sha256 !== b.scenario.sha256)
    return `scenario ${a.scenario.name} with other contents (sha256 ${a.scenario.sha256.slice(0, 12)}… vs ${b.scenario.sha256.slice(0, 12)}…)`;
  if (sets(a) !== sets(b)) return `${sets(a)} vs ${sets(b)}`;
  if (a.seed !== b.seed) return `seed ${a.seed} vs ${b.seed}`;
  if (a.knsim !== b.knsim) return `knsim ${a.knsim} vs ${b.knsim}`;
  return 'their grid hashes differ';
}

export interface MergedSweep {
  axes: SweepAxis[];
  grid: GridIdentity;
  records: SweepRecord[];
}

/**
 * Checks that the shards are all N shards of one grid, each once, and joins their rows in grid
 * order.
 */
export function mergeShards(shards: readonly ShardFile[]): MergedSweep {
  const first = shards[0];
  if (!first) throw new ShardError('knsim sweep merge needs the shard files');
  for (const s of shards) {
    if (s.header.gridHash !== first.header.gridHash) {
      throw new ShardError(
        `${s.file} is a shard of another grid than ${first.file}: ${gridDifference(first.header.grid, s.header.grid)}`,
      );
    }
    if (s.header.shard.count !== first.header.shard.count) {
      throw new ShardError(
        `${s.file} is shard ${formatShard(s.header.shard)} and ${first.file} is shard ${formatShard(first.header.shard)}: the shards of one merge split the grid the same way`,
      );
    }
  }
  const count = first.header.shard.count;
  const byIndex = new Map<number, ShardFile>();
  for (const s of shards) {
    const other = byIndex.get(s.header.shard.index);
    if (other) {
      throw new ShardError(`shard ${formatShard(s.header.shard)} given twice: ${other.file} and ${s.file}`);
    }
    byIndex.set(s.header.shard.index, s);
  }
  const missing: string[] = [];
  for (let i = 1; i <= count; i++) if (!byIndex.has(i)) missing.push(`${i}/${count}`);
  if (missing.length > 0) {
    const shown = missing.length > 10 ? [...missing.slice(0, 10), `… (${missing.length} in all)`] : missing;
    throw new ShardError(
      `${missing.length === 1 ? 'shard' : 'shards'} ${shown.join(', ')} missing (given: ${[...byIndex.entries()]
        .sort(([a], [b]) => a - b)
        .slice(0, 10)
        .map(([i, s]) => `${i}/${count} ${s.file}`)
        .join(', ')}${byIndex.size > 10 ? ', …' : ''})`,
    );
  }
  // Each shard holds exactly its points (readShardFile) and every shard is here once: together
  // they hold each point once. Checked again as the rows are placed.
  const records: SweepRecord[] = new Array(first.header.grid.points);
  for (const s of shards) {
    for (const r of s.records) {
      if (records[r.index]) throw new ShardError(`${s.file}: point ${r.index} is also in another shard`);
      records[r.index] = r;
    }
  }
  for (let i = 0; i < records.length; i++) {
    if (!records[i]) throw new ShardError(`point ${i} is in no shard`);
  }
  let axes: SweepAxis[];
  try {
    axes = parseAxes(first.header.grid.axes.map((a) => `${a.key}=${a.values.join(',')}`));
  } catch (e) {
    throw new ShardError(`${first.file}:1: the header's grid: ${(e as Error).message}`);
  }
  return { axes, grid: first.header.grid, records };
}
