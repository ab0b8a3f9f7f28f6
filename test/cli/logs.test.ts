/**
 * Every command that reads an event log reads it through the one checked reader: a bad line is one
 * message naming the file and the line, exit 2, never a crash (these inputs crashed `knsim tui`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasStackTrace, knsim, scratch } from './helpers.js';

const HEADER =
  '{"type":"header","format":1,"knsim":"0.1.0","backend":"sim","scenario":"s","scenarioFile":"missing.yaml","seed":1,"namespace":"default","epoch":"2024-01-01T00:00:00.000Z"}';

function refused(r: { status: number | null; stderr: string; stdout: string }, message: string): void {
  expect(r.stderr).toContain(`knsim: ${message}\n`);
  expect(r.stderr).not.toContain('internal error');
  expect(hasStackTrace(r.stderr)).toBe(false);
  expect(r.status).toBe(2);
}

describe('commands reading a bad event log', () => {
  const dir = scratch({
    'tick.jsonl': `${HEADER}\n{"t":1000,"type":"sample","revision":"r-00001","rps":0,"concurrency":0,"desired":1,"ready":1,"pending":0,"terminating":0,"activatorQueue":0,"queueProxyQueue":0,"inFlight":0,"panic":false,"activatorInPath":false}\n{"t":2000,"type":"kpa.tick","revision":"r-00001"}\n`,
    'null.jsonl': `${HEADER}\n{"t":0,"type":"object","op":"added","kind":"Service","namespace":"default","name":"x","object":null}\n`,
  });
  const tick = join(dir, 'tick.jsonl');
  const nul = join(dir, 'null.jsonl');

  it.each([
    ['tui', ['tui', tick]],
    ['explain', ['explain', tick]],
    ['compare', ['compare', tick, tick]],
    ['predict', ['predict', tick]],
  ])('%s names the kpa.tick without a decision', (_name, args) => {
    refused(knsim(args), `${tick}:3: kpa.tick event without "decision" (an object)`);
  });

  it('tui names the object event whose object is null', () => {
    refused(knsim(['tui', nul]), `${nul}:2: object event: "object" must be an object, got null`);
  });

  it('refuses /dev/zero saying what it refused, in bounded time', () => {
    refused(
      knsim(['explain', '/dev/zero']),
      "/dev/zero:1: refused: a line longer than 4 MiB (an event log's lines are at most a few hundred KB; is this a knsim event log?)",
    );
    refused(knsim(['tui', '/dev/zero']), '/dev/zero: not a text file (expected a scenario YAML file or an event log)');
  });
});

describe('a log whose last line was cut short', () => {
  it('tui replays the lines before it and says what it skipped', () => {
    const dir = scratch();
    const log = join(dir, 'run.jsonl');
    expect(knsim(['run', 'scenarios/idle-to-zero.yaml', '--log', log]).status).toBe(0);
    const cut = join(dir, 'cut.jsonl');
    const text = readFileSync(log, 'utf8');
    const lines = text.split('\n');
    writeFileSync(cut, `${lines.slice(0, 40).join('\n')}\n${lines[40]!.slice(0, 25)}`);
    const r = knsim(['tui', cut]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(
      `knsim tui: ${cut}:41: the last line is cut short (the run stopped while writing it?); read the 40 lines before it`,
    );
    expect(r.stdout).toContain('idle-00001');
  }, 60_000);
});
