/**
 * The model is what a run executes: every exported rule of the model modules below (functions,
 * and the methods of exported classes) is swapped, one at a time, for one that throws, and a
 * run of scenarios under scenarios/ must fail with that very error. A rule the simulator copies
 * instead of calling, or never reaches, is reported by name.
 *
 * The swap is module-level (vi.mock of the defining file), so a call from another module of the
 * model counts, and a call from inside the defining file does not. Runs are in-process
 * (`knsim run <scenario>`, with or without `--log <file>`) and stop at the first throw.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const probe = vi.hoisted(() => {
  const state: { throwing: string | undefined; rules: string[] } = { throwing: undefined, rules: [] };
  class RuleProbe extends Error {}
  const isClass = (f: unknown) => typeof f === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(f));
  /** The module with each exported function (and each method of an exported class) swappable. */
  function wrap(file: string, mod: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(mod)) {
      if (isClass(value)) {
        const proto = (value as { prototype: Record<string, unknown> }).prototype;
        for (const method of Object.getOwnPropertyNames(proto)) {
          const original = proto[method];
          if (method === 'constructor' || typeof original !== 'function') continue;
          const key = `${file}#${name}.${method}`;
          state.rules.push(key);
          proto[method] = function (this: unknown, ...args: unknown[]) {
            if (state.throwing === key) throw new RuleProbe(`rule probe: ${key}`);
            return (original as (...a: unknown[]) => unknown).apply(this, args);
          };
        }
        out[name] = value;
      } else if (typeof value === 'function') {
        const key = `${file}#${name}`;
        state.rules.push(key);
        out[name] = function (this: unknown, ...args: unknown[]) {
          if (state.throwing === key) throw new RuleProbe(`rule probe: ${key}`);
          return (value as (...a: unknown[]) => unknown).apply(this, args);
        };
      } else {
        out[name] = value;
      }
    }
    return out;
  }
  return { state, wrap };
});

vi.mock('../../src/model/kpa/activators.js', async (o) => probe.wrap('kpa/activators', await o()));
vi.mock('../../src/model/kpa/annotations.js', async (o) => probe.wrap('kpa/annotations', await o()));
vi.mock('../../src/model/kpa/bounds.js', async (o) => probe.wrap('kpa/bounds', await o()));
vi.mock('../../src/model/kpa/buckets.js', async (o) => probe.wrap('kpa/buckets', await o()));
vi.mock('../../src/model/kpa/burstCapacity.js', async (o) => probe.wrap('kpa/burstCapacity', await o()));
vi.mock('../../src/model/kpa/collector.js', async (o) => probe.wrap('kpa/collector', await o()));
vi.mock('../../src/model/kpa/config.js', async (o) => probe.wrap('kpa/config', await o()));
vi.mock('../../src/model/kpa/decider.js', async (o) => probe.wrap('kpa/decider', await o()));
vi.mock('../../src/model/kpa/delayWindow.js', async (o) => probe.wrap('kpa/delayWindow', await o()));
vi.mock('../../src/model/kpa/explain.js', async (o) => probe.wrap('kpa/explain', await o()));
vi.mock('../../src/model/kpa/format.js', async (o) => probe.wrap('kpa/format', await o()));
vi.mock('../../src/model/kpa/goValues.js', async (o) => probe.wrap('kpa/goValues', await o()));
vi.mock('../../src/model/kpa/sampleSize.js', async (o) => probe.wrap('kpa/sampleSize', await o()));
vi.mock('../../src/model/kpa/scaler.js', async (o) => probe.wrap('kpa/scaler', await o()));
vi.mock('../../src/model/kpa/spec.js', async (o) => probe.wrap('kpa/spec', await o()));
vi.mock('../../src/model/kpa/window.js', async (o) => probe.wrap('kpa/window', await o()));
vi.mock('../../src/model/dataplane.js', async (o) => probe.wrap('dataplane', await o()));
vi.mock('../../src/model/throttler.js', async (o) => probe.wrap('throttler', await o()));
vi.mock('../../src/model/timeouts.js', async (o) => probe.wrap('timeouts', await o()));
vi.mock('../../src/model/admission.js', async (o) => probe.wrap('admission', await o()));
vi.mock('../../src/model/rules/traffic.js', async (o) => probe.wrap('rules/traffic', await o()));
vi.mock('../../src/model/rules/sks.js', async (o) => probe.wrap('rules/sks', await o()));
vi.mock('../../src/model/rules/routing.js', async (o) => probe.wrap('rules/routing', await o()));

/**
 * Modules of src/model/kpa not probed here: those that only re-export (their rules are probed
 * where they are defined), and shadow.ts, the comparison of the model's decision with a live
 * cluster's, which only a live run makes (test/live/shadow.e2e.test.ts).
 */
const REEXPORTS = ['index.ts', 'duration.ts'];
const LIVE_ONLY = ['shadow.ts'];
const PROBED_KPA = [
  'activators',
  'annotations',
  'bounds',
  'buckets',
  'burstCapacity',
  'collector',
  'config',
  'decider',
  'delayWindow',
  'explain',
  'format',
  'goValues',
  'sampleSize',
  'scaler',
  'spec',
  'window',
];

/**
 * The rules the simulator once copied instead of calling, and the rest of the KPA's path, by name:
 * if one moves to a module this test does not probe, the test says so instead of passing.
 */
const NAMED_RULES = [
  'kpa/collector#statValues',
  'kpa/collector#observeWindows',
  'kpa/sampleSize#scaleSampledTotal',
  'kpa/decider#decide',
  'kpa/decider#shouldTriggerReconcile',
  'kpa/decider#shouldPoke',
  'kpa/window#MetricWindow.record',
  'kpa/window#MetricWindow.average',
  'kpa/scaler#computeScale',
  'kpa/scaler#sksModeFor',
  'kpa/activators#numActivators',
  'rules/traffic#pickRevision',
  'rules/sks#sksEndpointsMode',
  'rules/sks#sksReadyCondition',
  'admission#admit',
  'admission#controllerOwnedCreateRefusal',
  'admission#controllerOwnedSpecRefusal',
  'dataplane#activatorBalancing',
  'dataplane#queueProxyCapacity',
  'dataplane#randomChoiceOfTwo',
  'dataplane#firstAvailable',
  'dataplane#roundRobin',
  'dataplane#ingressRoundRobin',
  'dataplane#ingressRoundRobinStart',
  'throttler#assignSlice',
  'throttler#throttlerCapacity',
  'rules/sks#activatorSubset',
];

/**
 * Small runs that together reach every rule (tried in this order until one fails): with a written
 * log (as `knsim verify` needs), and one without, the path a plain `knsim run` takes (with nobody
 * reading kpa.tick, an idle revision's ticker sleeps: idleUntilRecorded).
 */
const RUNS: { file: string; log: boolean }[] = [
  { file: 'seed-walkthrough.yaml', log: true },
  { file: 'scale-down-delay.yaml', log: true },
  { file: 'new-revision-idle.yaml', log: true },
  { file: 'seed-walkthrough.yaml', log: false },
  // containerConcurrency 1 through the activator: its first-available balancing.
  { file: 'overloaded-activator.yaml', log: false },
  // The activator out of the path with several pods serving: the ingress's round robin.
  { file: 'activator-on-path.yaml', log: false },
  // A serving app that exits: the queue-proxy's 502s for the requests sent to it after.
  { file: 'crash-after-serving.yaml', log: false },
  // tag-header-based-routing Enabled and a load phase with the tag header: the ingress's header match.
  { file: 'tag-header-routing.yaml', log: false },
  // Three activators: the SKS's subset, each activator's slice of the pods and its capacity.
  { file: 'several-activators.yaml', log: false },
].map((r) => ({ ...r, file: resolve(import.meta.dirname, '../../scenarios', r.file) }));

const dir = mkdtempSync(join(tmpdir(), 'knsim-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `knsim run <file> [--log …]` in-process: the exit code and what it printed to stderr. */
async function run({ file, log }: { file: string; log: boolean }): Promise<{ code: number; stderr: string }> {
  const { main } = await import('../../src/cli/main.js');
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(['run', file, ...(log ? ['--log', join(dir, 'run.jsonl'), '--log-requests', 'none'] : [])]);
    return { code, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('every model rule is on the path a run takes', () => {
  it('probes every module of src/model/kpa that defines rules', () => {
    const files = readdirSync(resolve(import.meta.dirname, '../../src/model/kpa')).filter(
      (f) => f.endsWith('.ts') && !REEXPORTS.includes(f) && !LIVE_ONLY.includes(f),
    );
    expect(files.map((f) => f.replace(/\.ts$/, '')).sort()).toEqual([...PROBED_KPA].sort());
  });

  it('runs the scenarios clean when nothing throws', async () => {
    for (const r of RUNS) expect((await run(r)).code, r.file).toBe(0);
    // Loading the CLI loaded every probed module: their rules are known now.
    expect(probe.state.rules.length).toBeGreaterThan(50);
    expect(NAMED_RULES.filter((r) => !probe.state.rules.includes(r))).toEqual([]);
  });

  it('fails a run with the error of each rule swapped for one that throws', async () => {
    const missed: string[] = [];
    for (const rule of [...probe.state.rules]) {
      probe.state.throwing = rule;
      let hit = false;
      for (const r of RUNS) {
        const { code, stderr } = await run(r);
        if (code !== 0 && stderr.includes(`rule probe: ${rule}`)) {
          hit = true;
          break;
        }
      }
      probe.state.throwing = undefined;
      if (!hit) missed.push(rule);
    }
    expect(missed).toEqual([]);
    // A rule only the last run reaches runs every run before it first: about 70 s on a quiet
    // machine, past 120 s when the suite shares it.
  }, 240_000);
});
