/** Files named on the command line that cannot be used: one line naming the file, exit 2. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileErrorMessage } from '../../src/io/errors.js';
import { hasStackTrace, knsim, knsimInProcess, scratch } from './helpers.js';

const SCENARIO = 'scenarios/idle-to-zero.yaml';

function expectUserError(r: { status: number | null; stderr: string }, text: string | RegExp): void {
  expect(r.stderr).toMatch(text);
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr).not.toMatch(/E[A-Z]{3,}:/); // no raw errno text such as "ENOENT: no such file…"
  expect(hasStackTrace(r.stderr)).toBe(false);
  expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
  expect(r.status).toBe(2);
}

describe('output files that cannot be written', () => {
  const dir = scratch();
  mkdirSync(join(dir, 'adir'));
  const missing = join(dir, 'no/such/dir/out');

  it.each([
    [
      'run --log <directory>',
      ['run', SCENARIO, '--log', join(dir, 'adir')],
      `--log ${join(dir, 'adir')}: cannot open: it is a directory`,
    ],
    [
      'run --log <missing dir>',
      ['run', SCENARIO, '--log', missing],
      `--log ${missing}: cannot open: no such file or directory`,
    ],
    [
      'run --csv <directory>',
      ['run', SCENARIO, '--csv', join(dir, 'adir')],
      `--csv ${join(dir, 'adir')}: cannot open: it is a directory`,
    ],
    [
      'run --csv <missing dir>',
      ['run', SCENARIO, '--csv', missing],
      `--csv ${missing}: cannot open: no such file or directory`,
    ],
  ])('%s', async (name, args, text) => {
    // The real binary for one case; the others in-process (the same main, modules loaded once).
    const r = name === 'run --log <directory>' ? knsim(args) : await knsimInProcess(args);
    expectUserError(r, `knsim: ${text}\n`);
    expect(r.stdout).toBe(''); // the files are opened before the run starts
  });

  it.runIf(existsSync('/dev/full'))('run --log/--csv on a full disk names the flag', async () => {
    for (const flag of ['--log', '--csv']) {
      expectUserError(
        await knsimInProcess(['run', SCENARIO, flag, '/dev/full']),
        `knsim: ${flag} /dev/full: cannot write: no space left on device`,
      );
    }
  });

  it('checks the scenario before creating the output files', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: x\nsteps: 3\n');
    const log = join(dir, 'not-created.jsonl');
    const r = knsim(['run', bad, '--log', log]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${bad}:`);
    expect(existsSync(log)).toBe(false);
  });
});

describe('input files that cannot be read', () => {
  const dir = scratch({ 'hello.jsonl': 'hello world\n', 'object.jsonl': '{"a":1}\n' });
  mkdirSync(join(dir, 'adir'));

  it.each([
    ['explain <missing>', ['explain', 'nothere.jsonl'], 'nothere.jsonl: cannot open: no such file or directory'],
    ['explain <directory>', ['explain', 'adir'], 'adir: cannot read: it is a directory'],
    ['tui <missing>', ['tui', 'nothere.jsonl'], 'nothere.jsonl: cannot open: no such file or directory'],
    ['tui <directory>', ['tui', 'adir'], 'adir: cannot read: it is a directory'],
    ['tui --follow <directory>', ['tui', '--follow', 'adir'], 'adir: cannot read: it is a directory'],
    // A .jsonl file is read as a log (not as YAML), so the error is the log's.
    ['tui <text.jsonl>', ['tui', 'hello.jsonl'], 'hello.jsonl:1: not a JSON object'],
    ['tui <object.jsonl>', ['tui', 'object.jsonl'], 'object.jsonl:1: expected an event object with a "type" field'],
  ])('%s', async (name, args, text) => {
    const r = name === 'tui <directory>' ? knsim(args, { cwd: dir }) : await knsimInProcess(args, { cwd: dir });
    expectUserError(r, text);
  });
});

describe('fileErrorMessage', () => {
  it('says what failed on which file, in words', () => {
    const e = Object.assign(new Error("ENOENT: no such file or directory, open 'x/y'"), {
      code: 'ENOENT',
      syscall: 'open',
      path: 'x/y',
    });
    expect(fileErrorMessage(e)).toBe('x/y: cannot open: no such file or directory');
    expect(fileErrorMessage(Object.assign(new Error('EISDIR'), { code: 'EISDIR', syscall: 'read' }), 'd')).toBe(
      'd: cannot read: it is a directory',
    );
    expect(fileErrorMessage(new Error('other'))).toBeUndefined();
  });
});
