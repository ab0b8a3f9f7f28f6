/**
 * `knsim sweep --shard I/N` and `knsim sweep merge`: the merged shards print the single-machine
 * sweep's table and JSON byte for byte, whatever N (shards with no point included), and merge
 * refuses a missing, repeated or foreign shard with a clear message.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseShardSpec, shardPoints } from '../../src/runner/sweep/shardSpec.js';
import { hasStackTrace, knsim, knsimInProcess, REPO, scratch } from '../cli/helpers.js';

const SCENARIO = join(REPO, 'test/results/fixtures/warm-pod.yaml');
const SETS = ['--set', 'containerConcurrency=0,2,10', '--set', 'autoscaling.knative.dev/window=20s,60s'];

async function ok(args: string[]): Promise<string> {
  const r = await knsimInProcess(args);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('sweep shards', () => {
  it('parses I/N (1 ≤ I ≤ N) and deals the points round-robin', () => {
    expect(parseShardSpec('2/5')).toEqual({ index: 2, count: 5 });
    expect(() => parseShardSpec('6/5')).toThrow(/there is no shard 6 of 5/);
    expect(() => parseShardSpec('1/0')).toThrow(/N is 0/);
    expect(() => parseShardSpec('x')).toThrow(/expected I\/N/);
    expect(shardPoints(8, parseShardSpec('2/3'))).toEqual([1, 4, 7]);
  });

  it('merged, the shards print the single-machine table and JSON byte for byte (N = 1, 4, 8)', async () => {
    const table = await ok(['sweep', SCENARIO, ...SETS, '-j', '1']);
    const json = await ok(['sweep', SCENARIO, ...SETS, '-j', '1', '--json']);
    expect(table.split('\n')).toHaveLength(8); // header, 6 points, final newline
    const dir = scratch();
    for (const n of [1, 4, 8]) {
      const files: string[] = [];
      for (let i = 1; i <= n; i++) {
        const file = join(dir, `n${n}-shard${i}.json`);
        // A pod's log may hold other lines before the shard's (kubectl logs of the Job's pods).
        writeFileSync(
          file,
          `starting shard ${i}\n${await ok(['sweep', SCENARIO, ...SETS, '-j', '1', '--shard', `${i}/${n}`])}`,
        );
        files.push(file);
      }
      files.reverse(); // any order
      expect(await ok(['sweep', 'merge', ...files])).toBe(table);
      expect(await ok(['sweep', 'merge', '--json', ...files])).toBe(json);
    }
  });

  it('refuses a missing, repeated or foreign shard, and bad input, with a message and exit 2', async () => {
    const dir = scratch({ 'junk.txt': 'hello\n' });
    const write = async (name: string, args: string[]) => {
      writeFileSync(join(dir, name), await ok(args));
      return join(dir, name);
    };
    const a = await write('a.json', ['sweep', SCENARIO, ...SETS, '-j', '1', '--shard', '1/2']);
    const b = await write('b.json', ['sweep', SCENARIO, ...SETS, '-j', '1', '--shard', '2/2']);
    const other = await write('o.json', [
      'sweep',
      SCENARIO,
      '--set',
      'containerConcurrency=0,2',
      '-j',
      '1',
      '--shard',
      '2/2',
    ]);
    const cases: [string[], RegExp][] = [
      [[a], /shard 2\/2 missing/],
      [[a, a], /shard 1\/2 given twice/],
      [[a, other], /o\.json is a shard of another grid than .*a\.json/],
      [[a, b, join(dir, 'junk.txt')], /junk\.txt: not a knsim sweep shard/],
      [[a, join(dir, 'nope.json')], /nope\.json: cannot open: no such file or directory/],
    ];
    for (const [files, message] of cases) {
      const r = await knsimInProcess(['sweep', 'merge', ...files]);
      expect(r.stderr).toMatch(message);
      expect(hasStackTrace(r.stderr)).toBe(false);
      expect(r.status).toBe(2);
    }
    const bad = await knsimInProcess(['sweep', SCENARIO, ...SETS, '--shard', '4/3']);
    expect(bad.stderr).toMatch(/option '--shard <I\/N>' argument '4\/3' is invalid\. expected I\/N/);
    expect(bad.status).toBe(2);
  });

  it('runs as the real command line does', () => {
    const r = knsim([
      'sweep',
      'test/results/fixtures/warm-pod.yaml',
      '--set',
      'containerConcurrency=0,2',
      '--shard',
      '1/2',
    ]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.split('\n')[0]!)).toMatchObject({
      kind: 'knsim-sweep-shard',
      format: 1,
      shard: { index: 1, count: 2 },
      grid: { points: 2 },
    });
  });
});
