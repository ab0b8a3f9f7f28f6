/** Bad command lines: commander's one-line error naming the flag or command, exit 2, no stack trace. */
import { describe, expect, it } from 'vitest';
import { hasStackTrace, knsim, knsimInProcess } from './helpers.js';

const SCENARIO = 'scenarios/idle-to-zero.yaml';

describe('bad flags and commands', () => {
  it.each([
    ['--seed -1', ['run', SCENARIO, '--seed', '-1'], `option '-s, --seed <n>' argument '-1' is invalid`],
    ['--seed abc', ['run', SCENARIO, '--seed', 'abc'], `argument 'abc' is invalid. expected a whole number`],
    ['start --seed 1.5', ['start', '--seed', '1.5'], `argument '1.5' is invalid. expected a whole number`],
    ['explain --at banana', ['explain', 'x.jsonl', '--at', 'banana'], '--at: expected a run time such as 64s'],
    ['sweep --set nokey', ['sweep', SCENARIO, '--set', 'nokey'], '--set nokey: expected key=value[,value...]'],
    ['sweep --set bogus=1', ['sweep', SCENARIO, '--set', 'bogus=1'], '--set bogus: unknown key'],
    [
      'sweep --shard 0/3',
      ['sweep', SCENARIO, '--set', 'containerConcurrency=0', '--shard', '0/3'],
      "option '--shard <I/N>' argument '0/3' is invalid. expected I/N, shard I of N with 1 ≤ I ≤ N ≤ 100,000 (1/3 is the first of 3); shards count from 1, the first is 1/3",
    ],
    [
      'sweep --shard 3/2',
      ['sweep', SCENARIO, '--set', 'containerConcurrency=0', '--shard', '3/2'],
      "option '--shard <I/N>' argument '3/2' is invalid. expected I/N, shard I of N with 1 ≤ I ≤ N ≤ 100,000 (1/3 is the first of 3); there is no shard 3 of 2",
    ],
    [
      'sweep --shard a/b',
      ['sweep', SCENARIO, '--set', 'containerConcurrency=0', '--shard', 'a/b'],
      `option '--shard <I/N>' argument 'a/b' is invalid. expected I/N, shard I of N with 1 ≤ I ≤ N ≤ 100,000 (1/3 is the first of 3), got "a/b"`,
    ],
    [
      'sweep --shard with --json',
      ['sweep', SCENARIO, '--set', 'containerConcurrency=0', '--shard', '1/2', '--json'],
      "error: option '--json' cannot be used with option '--shard <I/N>'",
    ],
    ['sweep merge without files', ['sweep', 'merge'], "error: missing required argument 'files'"],
    [
      'sweep merge with a flag of the sweep',
      ['sweep', 'merge', 'a.jsonl', '--set', 'containerConcurrency=0'],
      'knsim: --set is a flag of knsim sweep, not of knsim sweep merge',
    ],
    ['tui --speed 0', ['tui', SCENARIO, '--speed', '0'], `option '--speed <x>' argument '0' is invalid`],
    ['serve --speed 0', ['serve', '--speed', '0'], `argument '0' is invalid. expected a positive number`],
    ['serve --port 99999', ['serve', '--port', '99999'], 'expected a port number from 0 to 65535, got "99999"'],
    ['an unknown command', ['bogus'], "error: unknown command 'bogus'"],
    ['an unknown option', ['run', SCENARIO, '--bogus'], "error: unknown option '--bogus'"],
    ['a missing argument', ['run'], "error: missing required argument 'scenario'"],
  ])('%s', async (name, args, text) => {
    // The real binary for one case; the others in-process (the same main, modules loaded once).
    const r = name === 'an unknown command' ? knsim(args) : await knsimInProcess(args);
    expect(r.stderr).toContain(text);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    expect(r.status).toBe(2);
  });
});

describe('no arguments', () => {
  it('prints the help on stdout and succeeds, as kubectl does', () => {
    const r = knsim([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: knsim [options] [command]');
    expect(r.stdout).toContain('run [options] <scenario>');
  });
});

describe('determinism', () => {
  it('knsim run gives the same transcript twice with the same seed', () => {
    const a = knsim(['run', SCENARIO, '--seed', '3']);
    const b = knsim(['run', SCENARIO, '--seed', '3']);
    expect(a.status).toBe(0);
    expect(a.stdout).toContain('Summary');
    expect(b.stdout).toBe(a.stdout);
  });
});
