/**
 * One benchmark case per process (so peak RSS and JIT state belong to that case alone):
 *   node --import tsx bench/cases.ts <case> [json options]
 * prints one JSON object: { wallMs, peakRssMb, ... }. bench/run.ts runs these and takes medians.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, runScenario } from '../src/runner/simulate.js';
import { Engine } from '../src/sim/engine.js';
import { simRun } from './harness.js';

const name = process.argv[2];
const opts = JSON.parse(process.argv[3] ?? '{}') as Record<string, number | string>;

let peakRss = process.memoryUsage.rss();
const sampleRss = () => {
  const rss = process.memoryUsage.rss();
  if (rss > peakRss) peakRss = rss;
};

/** A bare event loop: each callback schedules the next at an exponential gap (no model at all). */
function bareEngine(events: number): Record<string, number> {
  const engine = new Engine();
  let left = events;
  let x = 1;
  const next = () => {
    x = (x * 16807) % 2147483647;
    if (--left > 0) engine.after((-Math.log(x / 2147483647) * 1000) / 1000, next);
  };
  // 100 concurrent chains, as a run has ~100 requests in flight
  for (let i = 0; i < 100; i++) engine.after(i, next);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  engine.runUntil(Number.POSITIVE_INFINITY);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    wallMs,
    cpuMs,
    events: engine.delivered,
    perSecond: engine.delivered / (wallMs / 1000),
    perCpuSecond: engine.delivered / (cpuMs / 1000),
  };
}

async function main(): Promise<Record<string, unknown>> {
  switch (name) {
    case 'bare-engine': {
      // `rounds`: that many loops one after the other, each on a new Engine (the first on cold
      // code, the next on warm), and perCpuSecond their mean.
      const rounds = Math.max(1, Number(opts.rounds ?? 1));
      const runs = Array.from({ length: rounds }, () => bareEngine(Number(opts.events ?? 5_000_000)));
      const mean = runs.reduce((sum, r) => sum + r.perCpuSecond!, 0) / rounds;
      return { ...runs[rounds - 1]!, perCpuSecond: mean, ...(rounds > 1 ? { rounds } : {}) };
    }
    case 'steady': {
      const rps = Number(opts.rps ?? 1000);
      const hours = Number(opts.hours ?? 1);
      const r = await simRun({
        load: [{ poisson: { rps }, for: `${hours * 3600}s` }],
        durationMs: hours * 3_600_000,
      });
      sampleRss();
      return {
        wallMs: r.wallMs,
        cpuMs: r.cpuMs,
        requests: r.results.requests,
        perSecond: r.results.requests / (r.wallMs / 1000),
        perCpuSecond: r.results.requests / (r.cpuMs / 1000),
      };
    }
    case 'services': {
      // N Services sharing `rps` (Poisson, 100 ms requests) for `minutes` simulated minutes.
      const services = Number(opts.services ?? 100);
      const rps = Number(opts.rps ?? 1000);
      const minutes = Number(opts.minutes ?? 10);
      const r = await simRun({
        load: [],
        services,
        loadFor: (_i, target) => [
          { at: '0s', poisson: { rps: rps / services }, for: `${minutes}m`, service: '100ms', target },
        ],
        durationMs: minutes * 60_000,
      });
      sampleRss();
      return { wallMs: r.wallMs, cpuMs: r.cpuMs, requests: r.results.requests, maxPods: r.results.maxPods };
    }
    case 'fleet-day': {
      // An Azure-2019-shaped fleet (Shahrad et al. 2020: most functions are invoked rarely, a few
      // carry most invocations): `services` Services replaying the sample trace's functions
      // (scenarios/traces) for `hours` simulated hours from midnight. Of every 100 Services, 1
      // replays `diurnal` at a hundredth of its rate (≈ 1 RPS, peak at 14:00), 9 `steady`
      // (10 a minute), 20 `bursty` (a call every ~3 minutes, six bursts a day), 70 `sparse` (a
      // timer every 15 minutes): most revisions spend most of the day at zero pods.
      // `quiet: 1`: no load at all, so every revision scales to zero and the whole fleet stays
      // quiet (what an idle Service costs: CPU per simulated hour, and, run with --expose-gc, the
      // heap after a full GC at the end, `heapMb`).
      const services = Number(opts.services ?? 10_000);
      const quiet = Number(opts.quiet ?? 0) === 1;
      let heapMb: number | undefined;
      const hours = Number(opts.hours ?? 24);
      const traces = 'scenarios/traces';
      const trace = (fn: number, rateScale = 1) => ({
        format: 'azure2019',
        invocations: `${traces}/azure2019-sample-invocations.csv`,
        durations: `${traces}/azure2019-sample-durations.csv`,
        function: fn,
        spread: 'poisson',
        ...(rateScale !== 1 ? { rateScale } : {}),
      });
      const mix = (i: number) => {
        const k = i % 100;
        if (k === 0) return trace(0, 0.01);
        if (k < 10) return trace(3);
        if (k < 30) return trace(2);
        return trace(1);
      };
      const r = await simRun({
        load: [],
        services,
        loadFor: (i, target) => (quiet ? [] : [{ at: '0s', for: `${hours}h`, trace: mix(i), target }]),
        durationMs: hours * 3_600_000,
        stepMs: 60_000,
        onStep: sampleRss,
        onEnd: () => {
          const gc = (globalThis as { gc?: () => void }).gc;
          if (!gc) return;
          gc();
          heapMb = process.memoryUsage().heapUsed / 1e6;
        },
      });
      sampleRss();
      return {
        wallMs: r.wallMs,
        cpuMs: r.cpuMs,
        requests: r.results.requests,
        maxPods: r.results.maxPods,
        events: r.events,
        ...(heapMb !== undefined ? { heapMb } : {}),
      };
    }
    case 'diurnal-24h': {
      const file = String(opts.scenario ?? '');
      if (file && existsSync(file)) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const outcome = await runScenario(loadScenario(file), file, { log: { keep: false, requestSampling: 0 } });
        const cpu = process.cpuUsage(c0);
        sampleRss();
        return {
          wallMs: performance.now() - t0,
          cpuMs: (cpu.user + cpu.system) / 1000,
          requests: outcome.results.requests,
          scenario: file,
        };
      }
      const r = await simRun({
        load: [{ sine: { mean: 100, amplitude: 90, period: '24h' }, for: '24h' }],
        durationMs: 24 * 3_600_000,
      });
      sampleRss();
      return { wallMs: r.wallMs, cpuMs: r.cpuMs, requests: r.results.requests, maxPods: r.results.maxPods };
    }
    case 'diurnal-24h-process': {
      // The same scenario as users run it: `node bin/knsim.js run FILE` as a whole process, the
      // one-file build with its code cache (dist/, `npm run build`; a build older than src/ fails
      // the case rather than measure the sources through tsx). Its CPU is the child's own
      // getrusage at its exit (bench/process-cpu.cjs): everything `diurnal-24h` times (the run)
      // plus Node's start, loading the build and writing the summary, on every thread.
      const file = String(opts.scenario ?? 'scenarios/diurnal-24h.yaml');
      const cpuFile = join(tmpdir(), `knsim-bench-cpu-${process.pid}.json`);
      const env: NodeJS.ProcessEnv = { ...process.env, KNSIM_BENCH_CPU_FILE: cpuFile };
      delete env.KNSIM_SOURCE;
      const t0 = performance.now();
      const child = spawnSync(
        process.execPath,
        ['--require', join(import.meta.dirname, 'process-cpu.cjs'), 'bin/knsim.js', 'run', file],
        { env, encoding: 'utf8', maxBuffer: 1 << 24 },
      );
      const wallMs = performance.now() - t0;
      if (child.status !== 0) throw new Error(`knsim run ${file} exited ${child.status}: ${child.stderr}`);
      if (child.stderr.includes('running the TypeScript sources'))
        throw new Error(`no fresh build to measure (npm run build): ${child.stderr.trim()}`);
      const usage = JSON.parse(readFileSync(cpuFile, 'utf8')) as Record<string, number>;
      rmSync(cpuFile);
      // The summary's `requests N: …` line of each Service.
      const requests = [...child.stdout.matchAll(/^\s*requests (\d+):/gm)].reduce((n, m) => n + Number(m[1]), 0);
      return { wallMs, ...usage, requests, scenario: file };
    }
    case 'memory': {
      // 10,000 RPS for 10,000 s = 100 M requests; RSS sampled every simulated minute.
      const rps = Number(opts.rps ?? 10_000);
      const seconds = Number(opts.seconds ?? 10_000);
      const r = await simRun({
        load: [{ poisson: { rps }, for: `${seconds}s` }],
        durationMs: seconds * 1000,
        stepMs: 60_000,
        onStep: sampleRss,
      });
      sampleRss();
      return { wallMs: r.wallMs, cpuMs: r.cpuMs, requests: r.results.requests, maxPods: r.results.maxPods };
    }
    case 'burst': {
      // From 0 to 5,000 RPS within one second, held for a minute; containerConcurrency 1 and 100 ms
      // requests want ~715 pods, max-scale caps them at 500.
      const r = await simRun({
        load: [
          { at: '60s', for: '1s', ramp: { from: 0, to: 5000 }, service: '100ms' },
          { at: '61s', for: '59s', constant: { rps: 5000 }, service: '100ms' },
        ],
        durationMs: 240_000,
        containerConcurrency: 1,
        annotations: { 'autoscaling.knative.dev/max-scale': '500' },
        stepMs: 1000,
        onStep: sampleRss,
      });
      sampleRss();
      return {
        wallMs: r.wallMs,
        cpuMs: r.cpuMs,
        requests: r.results.requests,
        maxPods: r.results.maxPods,
        status503: r.results.status503,
        p99Ms: r.results.latency.p99,
      };
    }
    case 'pods': {
      // containerConcurrency 1 at `rps` (Poisson) with SimFaaS's example service time (exponential,
      // mean 1.991 s): thousands of pods, each serving one request at a time, so the per-pod,
      // per-second work (scrapes, queue-proxy stats, samples) weighs against the requests.
      const rps = Number(opts.rps ?? 1000);
      const seconds = Number(opts.seconds ?? 600);
      const serviceMs = Number(opts.serviceMs ?? 1991);
      const r = await simRun({
        load: [{ poisson: { rps }, for: `${seconds}s`, service: { exponential: { mean: `${serviceMs}ms` } } }],
        durationMs: seconds * 1000,
        containerConcurrency: 1,
        nodes: Number(opts.nodes ?? 40),
        stepMs: 10_000,
        onStep: sampleRss,
      });
      sampleRss();
      return {
        wallMs: r.wallMs,
        cpuMs: r.cpuMs,
        requests: r.results.requests,
        maxPods: r.results.maxPods,
        status503: r.results.status503,
        perSecond: r.results.requests / (r.wallMs / 1000),
        perCpuSecond: r.results.requests / (r.cpuMs / 1000),
      };
    }
    default:
      throw new Error(`unknown case ${name}`);
  }
}

// The bare engine loop runs just before and just after the case (alternating with it), so every
// figure also comes as a ratio to the engine on the same machine at the same moment: the bench
// reports CPU rates, which drift far less than wall times on a shared VM. It runs in a child
// process of its own (the `bare-engine` case): run in this process it trained the engine's
// feedback with its one callback before the case (docs/performance.md, "The engine's compile, and
// the bench's bare loop"). Each child runs two loops, on cold code and then warm, and gives their
// mean rate: in this process the loop before the case ran cold and the one after it warm, and the
// published ratios were against the mean of those two.
const BARE_EVENTS = 2_000_000;
/** The flags a child needs to run this file (not the profiling or tracing ones). */
const childFlags = () => process.execArgv.filter((a) => !/^--(cpu-prof|heap-prof|prof|trace)/.test(a));
function bareInChild(): Record<string, number> {
  const child = spawnSync(
    process.execPath,
    [...childFlags(), process.argv[1]!, 'bare-engine', JSON.stringify({ events: BARE_EVENTS, rounds: 2 })],
    { encoding: 'utf8' },
  );
  if (child.status !== 0) throw new Error(`the bare-engine child failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Record<string, number>;
}
const bareBefore = name === 'bare-engine' ? undefined : bareInChild();
const result = await main();
sampleRss();
const bareAfter = name === 'bare-engine' ? undefined : bareInChild();
const bare =
  bareBefore && bareAfter ? { bareEventsPerCpuSecond: (bareBefore.perCpuSecond! + bareAfter.perCpuSecond!) / 2 } : {};
process.stdout.write(`${JSON.stringify({ ...result, ...bare, peakRssMb: peakRss / 1e6 })}\n`);
