/**
 * `knsim verify` replays a simulator log through the model: every scenario's log agrees with it,
 * so do logs of generated runs, and a log changed by hand is caught at the line that was changed
 * (or at the first decision the change affects).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { textLogLines } from '../../src/io/logReader.js';
import { verifyRows } from '../../src/verify/replay.js';
import { caseArb, runCase } from '../sim/properties.harness.js';

const SCENARIOS = resolve(import.meta.dirname, '../../scenarios');

/** Scenarios too long to run here, and why. */
const SKIPPED: Record<string, string> = {
  'diurnal-24h.yaml': 'a simulated day, about 25 s even without request events; verified by hand (docs/simulator.md)',
};

const dir = mkdtempSync(join(tmpdir(), 'knsim-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `knsim <args>` in-process: exit code, stdout, stderr. */
async function knsim(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const logs = new Map<string, Promise<string>>();

/**
 * Runs a scenario with `--log` (request events left out: verify does not read them); the log's
 * path. Each scenario runs once in this file: the hand-changed logs below start from the logs
 * the scenarios' own tests verified (they write changed copies, never the log itself).
 */
function logOf(scenario: string): Promise<string> {
  let log = logs.get(scenario);
  if (!log) {
    log = runLog(scenario);
    logs.set(scenario, log);
  }
  return log;
}

async function runLog(scenario: string): Promise<string> {
  const log = join(dir, `${scenario}.jsonl`);
  const run = await knsim(['run', join(SCENARIOS, scenario), '--log', log, '--log-requests', 'none']);
  expect(run.code, run.stderr).toBe(0);
  return log;
}

/**
 * The scenarios test/scenarios runs: its runScenario (test/scenarios/helpers.ts) replays each
 * run's log through the model as `knsim verify` does, and fails on a disagreement or on a shipped
 * scenario with 10 decisions or fewer; they are not simulated here a second time.
 */
function verifiedByScenarioTests(): Set<string> {
  const tests = resolve(import.meta.dirname, '../scenarios');
  const names = readdirSync(tests)
    .filter((f) => f.endsWith('.test.ts'))
    .flatMap((f) =>
      [...readFileSync(join(tests, f), 'utf8').matchAll(/runScenario\('([\w-]+\.yaml)'\)/g)].map((m) => m[1]!),
    );
  return new Set(names);
}

describe('knsim verify on every scenario under scenarios/', () => {
  const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml'));
  const elsewhere = verifiedByScenarioTests();

  it('verifies here every scenario test/scenarios does not run, and test/scenarios runs most', () => {
    for (const f of elsewhere) expect(files, `${f} (run by test/scenarios)`).toContain(f);
    expect(elsewhere.size).toBeGreaterThan(10);
  });

  // Also those whose logs the hand-changed tests below start from (run here anyway).
  const own = ['seed-walkthrough.yaml', 'hpa-cpu.yaml'];
  it.each(files.filter((f) => !SKIPPED[f] && (!elsewhere.has(f) || own.includes(f))))(
    '%s: every decision and scale step agrees with the model',
    async (file) => {
      const log = await logOf(file);
      const verify = await knsim(['verify', log]);
      expect(verify.stderr).toBe('');
      expect(verify.code).toBe(0);
      expect(verify.stdout).toMatch(
        /^.+: [\d,]+ decider ticks and [\d,]+ scale steps of \d+ revisions? and [\d,]+ HPA syncs? of \d+ revisions? .* agree with the model\n$/,
      );
      const count = (re: RegExp) => Number(re.exec(verify.stdout)?.[1]?.replace(/,/g, ''));
      // A revision of the HPA class makes HPA syncs, not decider ticks.
      expect(count(/: ([\d,]+) decider ticks/) + count(/ and ([\d,]+) HPA syncs?/)).toBeGreaterThan(10);
    },
  );

  it('skips only the scenarios it names', () => {
    for (const f of Object.keys(SKIPPED)) expect(files).toContain(f);
  });
});

describe('a log changed by hand', () => {
  let lines: string[] = [];
  beforeAll(async () => {
    lines = readFileSync(await logOf('seed-walkthrough.yaml'), 'utf8')
      .trimEnd()
      .split('\n');
  });

  /** Writes the log with line `index` (0-based) changed; the file's path. */
  function tampered(index: number, change: (e: Record<string, unknown>) => void): string {
    const copy = [...lines];
    const e = JSON.parse(copy[index]!);
    change(e);
    copy[index] = JSON.stringify(e);
    const file = join(dir, `tampered-${index}.jsonl`);
    writeFileSync(file, `${copy.join('\n')}\n`);
    return file;
  }

  const indexesOf = (type: string) => lines.flatMap((l, i) => (JSON.parse(l).type === type ? [i] : []));

  it('fails at the tick whose decision was changed', async () => {
    const tick = indexesOf('kpa.tick')[20]!;
    const file = tampered(tick, (e) => {
      const d = e.decision as Record<string, number>;
      d.desiredPodCount = (d.desiredPodCount ?? 0) + 1;
    });
    const verify = await knsim(['verify', file]);
    expect(verify.code).toBe(1);
    expect(verify.stdout.split('\n')[0]).toMatch(
      new RegExp(`^${file}:${tick + 1}: knservice-00001 at [\\d.]+ s: the decider tick's logged decision`),
    );
    expect(verify.stdout).toMatch(/desiredPodCount: logged \d+, model \d+/);
  });

  it('fails at the first tick after a stat that was changed', async () => {
    const stat = indexesOf('stat').find((i) => i > indexesOf('kpa.tick')[5]!)!;
    const file = tampered(stat, (e) => {
      e.averageConcurrency = (e.averageConcurrency as number) + 500;
    });
    const nextTick = indexesOf('kpa.tick').find((i) => i > stat)!;
    const verify = await knsim(['verify', file]);
    expect(verify.code).toBe(1);
    expect(verify.stdout.startsWith(`${file}:${nextTick + 1}: `)).toBe(true);
    expect(verify.stdout).toMatch(/observedStable: logged [\d.]+, model [\d.]+/);
  });

  it('fails at a scale step whose result was changed', async () => {
    const step = indexesOf('kpa.scale')[3]!;
    const file = tampered(step, (e) => {
      (e.scale as Record<string, unknown>).gate = 'fast-path';
    });
    const verify = await knsim(['verify', file]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(new RegExp(`^${file}:${step + 1}: .*scale step's logged result is not the model's`));
    expect(verify.stdout).toMatch(/gate: logged "fast-path", model "[a-z-]+"/);
  });

  it('names the line of a malformed event and exits 2', async () => {
    const copy = [...lines];
    copy[7] = copy[7]!.slice(0, -3);
    const file = join(dir, 'malformed.jsonl');
    writeFileSync(file, `${copy.join('\n')}\n`);
    const verify = await knsim(['verify', file]);
    expect(verify.code).toBe(2);
    expect(verify.stderr).toMatch(new RegExp(`^knsim: ${file}:8: not a JSON object`));
    expect(verify.stdout).toBe('');
  });

  it('refuses a live log, a log without header and a missing file (exit 2)', async () => {
    const live = join(dir, 'live.jsonl');
    writeFileSync(live, `${lines[0]!.replace('"backend":"sim"', '"backend":"live"')}\n`);
    expect((await knsim(['verify', live])).stderr).toMatch(/:1: a log of a live run: only simulator logs/);
    const headless = join(dir, 'headless.jsonl');
    writeFileSync(headless, `${lines.slice(1).join('\n')}\n`);
    const r = await knsim(['verify', headless]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/headless.jsonl:1: the first line must be the log header/);
    const missing = await knsim(['verify', join(dir, 'nope.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope.jsonl: cannot open: no such file or directory/);
  });
});

describe('an HPA log changed by hand', () => {
  let lines: string[] = [];
  beforeAll(async () => {
    lines = readFileSync(await logOf('hpa-cpu.yaml'), 'utf8')
      .trimEnd()
      .split('\n');
  });

  /** The fields of an `hpa.sync` line these tests read or change. */
  interface Sync {
    t: number;
    inputs: {
      history?: { recommendations: { atMs: number; replicas: number }[] };
      pods: { metric?: { value: number } }[];
    };
    decision: { desiredReplicas: number; scaleTo?: number };
  }

  function tampered(index: number, change: (e: Sync) => void): string {
    const copy = [...lines];
    const e = JSON.parse(copy[index]!);
    change(e);
    copy[index] = JSON.stringify(e);
    const file = join(dir, `hpa-tampered-${index}.jsonl`);
    writeFileSync(file, `${copy.join('\n')}\n`);
    return file;
  }

  const syncs = () => lines.flatMap((l, i) => (JSON.parse(l).type === 'hpa.sync' ? [i] : []));

  it('logs every sync with its pods and, after the first, the history it was given', () => {
    const all = syncs().map((i) => JSON.parse(lines[i]!) as Sync);
    expect(all.length).toBeGreaterThan(10);
    expect(all[0]!.inputs.history).toBeUndefined();
    for (const e of all.slice(1)) expect(e.inputs.history).toBeDefined();
    expect(all.some((e) => e.decision.scaleTo !== undefined)).toBe(true);
    expect(all.some((e) => e.inputs.pods.some((p) => p.metric !== undefined))).toBe(true);
  });

  it('fails at the sync whose decision was changed', async () => {
    const sync = syncs().find((i) => JSON.parse(lines[i]!).decision.scaleTo !== undefined)!;
    const file = tampered(sync, (e) => {
      e.decision.desiredReplicas += 1;
    });
    const verify = await knsim(['verify', file]);
    expect(verify.code).toBe(1);
    expect(verify.stdout.split('\n')[0]).toMatch(
      new RegExp(`^${file}:${sync + 1}: crunch-00001 at [\\d.]+ s: the HPA sync's logged decision is not the model's`),
    );
    expect(verify.stdout).toMatch(/desiredReplicas: logged \d+, model \d+/);
  });

  it("fails at the sync whose pods' CPU was changed", async () => {
    const sync = syncs().find((i) => {
      const e = JSON.parse(lines[i]!) as Sync;
      return e.decision.scaleTo !== undefined && e.inputs.pods.some((p) => p.metric);
    })!;
    const file = tampered(sync, (e) => {
      for (const p of e.inputs.pods) if (p.metric) p.metric.value *= 3;
    });
    const verify = await knsim(['verify', file]);
    expect(verify.code).toBe(1);
    expect(verify.stdout.startsWith(`${file}:${sync + 1}: `)).toBe(true);
    expect(verify.stdout).toMatch(/currentMetrics: logged .*, model /);
  });

  it('fails at a sync given a history its earlier syncs did not leave', async () => {
    const sync = syncs()[5]!;
    const file = tampered(sync, (e) => {
      e.inputs.history!.recommendations.push({ atMs: e.t - 1000, replicas: 99 });
    });
    const verify = await knsim(['verify', file]);
    expect(verify.code).toBe(1);
    expect(verify.stdout.split('\n')[0]).toMatch(
      new RegExp(`^${file}:${sync + 1}: .*the HPA sync's logged history is not what the revision's earlier syncs left`),
    );
  });
});

const SEED = Number(process.env.KNSIM_FC_SEED ?? 20260101);

describe(`verify on generated runs (fast-check, seed ${SEED})`, () => {
  it('agrees with every decision and scale step of the simulator', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const run = runCase(c);
        const result = verifyRows(textLogLines(run.text(), 'generated.jsonl'), 'generated.jsonl');
        expect(result.ok ? 'agrees' : result.mismatch).toBe('agrees');
        expect(result.summary.ticks).toBeGreaterThan(0);
      }),
      { numRuns: 60, seed: SEED },
    );
  });
});
