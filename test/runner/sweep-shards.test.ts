/**
 * `knsim sweep --shard I/N` and `knsim sweep merge`: the rule that deals grid points to shards,
 * the grid's identity, the shard file read back with every way it can be wrong, and the
 * command line end to end: a grid run whole and as 3 shards merged prints the same bytes.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { KNSIM_VERSION } from '../../src/backends/sim.js';
import { loadScenario } from '../../src/runner/simulate.js';
import { grid, parseAxes } from '../../src/runner/sweep/grid.js';
import { mergeShards, readShardFile, ShardError } from '../../src/runner/sweep/merge.js';
import { runSweep } from '../../src/runner/sweep/run.js';
import {
  canonicalJSON,
  gridHash,
  gridIdentity,
  type SweepRecord,
  scenarioHash,
  shardFileText,
  shardHeader,
  toRecord,
} from '../../src/runner/sweep/shard.js';
import { MAX_SHARDS, parseShardSpec, type ShardSpec, shardPoints } from '../../src/runner/sweep/shardSpec.js';
import { formatSweepCSV, formatSweepJSON, formatSweepTable } from '../../src/runner/sweep/table.js';
import { knsim, knsimInProcess, scratch } from '../cli/helpers.js';

const COLD = 'test/results/fixtures/cold-burst.yaml';
const SETS = ['containerConcurrency=0,10', 'target-burst-capacity=0,200,50'];

describe('which points a shard runs', () => {
  it('the N shards hold every grid index exactly once, point i in shard (i mod N) + 1, sizes within one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 60 }), (total, count) => {
        const seen = new Array<number>(total).fill(0);
        const sizes: number[] = [];
        for (let index = 1; index <= count; index++) {
          const points = shardPoints(total, { index, count });
          sizes.push(points.length);
          for (const i of points) {
            expect(i % count).toBe(index - 1);
            seen[i]!++;
          }
          expect([...points].sort((a, b) => a - b)).toEqual(points);
        }
        expect(seen.every((n) => n === 1)).toBe(true);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it.each([
    ['1/3', { index: 1, count: 3 }],
    ['3/3', { index: 3, count: 3 }],
    [' 2 / 5 ', { index: 2, count: 5 }],
    [`1/${MAX_SHARDS}`, { index: 1, count: MAX_SHARDS }],
  ])('--shard %s is accepted', (text, spec) => {
    expect(parseShardSpec(text)).toEqual(spec);
  });

  it.each([
    ['0/3', 'shards count from 1, the first is 1/3'],
    ['3/2', 'there is no shard 3 of 2'],
    ['1/0', 'N is 0'],
    [`1/${MAX_SHARDS + 1}`, `N is ${MAX_SHARDS + 1}`],
    ['a/b', 'got "a/b"'],
    ['2', 'got "2"'],
    ['1/3/4', 'got "1/3/4"'],
    ['-1/3', 'got "-1/3"'],
    ['1.5/3', 'got "1.5/3"'],
  ])('--shard %s is refused: %s', (text, why) => {
    expect(() => parseShardSpec(text)).toThrow(why);
  });
});

describe('the grid identity', () => {
  const axes = parseAxes(SETS);

  it('canonical JSON does not depend on key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (o) => {
        const reversed = Object.fromEntries(Object.entries(o).reverse());
        expect(canonicalJSON(reversed)).toBe(canonicalJSON(o));
      }),
    );
  });

  it('is the same for the same scenario at another path, and changes with the scenario, its trace, the axes and the seed', () => {
    const here = loadScenario('scenarios/diurnal-24h.yaml');
    const dir = scratch();
    mkdirSync(join(dir, 'traces'));
    for (const f of ['azure2019-sample-invocations.csv', 'azure2019-sample-durations.csv']) {
      copyFileSync(join('scenarios/traces', f), join(dir, 'traces', f));
    }
    const elsewhere = join(dir, 'day.yaml');
    copyFileSync('scenarios/diurnal-24h.yaml', elsewhere);
    const base = scenarioHash(here, 'scenarios/diurnal-24h.yaml');
    expect(scenarioHash(loadScenario(elsewhere), elsewhere)).toBe(base);
    // The trace's contents are part of it (the load names the file, the runs read it).
    writeFileSync(join(dir, 'traces/azure2019-sample-durations.csv'), 'changed\n');
    expect(scenarioHash(loadScenario(elsewhere), elsewhere)).not.toBe(base);
    // So is every field of the scenario.
    copyFileSync('scenarios/diurnal-24h.yaml', elsewhere);
    const other = readFileSync(elsewhere, 'utf8').replace('containerConcurrency: 10', 'containerConcurrency: 11');
    writeFileSync(elsewhere, other);
    expect(scenarioHash(loadScenario(elsewhere), elsewhere)).not.toBe(base);

    const cold = loadScenario(COLD);
    const id = gridHash(gridIdentity(cold, COLD, axes, 2, '0.1.0'));
    expect(gridHash(gridIdentity(cold, COLD, axes, 2, '0.1.0'))).toBe(id);
    expect(gridHash(gridIdentity(cold, COLD, axes, 3, '0.1.0'))).not.toBe(id);
    expect(gridHash(gridIdentity(cold, COLD, axes, 2, '0.2.0'))).not.toBe(id);
    expect(gridHash(gridIdentity(cold, COLD, parseAxes([SETS[0]!]), 2, '0.1.0'))).not.toBe(id);
  });
});

/** Shard files of a small grid, run once in this thread, and what their merge must print. */
let records: SweepRecord[];
let whole: { table: string; json: string; csv: string };
let dir: string;
const axes = parseAxes(SETS);

function shardText(shard: ShardSpec, rows: readonly SweepRecord[] = records, seed = 2): string {
  const identity = gridIdentity(loadScenario(COLD), COLD, axes, seed, KNSIM_VERSION);
  const header = shardHeader(identity, shard, COLD);
  return shardFileText(
    header,
    rows.filter((r) => header.points.includes(r.index)),
  );
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The three shard files of the grid, as written (`edit` changes one's text first). */
function shards(edit: (text: string, index: number) => string = (t) => t): string[] {
  return [1, 2, 3].map((index) => write(`shard-${index}.jsonl`, edit(shardText({ index, count: 3 }), index)));
}

const merge = (files: string[]) => mergeShards(files.map(readShardFile));
const refusal = (files: string[]) => {
  try {
    merge(files);
  } catch (e) {
    expect(e).toBeInstanceOf(ShardError);
    return (e as Error).message;
  }
  throw new Error('merge accepted the shards');
};

beforeAll(async () => {
  dir = scratch();
  const rows = await runSweep(COLD, loadScenario(COLD), axes, { jobs: 0 });
  records = rows.map((r, i) => toRecord(i, r));
  whole = {
    table: formatSweepTable(axes, records),
    json: formatSweepJSON(records),
    csv: formatSweepCSV(axes, records),
  };
}, 120_000);

describe('merging shard files', () => {
  it('joins the shards, given in any order, into the rows of the whole grid', () => {
    const files = shards();
    const merged = merge([files[2]!, files[0]!, files[1]!]);
    expect(merged.records.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(merged.records.map((r) => r.point)).toEqual(grid(axes));
    expect(formatSweepTable(merged.axes, merged.records)).toBe(whole.table);
    expect(formatSweepJSON(merged.records)).toBe(whole.json);
    expect(formatSweepCSV(merged.axes, merged.records)).toBe(whole.csv);
  });

  it("passes over a pod log's own lines before the header", () => {
    const files = shards((t, index) => (index === 2 ? `starting shard 2\n\n${t}` : t));
    expect(formatSweepTable(axes, merge(files).records)).toBe(whole.table);
  });

  it('a split into more shards than points has empty shards, and merges', () => {
    const files = [1, 2, 3, 4, 5, 6, 7, 8].map((index) =>
      write(`eight-${index}.jsonl`, shardText({ index, count: 8 })),
    );
    expect(readShardFile(files[7]!).records).toEqual([]);
    expect(formatSweepTable(axes, merge(files).records)).toBe(whole.table);
  });

  it('a grid as one shard (1/1) merges', () => {
    const one = write('one.jsonl', shardText({ index: 1, count: 1 }));
    expect(formatSweepTable(axes, merge([one]).records)).toBe(whole.table);
    expect(formatSweepJSON(merge([one]).records)).toBe(whole.json);
  });

  it('refuses a missing shard, naming it and the files given', () => {
    const [a, , c] = shards();
    expect(refusal([a!, c!])).toBe(`shard 2/3 missing (given: 1/3 ${a}, 3/3 ${c})`);
  });

  it('refuses a shard given twice', () => {
    const [a, b, c] = shards();
    const copy = write('copy.jsonl', readFileSync(b!, 'utf8'));
    expect(refusal([a!, b!, copy, c!])).toBe(`shard 2/3 given twice: ${b} and ${copy}`);
  });

  it('refuses shards of different grids, saying what differs', () => {
    const [a, b] = shards();
    const otherSeed = write('seed.jsonl', shardText({ index: 3, count: 3 }, records, 7));
    expect(refusal([a!, b!, otherSeed])).toBe(`${otherSeed} is a shard of another grid than ${a}: seed 2 vs 7`);
    const smaller = parseAxes([SETS[0]!]);
    const identity = gridIdentity(loadScenario(COLD), COLD, smaller, 2, '0.1.0');
    const header = shardHeader(identity, { index: 3, count: 3 }, COLD);
    const otherAxes = write('axes.jsonl', shardFileText(header, []));
    expect(refusal([a!, b!, otherAxes])).toContain(
      `--set containerConcurrency=0,10 --set target-burst-capacity=0,200,50 vs --set containerConcurrency=0,10`,
    );
  });

  it('refuses shards of different splits of the grid', () => {
    const [a, b] = shards();
    const ofTwo = write('of-two.jsonl', shardText({ index: 2, count: 2 }));
    expect(refusal([a!, b!, ofTwo])).toBe(
      `${ofTwo} is shard 2/2 and ${a} is shard 1/3: the shards of one merge split the grid the same way`,
    );
  });

  // Shard 2/3 holds points 1 and 4: its lines are the header (1), point 1 (2), point 4 (3), end (4).
  it.each([
    [
      'a file cut inside a line',
      (t: string) => t.slice(0, t.indexOf('\n', t.indexOf('\n') + 1) + 200),
      ':3: truncated: the file ends inside this line (cut short?)',
    ],
    [
      'a file cut at a line end (no end line)',
      (t: string) => t.split('\n').slice(0, 3).join('\n'),
      ":3: truncated: no end line after 2 of shard 2/3's 2 points",
    ],
    [
      'a file cut after the header',
      (t: string) => `${t.split('\n')[0]}\n`,
      ":1: truncated: no end line after 0 of shard 2/3's 2 points",
    ],
    [
      'a point missing (its line taken out, the end line counting right)',
      (t: string) => {
        const l = t.split('\n');
        return [l[0], l[1], '{"kind":"end","points":1}', ''].join('\n');
      },
      ': shard 2/3 lacks point 4 (containerConcurrency=10 target-burst-capacity=200)',
    ],
    [
      'a point twice',
      (t: string) => {
        const l = t.split('\n');
        return [l[0], l[1], l[1], l[2], l[3], ''].join('\n');
      },
      ':3: point 1 again (first on line 2)',
    ],
    [
      "another shard's point",
      (t: string) => {
        const l = t.split('\n');
        const foreign = JSON.stringify({ kind: 'point', ...records[0] });
        return [l[0], foreign, l[2], l[3], ''].join('\n');
      },
      ':2: point 0 belongs to another shard, not 2/3',
    ],
    [
      'a point whose settings are not the grid’s',
      (t: string) => t.replace('["target-burst-capacity","200"]', '["target-burst-capacity","300"]'),
      ':2: point 1 of this grid is containerConcurrency=0 target-burst-capacity=200, the line has containerConcurrency=0 target-burst-capacity=300',
    ],
    [
      'a result that is not a number',
      (t: string) => t.replace(/"requests":\d+/, '"requests":"many"'),
      ':2: results.requests: expected a number',
    ],
    [
      'a line that is not JSON',
      (t: string) => t.replace('{"kind":"point","index":4', '{"kind":"point",,"index":4'),
      ':3: not JSON: ',
    ],
    [
      'a line after the end line',
      (t: string) => `${t}{"kind":"end","points":2}\n`,
      ':5: a line after the end line (line 4)',
    ],
    ['an end line that miscounts', (t: string) => t.replace('"points":2}', '"points":3}'), ':4: the end line counts 3'],
    [
      'a header changed by hand',
      (t: string) => t.replace('"seed":2', '"seed":3'),
      `:1: the header's "gridHash" is not the hash of its "grid" (the header was changed)`,
    ],
    [
      'header points that are not the shard’s',
      (t: string) => t.replace('"points":[1,4]', '"points":[1]'),
      `:1: the header's "points" are not those of shard 2/3 of a 6-point grid (1, 4)`,
    ],
    ['an empty file', () => '', ': empty: not a knsim sweep shard'],
    [
      'a scenario given by mistake',
      () => readFileSync(COLD, 'utf8'),
      ': not a knsim sweep shard (no header line with "kind": "knsim-sweep-shard" in its 21 lines)',
    ],
    [
      'a line of braces before the header',
      (t: string) => `{ starting\n${t}`,
      ':1: not a knsim sweep shard (the line before its header is not JSON)',
    ],
    [
      'a JSON file that is not a shard',
      () => '{"name":"x"}\n',
      ':1: not a knsim sweep shard (its first line has no "kind": "knsim-sweep-shard")',
    ],
    [
      'another shard format',
      (t: string) => t.replace('"format":1', '"format":2'),
      ':1: shard format 2; this knsim reads format 1',
    ],
  ])('refuses %s, naming the file and line', (_name, edit, message) => {
    const files = shards((t, index) => (index === 2 ? edit(t) : t));
    const expected = `${files[1]}${message}`;
    expect(refusal(files).slice(0, expected.length)).toBe(expected);
  });
});

describe('knsim sweep --shard and knsim sweep merge', () => {
  const sets = SETS.flatMap((s) => ['--set', s]);

  // Each grid point is simulated once by a command: the shards (one on two worker threads) hold
  // together the six points the whole sweep holds, and the whole sweep runs once (--json, every
  // field). The other formats of the whole are what this thread's sweep printed (the command
  // formats a whole and a merged grid with the same code), so the merge is held to all three
  // without running the grid two more times.
  it('a grid run whole and as 3 shards merged prints the same bytes: table, JSON and CSV', () => {
    const out = scratch();
    const files: string[] = [];
    for (const [i, jobs] of [
      [1, '1'],
      [2, '2'],
      [3, '1'],
    ] as const) {
      const file = join(out, `shard-${i}.jsonl`);
      const r = knsim(['sweep', COLD, ...sets, '--shard', `${i}/3`, '--jobs', jobs, '-o', file]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe('');
      // Worker threads do not change a shard: each file is what this thread's run of its points writes.
      expect(readFileSync(file, 'utf8'), `shard ${i}/3`).toBe(shardText({ index: i, count: 3 }));
      files.push(file);
    }
    const single = knsim(['sweep', COLD, ...sets, '--json']);
    expect(single.status, single.stderr).toBe(0);
    expect(single.stdout).toBe(whole.json);
    for (const [format, expected] of [
      [[], whole.table],
      [['--json'], single.stdout],
      [['--csv'], whole.csv],
    ] as const) {
      const merged = knsim(['sweep', 'merge', files[2]!, files[0]!, files[1]!, ...format]);
      expect(merged.status, merged.stderr).toBe(0);
      expect(merged.stderr).toBe('');
      expect(merged.stdout.length).toBeGreaterThan(100);
      expect(merged.stdout).toBe(expected);
    }
  }, 240_000);

  it('merge exits 2 with one line for a shard missing, and for a truncated file', async () => {
    const [a, b, c] = shards();
    const missing = knsim(['sweep', 'merge', a!, c!]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`knsim: shard 2/3 missing (given: 1/3 ${a}, 3/3 ${c})\n`);
    const cut = write('cut.jsonl', readFileSync(b!, 'utf8').slice(0, 900));
    const truncated = knsim(['sweep', 'merge', a!, cut, c!]);
    expect(truncated.status).toBe(2);
    expect(truncated.stderr).toBe(`knsim: ${cut}:2: truncated: the file ends inside this line (cut short?)\n`);
    // A file that is not there (in this process: the message is the same).
    const nope = await knsimInProcess(['sweep', 'merge', a!, join(dir, 'nope.jsonl')]);
    expect(nope.stderr).toMatch(/nope\.jsonl: cannot open: no such file or directory/);
    expect(nope.status).toBe(2);
  }, 60_000);

  it('a shard with no point (8/8 of a 6-point grid) is written by the command as the library writes it', async () => {
    const r = await knsimInProcess(['sweep', COLD, ...sets, '--shard', '8/8']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(shardText({ index: 8, count: 8 }));
  });
});
