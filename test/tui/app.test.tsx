import { render } from 'ink-testing-library';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent, ObjectEvent, PodEvent, RequestEvent, ScaleEvent } from '../../src/model/events.js';
import { describeEvent } from '../../src/model/narrate/events.js';
import { formatRunTime } from '../../src/runner/transcript.js';
import { App } from '../../src/tui/App.js';
import { helpItems, keyTable } from '../../src/tui/keymap.js';
import { ReplayIndex } from '../../src/tui/model/replay.js';
import { ESC, find, KEYS, plain, renderTui, seedIndex, waitFor } from './helpers.js';

let index: ReplayIndex;
let cleanups: (() => void)[] = [];
beforeAll(async () => {
  index = await seedIndex();
});
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

function open(props: Omit<Parameters<typeof renderTui>[0], 'index'> = {}) {
  const r = renderTui({ index, ...props });
  cleanups.push(r.unmount);
  return r;
}

const at = (t: number) => ({ t, pos: index.posAt(t) });
const isGone = (e: LogEvent): e is PodEvent => e.type === 'pod' && e.phase === 'Gone';
const isDone = (e: LogEvent): e is RequestEvent => e.type === 'request' && e.phase === 'done';
const isHeld = (e: LogEvent): e is RequestEvent => e.type === 'request' && e.phase === 'held';
const isScaleToZero = (e: LogEvent): e is ScaleEvent => e.type === 'scale' && e.to === 0;

describe('the overview at moments of the seed walk-through', () => {
  it('shows the chart, the empty request picture and the help at the start', () => {
    const f = open().frame();
    expect(f).toContain('knsim seed-walkthrough 00:00.000/');
    expect(f).toContain('Timeline knservice-00001');
    expect(f).toMatch(/^pods 1 /m);
    expect(f).toMatch(/^panic /m);
    expect(f).toMatch(/^activator /m);
    expect(f).toContain('held by the activator 0 · in queue-proxies 0');
    expect(f).toContain('in flight 0 · 0 req/s · concurrency 0');
    expect(f).toContain('answered 0: 0 ok · 0 × 503 · 0 × 504');
    expect(f).toContain('latency p50 – · p95 – · p99 –');
    expect(f).toContain('no autoscaler tick yet');
    expect(f).toContain('nothing has happened yet');
  });

  it('draws the timeline: pod and load scales, the activator in the path, the cursor at the moment', () => {
    const gone = find(index.events, isGone);
    const f = open({ initial: at(gone.t) }).frame();
    const lines = f.split('\n');
    const width = 100 - 10;
    const samples = index.samples('knservice-00001');
    const maxPods = Math.max(...samples.map((x) => Math.max(x.desired, x.ready + x.pending + x.terminating)));
    expect(lines.some((l) => l.startsWith(`pods ${maxPods} `))).toBe(true);
    // The seed run keeps the activator in the path throughout (its burst capacity is never met).
    expect(samples.every((x) => x.activatorInPath)).toBe(true);
    expect(lines.find((l) => l.startsWith('activator '))).toMatch(/^activator █+$/);
    expect(lines.find((l) => l.startsWith('panic '))).toMatch(/^panic\s+─+$/);
    const cursor = lines.find((l) => l.includes('▲'))!;
    const column = Math.min(width - 1, Math.floor((gone.t / index.endT) * width));
    expect(cursor.indexOf('▲')).toBe(10 + column);
  });

  it('shows the request held by the activator while the pod starts', () => {
    const held = find(index.events, isHeld);
    const done = find(index.events, isDone);
    // The first per-second sample after the request arrived and before it was answered.
    const t = Math.ceil((held.t + 1) / 1000) * 1000;
    expect(t).toBeLessThan(done.t);
    const f = open({ initial: at(t) }).frame();
    expect(f).toContain('held by the activator 1 · in queue-proxies 0');
    expect(f).toContain('answered 0: 0 ok');
    expect(f).toContain('request #1 held by the activator while knservice-00001 starts a pod');
  });

  it('shows the answered cold request and its latency at the end', () => {
    const done = find(index.events, isDone);
    const seconds = `${(done.latencyMs! / 1000).toFixed(1)} s`;
    const f = open({ initial: at(index.endT) }).frame();
    expect(f).toContain('answered 1: 1 ok · 0 × 503 · 0 × 504');
    expect(f).toContain(`latency p50 ${seconds} · p95 ${seconds} · p99 ${seconds}`);
    expect(f).toContain(`cold starts 1 (slowest ${seconds})`);
    expect(f).toContain('run finished: all expectations met');
  });

  it('explains the fast-path scale to zero in the Why pane', () => {
    const zero = find(index.events, isScaleToZero);
    const tick = index.latestTick('knservice-00001', index.posAt(zero.t + 2000))!;
    const f = open({ initial: at(tick.t) }).frame();
    expect(f).toContain(`Why autoscaler at ${formatRunTime(tick.t)} (0 ms ago)`);
    expect(f).toContain('› decision: 0 pods');
    const flat = f.replace(/\s+/g, ' ');
    for (const line of tick.explain!.slice(0, 3)) expect(flat).toContain(`› ${line.slice(0, 30)}`);
    expect(f).toContain('scaled knservice-00001 from 1 to 0 (fast path: the activator was already in the path)');
  });

  it('narrates the pod going away', () => {
    const gone = find(index.events, isGone);
    const f = open({ initial: at(gone.t) }).frame();
    expect(f).toContain(`${formatRunTime(gone.t)} knservice-00001 pod ${gone.pod.split('-').at(-1)} is gone`);
  });
});

describe('keys do what the help says', () => {
  it('shows every help entry of the keymap', () => {
    const f = open().frame().replace(/\s+/g, ' ');
    for (const item of helpItems()) expect(f).toContain(`${item.keys} ${item.label}`);
  });

  it('End jumps to the end, Home back to the start, arrows seek by 1 s and 10 s', async () => {
    const r = open();
    await r.press(KEYS.end, `${formatRunTime(index.endT)}/${formatRunTime(index.endT)}`);
    await r.press(KEYS.home, 'knsim seed-walkthrough 00:00.000/');
    await r.press(KEYS.right, 'knsim seed-walkthrough 00:01.000/');
    await r.press(KEYS.shiftRight, 'knsim seed-walkthrough 00:11.000/');
    await r.press(']', 'knsim seed-walkthrough 00:21.000/');
    await r.press(KEYS.left, 'knsim seed-walkthrough 00:20.000/');
  });

  it('2 shows the kubectl tables: no pods while scaled to zero, the new pod at the end', async () => {
    const gone = find(index.events, isGone);
    const r = open({ initial: at(gone.t) });
    let f = await r.press('2', '$ kubectl get kpa');
    expect(f).toContain('$ kubectl get ksvc');
    expect(f).toContain('$ kubectl get revisions');
    expect(f).toContain('$ kubectl get kpa');
    expect(f).toContain('No resources found in default namespace.');
    expect(f).toMatch(/knservice-00001\s+0\s+0\s+False\s+NoTraffic/);
    f = await r.press(KEYS.end, (x) => /2\/2\s+Running/.test(x));
    expect(f).toMatch(/knservice-00001\s+1\s+1\s+True/);
  });

  it('3 shows the event log with step output; 1 and Tab switch screens', async () => {
    const r = open({ initial: at(index.endT) });
    const f = await r.press('3', 'Event log:');
    expect(f).toContain('$ curl http://knservice.default.example.com');
    expect(f).toContain('Hello Knative!');
    await r.press(KEYS.tab, (x) => x.includes('Timeline'));
    await r.press(KEYS.tab, '$ kubectl get ksvc');
  });

  it('. steps one event and n jumps to the next story line', async () => {
    const r = open();
    const first = index.events[0]!;
    await r.press('.', `knsim seed-walkthrough ${formatRunTime(first.t)}/`);
    const story = index.narration.find((n) => n.pos > 1)!;
    await r.press('n', (f) => f.includes(story.text.slice(0, 60)) && f.includes(formatRunTime(story.t)));
  });

  it('. and , step one event each way, naming the event applied', async () => {
    const r = open();
    const [a, b] = [index.events[0]!, index.events[1]!];
    await r.press('.', `event 1/${index.length}: ${describeEvent(a)}`);
    await r.press('.', `event 2/${index.length}: ${describeEvent(b)}`);
    await r.press(',', `event 1/${index.length}: ${describeEvent(a)}`);
  });

  it('PgDn / PgUp seek a minute, d jumps to a decision', async () => {
    const r = open();
    await r.press(`${ESC}[6~`, 'knsim seed-walkthrough 01:00.000/');
    await r.press(`${ESC}[5~`, 'knsim seed-walkthrough 00:00.000/');
    const decision = index.nextDecision(0)!;
    await r.press('d', `event ${decision}/${index.length}: ${describeEvent(index.events[decision - 1]!)}`);
  });

  it('space plays in real time and + / - change the speed', async () => {
    const r = open({ tickMs: 10 });
    await r.press('+', '⏸ 2x');
    await r.press('+', '⏸ 5x');
    await r.press('-', '⏸ 2x');
    await r.press(' ', '▶ 2x');
    await waitFor(() => !r.frame().includes('00:00.000/'), 'the clock to move');
    await r.press(' ', '⏸ 2x');
  });
});

describe('terminal size', () => {
  it('says the terminal is too small below 60x15', () => {
    const f = open({ size: { columns: 50, rows: 12 } }).frame();
    expect(f).toContain('terminal too small (50x12)');
    expect(f).toContain('at least 60x15');
  });

  it('redraws on resize', async () => {
    const r = render(<App index={index} />);
    cleanups.push(r.unmount);
    expect(plain(r.lastFrame())).toContain('Timeline');
    Object.defineProperty(r.stdout, 'rows', { value: 10, configurable: true });
    r.stdout.emit('resize');
    await waitFor(() => plain(r.lastFrame()).includes('terminal too small (100x10)'), 'the small-terminal message');
  });

  it('lays out 80x24 with every pane and 160x50 with more chart rows', () => {
    const small = open({ size: { columns: 80, rows: 24 }, initial: at(index.endT) }).frame();
    expect(small.split('\n').length).toBeLessThanOrEqual(23);
    for (const line of small.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    for (const pane of ['Timeline', 'Requests', 'Why', 'What happened', '? help']) expect(small).toContain(pane);
    // The whole legend fits.
    for (const label of ['ready', 'starting', 'terminating', 'desired', 'req/s', 'concurrency', 'activator in path']) {
      expect(small).toContain(` ${label}`);
    }
    const big = open({ size: { columns: 160, rows: 50 }, initial: at(index.endT) }).frame();
    expect(big.split('\n').length).toBeLessThanOrEqual(49);
    const chartRows = (f: string) => f.split('\n').filter((l) => l.startsWith('          ') && /[█▒░─]/.test(l)).length;
    expect(chartRows(big)).toBeGreaterThan(chartRows(small));
  });
});

describe('help and scrolling', () => {
  it('? shows every key from the keymap over the screen; Esc and ? close it', async () => {
    const r = open({ size: { columns: 80, rows: 24 } });
    const help = await r.press('?', 'Keys (? or Esc closes this');
    for (const row of keyTable()) expect(help).toContain(row.keys);
    expect(help).not.toContain('Requests');
    await r.press(ESC, (f) => f.includes('Requests') && !f.includes('Keys (?'));
    await r.press('?', 'Keys (?');
    await r.press('?', (f) => f.includes('Requests') && !f.includes('Keys (?'));
  });

  it('scrolls the requests pane of a small terminal with ↓ and ↑', async () => {
    const r = open({ size: { columns: 80, rows: 24 }, initial: at(index.endT) });
    expect(r.frame()).toContain('Requests knservice-00001 ↕ 1–4 of 6');
    expect(r.frame()).not.toContain('arrived so far');
    await r.press(`${ESC}[B`, '↕ 2–5 of 6');
    const down = await r.press(`${ESC}[B`, '↕ 3–6 of 6');
    expect(down).toContain('arrived so far');
    expect(down).not.toContain('held by the activator');
    // Past the end it stays at the end: one up is then one line back.
    r.stdin.write('j');
    await r.press('k', '↕ 2–5 of 6');
    await r.press(`${ESC}[A`, '↕ 1–4 of 6');
  });

  it('scrolls the pods table of the kubectl screen', async () => {
    // The seed log with 40 more running pods at 50 s.
    const ready = [...index.events]
      .reverse()
      .find((e): e is ObjectEvent => e.type === 'object' && e.kind === 'Pod' && e.op !== 'deleted')!;
    const extra: LogEvent[] = Array.from({ length: 40 }, (_, i) => {
      const name = `${ready.name}-${String(i).padStart(2, '0')}`;
      return { ...ready, t: 50_000, name, object: { ...ready.object, metadata: { ...ready.object.metadata, name } } };
    });
    const events = [
      ...index.events.filter((e) => e.t <= 50_000),
      ...extra,
      ...index.events.filter((e) => e.t > 50_000),
    ];
    const big = new ReplayIndex(index.header, events);
    const r = renderTui({ index: big, initial: { screen: 'tables', t: 50_000, pos: big.posAt(50_000) } });
    cleanups.push(r.unmount);
    const podRows = (f: string) => f.split('\n').filter((l) => l.startsWith(`${ready.name}-`));
    const first = podRows(r.frame());
    expect(first[0]).toContain(`${ready.name}-00`);
    expect(r.frame()).toMatch(/… and \d+ more pods \(↓ to scroll\)/);
    const moved = await r.press('jjj', '3 pods above');
    expect(podRows(moved)[0]).toContain(`${ready.name}-03`);
    await r.press('k', '2 pods above');
  });

  it('scrolls the log screen back from its newest line with ↑', async () => {
    const r = open({ size: { columns: 80, rows: 24 }, initial: { ...at(index.endT), screen: 'log' } });
    const newest = r
      .frame()
      .split('\n')
      .filter((l) => /^\d\d:\d\d\.\d{3} /.test(l))
      .at(-1)!;
    const back = await r.press('kk', '↑ 2 lines back');
    expect(back).not.toContain(newest);
    await r.press('jj', (f) => f.includes(newest) && !f.includes('lines back'));
  });
});

describe('keys sent together', () => {
  it('runs one command per character', async () => {
    const r = renderTui({ index: await seedIndex() });
    cleanups.push(r.unmount);
    await r.press(']]]', 'knsim seed-walkthrough 00:30.000/');
  });
});
