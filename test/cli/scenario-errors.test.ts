/**
 * Bad scenario files given to knsim run: one clear error naming the file, line and field (or the
 * trace file and line), exit 2, no stack trace.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasStackTrace, knsim, knsimInProcess, scratch } from './helpers.js';

const TRACE_HEADER = 'app,func,end_timestamp,duration\n';
const traceScenario = (file: string) =>
  `name: x\nload:\n  - { at: 0s, trace: { format: azure2021, file: ${file} } }\nsteps:\n  - sleep: 1s\n`;

const dir = scratch({
  'empty.yaml': '',
  'syntax.yaml': 'name: x\nsteps:\n  - apply: [a\n  - sleep: 1s\n',
  'unknown.yaml': 'name: x\nnamespce: foo\nsteps:\n  - sleep: 1s\n',
  'type.yaml': 'name: x\nseed: abc\nsteps:\n  - sleep: 1s\n',
  'duration.yaml': 'name: x\nsteps:\n  - sleep: 30\n',
  'load.yaml': 'name: x\nload:\n  - { at: 2m, for: 30s, poisson: { rps: -5 } }\nsteps:\n  - sleep: 1s\n',
  'configmap.yaml': 'name: x\nconfig:\n  config-autoscaler: { enable-scale-to-zero: maybe }\nsteps:\n  - sleep: 1s\n',
  'bad.csv': `${TRACE_HEADER}a,f,0.5,0.05\noops,not,a,number\n`,
  'badtrace.yaml': traceScenario('bad.csv'),
  'missingtrace.yaml': traceScenario('nothere.csv'),
  'dirtrace.yaml': traceScenario('adir'),
});
mkdirSync(join(dir, 'adir'));

describe('knsim run with a bad scenario', () => {
  it.each([
    ['a missing file', 'nothere.yaml', 'knsim: nothere.yaml: cannot read the scenario file: no such file'],
    ['a directory', 'adir', 'knsim: adir: cannot read the scenario file: it is a directory'],
    [
      'an empty file',
      'empty.yaml',
      'knsim: empty.yaml:1:1: (document): a scenario must be a YAML mapping (name:, steps:, …), got an empty file',
    ],
    ['a YAML syntax error', 'syntax.yaml', 'knsim: syntax.yaml:4:3: (yaml): YAML syntax error'],
    [
      'an unknown key',
      'unknown.yaml',
      'unknown.yaml:2:1: namespce: unknown field "namespce" (did you mean "namespace"?)',
    ],
    ['a wrong type', 'type.yaml', 'type.yaml:2:7: seed: expected an integer, got the string "abc"'],
    [
      'a duration without unit',
      'duration.yaml',
      'duration.yaml:3:12: steps[0].sleep: invalid duration 30: missing unit',
    ],
    ['a bad load phase', 'load.yaml', 'load.yaml:3:41: load[0].poisson.rps: must be >= 0, got -5'],
    [
      'a ConfigMap value Knative cannot parse',
      'configmap.yaml',
      'configmap.yaml:3:46: config.config-autoscaler.enable-scale-to-zero: failed to parse "enable-scale-to-zero": invalid boolean "maybe"',
    ],
    ['a malformed trace line', 'badtrace.yaml', 'knsim: bad.csv:3: end_timestamp: expected seconds, got "a"'],
    [
      'a missing trace',
      'missingtrace.yaml',
      `knsim: nothere.csv: cannot open ${join(dir, 'nothere.csv')}: no such file`,
    ],
    ['a trace that is a directory', 'dirtrace.yaml', 'knsim: adir: cannot read: it is a directory'],
  ])('%s', async (name, file, text) => {
    // The real binary for one case; the others in-process (the same main, modules loaded once).
    const r =
      name === 'an unknown key'
        ? knsim(['run', file], { cwd: dir })
        : await knsimInProcess(['run', file], { cwd: dir });
    expect(r.stderr).toContain(text);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr).not.toMatch(/E[A-Z]{3,}:/);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.status).toBe(2);
  });
});
