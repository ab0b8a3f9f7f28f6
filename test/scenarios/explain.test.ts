/** `knsim explain` on the logs of real scenario runs, and its errors. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { explainLog, parseAt } from '../../src/explain/explain.js';
import { ExplainError, readExplainLog } from '../../src/explain/log.js';
import { runScenario } from './helpers.js';

let dir: string;
let activatorLog: string;
let seedLog: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'knsim-explain-'));
  activatorLog = (await runScenario('activator-on-path.yaml')).log;
  seedLog = (await runScenario('seed-walkthrough.yaml')).log;
  writeFileSync(join(dir, 'seed.jsonl'), seedLog);
});

/** Runs the CLI in-process and captures its output and exit code. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('knsim explain', () => {
  it('parses --at as a Go duration or milliseconds', () => {
    expect(parseAt('64s')).toBe(64_000);
    expect(parseAt('1m4s')).toBe(64_000);
    expect(parseAt('1m4.5s')).toBe(64_500);
    expect(parseAt('64000')).toBe(64_000);
    expect(() => parseAt('5x')).toThrow(ExplainError);
    expect(() => parseAt('-3s')).toThrow(/--at/);
  });

  it('explains the panic of the activator walk-through in plain words', () => {
    const log = readExplainLog(activatorLog, 'act.jsonl');
    const scaleTo3 = log.actions.get('demo-00001')?.find((a) => a.type === 'scale' && a.to === 3);
    expect(scaleTo3).toBeDefined();
    const text = explainLog(log, { atMs: scaleTo3!.t });
    expect(text).toMatch(/demo-00001, tick at [\d.]+ s \(latest tick at or before/);
    expect(text).toMatch(/panic: 6-second average [\d.]+ needs 3 pods, which is at least 2 x 1 ready pod/);
    expect(text).toContain('scaling the deployment to 3 replicas');
    expect(text).toMatch(
      /excess burst capacity -\d+ = floor\(1 × 10 − 10 − [\d.]+\) < 0: the activator stays in the path/,
    );
    expect(text).toMatch(/deployment scaled 2 → 3/);
    expect(text).toMatch(/routing: SKS Proxy, the activator is in the path/);
    expect(text).toContain('autoscaler: panicking');
  });

  it('--at after the end of the run says where the log ends', () => {
    const log = readExplainLog(seedLog, 'seed.jsonl');
    const text = explainLog(log, { atMs: log.endMs + 3_600_000 });
    expect(text).toContain(`; the log ends at ${Math.round(log.endMs) / 1000} s)`);
    expect(explainLog(log, { atMs: log.endMs })).not.toContain('the log ends at');
  });

  it('without --at lists the ticks that changed something', () => {
    const log = readExplainLog(seedLog, 'seed.jsonl');
    const text = explainLog(log);
    expect(text).toMatch(/knservice-00001: \d+ of \d+ ticks changed something/);
    expect(text).toContain(
      'deployment scaled 1 → 0 (fast-path: the activator had been in the path for the whole grace period)',
    );
    expect(text).toContain("deployment scaled 0 → 1 (desired: the decider's count)");
    expect(text).toMatch(/state: PA Inactive/);
  });

  it('with --at, also shows what the KPA did after the tick, up to that moment', () => {
    const log = readExplainLog(seedLog, 'seed.jsonl');
    const toZero = log.actions.get('knservice-00001')?.find((a) => a.type === 'scale' && a.to === 0);
    expect(toZero).toBeDefined();
    const text = explainLog(log, { atMs: toZero!.t });
    expect(text).toContain(`then, up to ${toZero!.t / 1000} s:`);
    expect(text).toMatch(/deployment scaled 1 → 0 \(fast-path/);
  });

  it('recomputes the explanation when the log has none', () => {
    const stripped = activatorLog
      .split('\n')
      .map((l) => {
        if (!l.includes('"kpa.tick"')) return l;
        const e = JSON.parse(l);
        delete e.explain;
        delete e.context;
        return JSON.stringify(e);
      })
      .join('\n');
    const log = readExplainLog(stripped, 'old.jsonl');
    const scaleTo3 = log.actions.get('demo-00001')?.find((a) => a.type === 'scale' && a.to === 3);
    const text = explainLog(log, { atMs: scaleTo3!.t });
    expect(text).toMatch(/panic: 6-second average [\d.]+ needs 3 pods/);
    expect(text).toMatch(/decision: 3 pods/);
  });

  it('prints through the CLI and exits 0', async () => {
    const r = await cli(['explain', join(dir, 'seed.jsonl'), '--at', '1m4.1s', '--revision', 'knservice-00001']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('fast path: the activator has been in the path');
  });

  it('names the file and line of a bad log line, and exits 2', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${seedLog.split('\n').slice(0, 3).join('\n')}\n{oops\n`);
    const r = await cli(['explain', bad]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `knsim: ${bad}:4: not a JSON object (is this a knsim event log? write one with knsim run --log)\n`,
    );
    const badTick = join(dir, 'bad-tick.jsonl');
    writeFileSync(badTick, `${seedLog.split('\n')[0]}\n{"t":5,"type":"kpa.tick","revision":"r","decision":3}\n`);
    const r2 = await cli(['explain', badTick]);
    expect(r2.code).toBe(2);
    expect(r2.err).toContain(`${badTick}:2: kpa.tick event: "decision" must be an object`);
  });

  it('refuses a missing file, an unknown revision and a bad --at with exit 2', async () => {
    const missing = await cli(['explain', join(dir, 'nope.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('nope.jsonl: cannot open: no such file or directory');
    const unknown = await cli(['explain', join(dir, 'seed.jsonl'), '--revision', 'nope-00001']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown revision "nope-00001" (revisions in this log: knservice-00001)');
    const at = await cli(['explain', join(dir, 'seed.jsonl'), '--at', 'soon']);
    expect(at.code).toBe(2);
    expect(at.err).toContain('--at: expected a run time');
  });
});
