/**
 * Load settings are checked where the file is read: distributions that cannot be built (a
 * lognormal p99 below its median, a uniform max below its min, decreasing percentiles) and
 * amounts of work no run could do (1e9 RPS, bursts of 1e9, 100,000 hey clients, a trace scaled
 * past 1 M RPS) are the file's errors, at their line and field. Traces are read with a bound on
 * the line (/dev/zero, a 10 MB line), and a FIFO with no writer does not hang a read.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../src/scenario/parse.js';
import { readTextFile } from '../../src/scenario/read.js';
import { buildLoad, MAX_RPS, validateLoadPhase } from '../../src/sim/load/spec.js';
import { readAzure2019Invocations } from '../../src/sim/load/traces/azure2019.js';
import { FileLineReader, TraceError } from '../../src/sim/load/traces/lines.js';
import { rng } from './helpers.js';

function issuesOf(phase: string): string[] {
  try {
    parseScenario(`load:\n  - ${phase}\n`, 'l.yaml', { validateLoad: validateLoadPhase });
  } catch (e) {
    if (e instanceof ScenarioError) return e.message.split('\n');
    throw e;
  }
  return [];
}

describe('service times are built where the file is read', () => {
  it.each([
    [
      '{ for: 1s, poisson: { rps: 1 }, service: { lognormal: { median: 1s, p99: 10ms } } }',
      'l.yaml:2:78: load[0].service.lognormal.p99: lognormal p99 (10 ms) must be >= median (1000 ms)',
    ],
    [
      '{ for: 1s, poisson: { rps: 1 }, service: { uniform: { min: 1s, max: 10ms } } }',
      'l.yaml:2:73: load[0].service.uniform.max: uniform max (10 ms) must be >= min (1000 ms)',
    ],
    [
      '{ for: 1s, poisson: { rps: 1 }, service: { empirical: { p0: 1s, p50: 10ms, p99: 2s } } }',
      'l.yaml:2:74: load[0].service.empirical.p50: empirical: values must not decrease, but p50 (10 ms) < p0 (1000 ms)',
    ],
    [
      '{ for: 1s, hey: { concurrency: 2, think: { uniform: { min: 2s, max: 1s } } } }',
      'l.yaml:2:73: load[0].hey.think.uniform.max: uniform max (1000 ms) must be >= min (2000 ms)',
    ],
  ])('%s', (phase, expected) => {
    expect(issuesOf(phase)).toEqual([expected]);
  });

  it('any service spec the parser accepts builds, and samples finite times >= 0 (property)', () => {
    const ms = fc.oneof(
      fc.integer({ min: 0, max: 10_000 }).map((n) => `${n}ms`),
      fc.constant('0'),
    );
    const spec = fc.oneof(
      ms,
      fc.record({ uniform: fc.record({ min: ms, max: ms }) }),
      fc.record({ lognormal: fc.record({ median: ms, p99: ms }) }),
      fc.record({ exponential: fc.record({ mean: ms }) }),
      fc.dictionary(fc.constantFrom('p0', 'p25', 'p50', 'p90', 'p99', 'p100'), ms, { minKeys: 1 }).map((empirical) => ({
        empirical,
      })),
    );
    fc.assert(
      fc.property(spec, (service) => {
        const phase = { at: 0, for: '1s', constant: { rps: 5 }, service };
        if (validateLoadPhase(phase).length > 0) return;
        const { source } = buildLoad([phase], { random: rng(), baseDir: '.' });
        for (let a = source.next(); a !== undefined; a = source.next()) {
          expect(Number.isFinite(a.serviceMs) && a.serviceMs >= 0).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('absurd amounts of work are refused at parse time, saying what and why', () => {
  it.each([
    [
      '{ for: 1s, poisson: { rps: 1e9 } }',
      'load[0].poisson.rps: 1,000,000,000 requests per second is more than a simulation can do (at most 1,000,000 per second)',
    ],
    ['{ for: 1s, constant: { rps: 2000000 } }', 'load[0].constant.rps: 2,000,000 requests per second is more than'],
    ['{ for: 1s, ramp: { from: 1, to: 1e9 } }', 'load[0].ramp.to: 1,000,000,000 requests per second'],
    ['{ steps: [{ for: 1s, rps: 1e9 }] }', 'load[0].steps[0].rps: 1,000,000,000 requests per second'],
    ['{ for: 1s, cloudevents: { rps: 1e9 } }', 'load[0].cloudevents.rps: 1,000,000,000 requests per second'],
    [
      '{ for: 1s, sine: { mean: 1, amplitude: 1e9, period: 1m } }',
      'load[0].sine.amplitude: a peak of 1,000,000,001 requests per second',
    ],
    [
      '{ for: 1s, bursts: { count: 1000000000, every: 1s } }',
      'load[0].bursts.count: a burst of 1,000,000,000 requests is more than 1,000,000',
    ],
    [
      '{ for: 1s, bursts: { count: 10000, every: 1ms } }',
      'load[0].bursts.count: 10,000,000 requests per second is more than',
    ],
    [
      '{ for: 1s, hey: { concurrency: 100000 } }',
      'load[0].hey.concurrency: 100,000 clients is more than a simulation can do (at most 10,000)',
    ],
    [
      '{ hey: { concurrency: 1, requests: 1e12 } }',
      'load[0].hey.requests: 1,000,000,000,000 requests is more than 1,000,000,000',
    ],
    [
      '{ for: 1000000h, poisson: { rps: 1 } }',
      'load[0].for: 1000000h is longer than a scenario can run (at most 366 days, i.e. 8784h)',
    ],
    ['{ at: 1000000000h, for: 1s, poisson: { rps: 1 } }', 'load[0].at: 1000000000h is longer than a scenario can run'],
    [
      '{ for: 1s, poisson: { rps: 1 }, service: 1000000h }',
      'load[0].service.constant: 1000000h is longer than a scenario can run',
    ],
    [
      '{ trace: { format: azure2019, invocations: x.csv, function: 0, rateScale: 1e6 } }',
      'load[0].trace.rateScale: rateScale 1,000,000 is more than 10,000',
    ],
    [
      '{ trace: { format: azure2021, file: x.csv, timeScale: 1e-9 } }',
      'load[0].trace.timeScale: timeScale must be at least 0.001',
    ],
  ])('%s', (phase, expected) => {
    const issues = issuesOf(phase);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^l\.yaml:2:\d+: /);
    expect(issues[0]).toContain(expected);
  });

  it('accepts the bounds themselves: 1 M RPS, 10,000 clients, a burst of 1 M a second', () => {
    expect(issuesOf(`{ for: 1s, poisson: { rps: ${MAX_RPS} } }`)).toEqual([]);
    expect(issuesOf('{ for: 1s, hey: { concurrency: 10000 } }')).toEqual([]);
    expect(issuesOf('{ for: 1s, bursts: { count: 1000000, every: 1s } }')).toEqual([]);
  });

  it('a trace scaled past 1 M RPS is refused when its counts are read, naming the minute', () => {
    const dir = mkdtempSync(join(tmpdir(), 'knsim-bounds-'));
    const header = ['HashOwner,HashApp,HashFunction,Trigger', ...Array.from({ length: 1440 }, (_, i) => i + 1)].join(
      ',',
    );
    const row = ['o', 'a', 'f', 'http', ...Array.from({ length: 1440 }, (_, m) => (m === 7 ? 1_000_000_000 : 1))].join(
      ',',
    );
    writeFileSync(join(dir, 'inv.csv'), `${header}\n${row}\n`);
    expect(() =>
      buildLoad([{ trace: { format: 'azure2019', invocations: 'inv.csv', function: 0 } }], {
        random: rng(),
        baseDir: dir,
      }),
    ).toThrow(
      /minute 8 of inv\.csv: 1,000,000,000 invocations × rateScale 1 = 16,666,667 requests per second is more than/,
    );
  });
});

describe('trace files are read with a bound on the line', () => {
  it('/dev/zero and a 10 MB line are refused at their line, not read into memory', () => {
    const zero = new FileLineReader('/dev/zero');
    expect(() => zero.nextLine()).toThrow(TraceError);
    const dir = mkdtempSync(join(tmpdir(), 'knsim-bounds-'));
    const header = ['HashOwner,HashApp,HashFunction,Trigger', ...Array.from({ length: 1440 }, (_, i) => i + 1)].join(
      ',',
    );
    writeFileSync(join(dir, 'big.csv'), `${header}\n${'x'.repeat(10_000_000)}\n`);
    try {
      readAzure2019Invocations({ path: join(dir, 'big.csv'), file: 'big.csv' }, 0);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toBe('big.csv:2: refused: a line longer than 1 MiB (is this a trace file?)');
    }
  });

  it.skipIf(process.platform === 'win32')('a FIFO nobody writes to reads as empty instead of hanging', () => {
    const dir = mkdtempSync(join(tmpdir(), 'knsim-fifo-'));
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(readTextFile(fifo)).toBe('');
    expect(new FileLineReader(fifo).nextLine()).toBeUndefined();
  });
});
