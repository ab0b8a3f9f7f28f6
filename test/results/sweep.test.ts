import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/runner/simulate.js';
import { applyPoint, grid, parseSet, SweepError } from '../../src/runner/sweep/grid.js';
import { runSweep } from '../../src/runner/sweep/run.js';
import { formatSweepTable } from '../../src/runner/sweep/table.js';

const COLD = 'test/results/fixtures/cold-burst.yaml';
const run = promisify(execFile);

describe('sweep settings', () => {
  it('parses --set values and kinds, and builds the grid first axis slowest', () => {
    const a = parseSet('target-burst-capacity=0,200');
    const b = parseSet('autoscaling.knative.dev/window=30s');
    expect(a).toEqual({ key: 'target-burst-capacity', kind: 'config', values: ['0', '200'] });
    expect(b.kind).toBe('annotation');
    expect(parseSet('containerConcurrency=1').kind).toBe('containerConcurrency');
    expect(parseSet('podStartup=1s,5s').kind).toBe('sim');
    expect(grid([a, parseSet('podStartup=1s,5s')]).map((p) => p.map(([, v]) => v).join('/'))).toEqual([
      '0/1s',
      '0/5s',
      '200/1s',
      '200/5s',
    ]);
  });

  it('refuses unknown keys and bad values with a clear message', () => {
    expect(() => parseSet('stable-windw=30s')).toThrow(/unknown key/);
    expect(() => parseSet('stable-window')).toThrow(/key=value/);
    const scenario = loadScenario(COLD);
    expect(() => applyPoint(scenario, [['stable-window', 'banana']])).toThrow(SweepError);
    expect(() => applyPoint(scenario, [['stable-window', 'banana']])).toThrow(/stable-window/);
    expect(() => applyPoint(scenario, [['containerConcurrency', '-1']])).toThrow(/0 to 1000/);
    expect(() => applyPoint(scenario, [['podStartup', 'soon']])).toThrow(/podStartup/);
    expect(() => applyPoint(scenario, [['autoscaling.knative.dev/min-scale', 'x']])).toThrow(SweepError);
  });

  it('applies a point to a copy: ConfigMap data, every Service template, simulator settings', () => {
    const scenario = loadScenario(COLD);
    const changed = applyPoint(scenario, [
      ['stable-window', '30s'],
      ['autoscaling.knative.dev/target', '5'],
      ['containerConcurrency', '10'],
      ['podStartup', '7s'],
    ]);
    expect(changed.config['config-autoscaler']).toEqual({ 'stable-window': '30s' });
    const svc = changed.files['svc.yaml']![0] as unknown as {
      spec: { template: { metadata: { annotations: Record<string, string> }; spec: { containerConcurrency: number } } };
    };
    expect(svc.spec.template.metadata.annotations['autoscaling.knative.dev/target']).toBe('5');
    expect(svc.spec.template.spec.containerConcurrency).toBe(10);
    expect(changed.settings.podStartup).toEqual({ kind: 'fixed', ms: 7000 });
    expect(scenario.config['config-autoscaler']).toBeUndefined(); // the input is untouched
  });
});

describe('a 2×1 sweep', () => {
  it('runs in-process and shows both rows with different cold latencies', async () => {
    const axes = [parseSet('podStartup=1s,10s')];
    const rows = await runSweep(COLD, loadScenario(COLD), axes, { jobs: 0 });
    expect(rows).toHaveLength(2);
    const [fast, slow] = rows;
    expect(fast!.point).toEqual([['podStartup', '1s']]);
    expect(slow!.point).toEqual([['podStartup', '10s']]);
    expect(slow!.results.coldLatency.max).toBeGreaterThan(fast!.results.coldLatency.max + 5000);
    expect(slow!.results.coldRequests).toBeGreaterThan(fast!.results.coldRequests);
    const table = formatSweepTable(axes, rows).split('\n');
    expect(table[0]).toMatch(/^podStartup\s+requests\s+503\s+504\s+p50/);
    expect(table[1]).toMatch(/^1s /);
    expect(table[2]).toMatch(/^10s /);
  });

  it('runs from the command line with worker threads and prints JSON rows', async () => {
    const { stdout } = await run(
      'node',
      ['bin/knsim.js', 'sweep', COLD, '--set', 'podStartup=1s,10s', '--jobs', '2', '--json'],
      { timeout: 60_000 },
    );
    const rows = JSON.parse(stdout) as {
      settings: Record<string, string>;
      results: { coldLatency: { max: number } };
    }[];
    expect(rows.map((r) => r.settings)).toEqual([{ podStartup: '1s' }, { podStartup: '10s' }]);
    expect(rows[1]!.results.coldLatency.max).toBeGreaterThan(rows[0]!.results.coldLatency.max);
  }, 90_000);

  it('exits 2 with one clear line for a bad key', async () => {
    const err = await run('node', ['bin/knsim.js', 'sweep', COLD, '--set', 'stable-windw=30s']).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/^knsim: --set stable-windw: unknown key/);
    expect(err.stderr.trim().split('\n')).toHaveLength(1);
  });
});
