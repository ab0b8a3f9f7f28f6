/**
 * TUI frame benchmark (not a test): `npx tsx bench/tui.ts [--runs N]`.
 * Builds a replay index of the seed walk-through with 1,000 extra running pods, then renders
 * whole frames with ink's renderToString at 160x50: the kubectl screen (1,000-row pods table,
 * cut to fit) and the overview (chart of 1,000 pods). Each frame is a fresh render (mount,
 * layout, output), which costs more than the app's in-place updates. Prints one JSON line:
 * `tui-frame-1000-pods`, the median wall time of the slower screen, with both screens' medians,
 * CPU time and p90 (CPU time is steadier on a shared, loaded machine).
 */
import { loadavg } from 'node:os';
import type { Pod } from '../src/model/api/types.js';
import type { LogEvent, ObjectEvent, SampleEvent } from '../src/model/events.js';

// As `knsim tui` runs it: React's production build (src/cli/commands/tui.ts sets this too).
process.env.NODE_ENV ??= 'production';
const { renderToString } = await import('ink');
const { createElement } = await import('react');
const { SEED_SCENARIO } = await import('../src/cli/commands/context.js');
const { runScenarioFile } = await import('../src/runner/simulate.js');
const { parseEventLog } = await import('../src/io/logReader.js');
const { App } = await import('../src/tui/App.js');
const { ReplayIndex } = await import('../src/tui/model/replay.js');

const PODS = 1000;
const args = process.argv.slice(2);
const runsArg = args.indexOf('--runs');
const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 50;
const size = { columns: 160, rows: 50 };

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const outcome = await runScenarioFile(SEED_SCENARIO);
const { header, events } = parseEventLog(outcome.log, 'seed');
const readyPod = [...events]
  .reverse()
  .find((e): e is ObjectEvent => e.type === 'object' && e.kind === 'Pod' && e.op !== 'deleted')!;
const t = 50_000; // one ready pod, before scale to zero
const extra: LogEvent[] = [];
for (let i = 0; i < PODS; i++) {
  const pod = readyPod.object as Pod;
  const name = `${pod.metadata.name}-${String(i).padStart(4, '0')}`;
  extra.push({ ...readyPod, t: 40_000 + i, name, object: { ...pod, metadata: { ...pod.metadata, name } } });
}
const samples = events
  .filter((e): e is SampleEvent => e.type === 'sample')
  .map((s) => ({ ...s, ready: s.ready + PODS, desired: s.desired + PODS, rps: s.rps + 500, concurrency: 350 }));
const all = [...events.filter((e) => e.type !== 'sample'), ...samples, ...extra];
const index = new ReplayIndex(header, all);
const pos = index.posAt(t);
if (index.objectsOfKind(pos, 'Pod').length !== PODS + 1) throw new Error('the bench log does not have 1,001 pods');

/** Wall and CPU milliseconds of one frame (CPU time is steadier on a shared, loaded machine). */
function frame(screen: 'overview' | 'tables'): { wall: number; cpu: number } {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const text = renderToString(createElement(App, { index, size, fills: true, initial: { t, pos, screen } }), {
    columns: size.columns,
  });
  const cpu = process.cpuUsage(cpu0);
  const elapsed = { wall: performance.now() - started, cpu: (cpu.user + cpu.system) / 1000 };
  if (!text.includes(screen === 'tables' ? 'more pods' : 'pods 1')) throw new Error(`unexpected ${screen} frame`);
  return elapsed;
}

const round = (x: number) => Math.round(x * 100) / 100;
const screens: Record<string, { ms: number; cpuMs: number; p90: number }> = {};
for (const screen of ['tables', 'overview'] as const) {
  for (let i = 0; i < 10; i++) frame(screen); // warm-up
  const samples = Array.from({ length: runs }, () => frame(screen));
  const wall = samples.map((x) => x.wall).sort((a, b) => a - b);
  screens[screen] = {
    ms: round(median(wall)),
    cpuMs: round(median(samples.map((x) => x.cpu))),
    p90: round(wall[Math.floor(wall.length * 0.9)]!),
  };
}
const slowest = Object.values(screens).reduce((a, b) => (b.ms > a.ms ? b : a));
console.log(
  JSON.stringify({
    name: 'tui-frame-1000-pods',
    value: slowest.ms,
    unit: 'ms',
    cpuMs: slowest.cpuMs,
    budget: 16,
    screens,
    runs,
    size: `${size.columns}x${size.rows}`,
    react: process.env.NODE_ENV,
    load: Math.round(loadavg()[0]! * 100) / 100,
  }),
);
