import { beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent, PodEvent } from '../../src/model/events.js';
import { type Command, initialViewState, reduceView, SPEEDS, type ViewState } from '../../src/tui/model/playback.js';
import type { ReplayIndex } from '../../src/tui/model/replay.js';
import { fitTables, type KubectlTable, kubectlTables } from '../../src/tui/model/tables.js';
import { find, seedIndex } from './helpers.js';

let index: ReplayIndex;
beforeAll(async () => {
  index = await seedIndex();
});

const run = (state: ViewState, ...commands: Command[]): ViewState =>
  commands.reduce((s, command) => reduceView(index, s, { type: 'command', command }), state);

describe('playback commands', () => {
  it('seeks by 1 s, 10 s and 1 min, clamped to the run', () => {
    const s0 = initialViewState();
    expect(run(s0, 'seek.forward').t).toBe(1000);
    expect(run(s0, 'seek.forward10', 'seek.forward10', 'seek.back').t).toBe(19_000);
    expect(run(s0, 'seek.forwardMinute').t).toBe(60_000);
    expect(run(s0, 'seek.back').t).toBe(0);
    const end = run(s0, 'seek.end');
    expect(end).toMatchObject({ t: index.endT, pos: index.length, playing: false });
    expect(run(end, 'seek.forward').t).toBe(index.endT);
    expect(run(end, 'seek.start')).toMatchObject({ t: 0, pos: 0 });
  });

  it('applies every event at or before the time it seeks to', () => {
    const s = run(initialViewState(), 'seek.forward10');
    expect(s.pos).toBe(index.posAt(10_000));
  });

  it('steps one event at a time, skipping per-second samples, and back', () => {
    const a = run(initialViewState(), 'step.next');
    expect(a.pos).toBe(1);
    expect(a.t).toBe(index.events[0]!.t);
    let s = a;
    for (let i = 0; i < 40; i++) {
      const next = run(s, 'step.next');
      expect(next.pos).toBeGreaterThan(s.pos);
      expect(index.events[next.pos - 1]!.type).not.toBe('sample');
      s = next;
    }
    expect(run(s, 'step.prev').pos).toBeLessThan(s.pos);
    expect(run(a, 'step.prev')).toMatchObject({ pos: 0, t: 0 });
  });

  it('jumps to the next story line and decision and stops playing', () => {
    const playing = { ...initialViewState(), playing: true };
    const story = run(playing, 'jump.nextNarration');
    expect(story.playing).toBe(false);
    expect(story.pos).toBe(index.narration[0]!.pos);
    const decision = run(initialViewState(), 'jump.nextDecision');
    expect(decision.pos).toBe(index.nextDecision(0));
    const second = run(decision, 'jump.nextDecision');
    expect(second.pos).toBeGreaterThan(decision.pos);
    expect(run(second, 'jump.prevDecision').pos).toBe(decision.pos);
    // Nothing before the first decision: the moment stays.
    expect(run(decision, 'jump.prevDecision').pos).toBe(decision.pos);
  });

  it('changes speed from 1x to max and no further', () => {
    let s = initialViewState();
    for (let i = 0; i < 10; i++) s = run(s, 'speed.up');
    expect(SPEEDS[s.speedIndex]!.label).toBe('max');
    for (let i = 0; i < 10; i++) s = run(s, 'speed.down');
    expect(SPEEDS[s.speedIndex]!.label).toBe('1x');
  });

  it('advances by wall time times speed while playing, and stops at the end', () => {
    const paused = initialViewState();
    expect(reduceView(index, paused, { type: 'advance', wallMs: 500 })).toBe(paused);
    const playing = { ...paused, playing: true, speedIndex: 2 }; // 5x
    const s = reduceView(index, playing, { type: 'advance', wallMs: 500 });
    expect(s.t).toBe(2500);
    expect(s.pos).toBe(index.posAt(2500));
    const end = reduceView(index, playing, { type: 'advance', wallMs: 10_000_000 });
    expect(end).toMatchObject({ t: index.endT, playing: false });
    // Play at the end starts over.
    expect(run(end, 'play.toggle')).toMatchObject({ t: 0, pos: 0, playing: true });
  });

  it('cycles screens and revisions', () => {
    const s = initialViewState();
    expect(run(s, 'screen.next').screen).toBe('tables');
    expect(run(s, 'screen.next', 'screen.next', 'screen.next').screen).toBe('overview');
    expect(run(s, 'screen.log').screen).toBe('log');
    expect(run(s, 'revision.next').revisionIndex).toBe(0); // one revision
  });
});

describe('kubectl tables at a moment', () => {
  const isGone = (e: LogEvent): e is PodEvent => e.type === 'pod' && e.phase === 'Gone';

  it('shows no pods once the last one is gone, and the new pod Running at the end', () => {
    const gone = find(index.events, isGone);
    const pods = (t: number) => kubectlTables(index, index.posAt(t), t).find((x) => x.command === 'kubectl get pods')!;
    expect(pods(gone.t).lines).toEqual(['No resources found in default namespace.']);
    const end = pods(index.endT).lines;
    expect(end[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(end[1]).toMatch(/^knservice-00001-deployment-\S+\s+2\/2\s+Running\s+0\s+\d+s$/);
  });

  it('prints AGE relative to the moment shown', () => {
    const at = (t: number) =>
      kubectlTables(index, index.posAt(t), t).find((x) => x.command === 'kubectl get ksvc')!.lines[1]!;
    expect(at(30_000)).toMatch(/^knservice\s+http:\/\/knservice\.default\.example\.com/);
    const revisions = (t: number) =>
      kubectlTables(index, index.posAt(t), t).find((x) => x.command === 'kubectl get revisions')!.lines;
    expect(revisions(30_000)[0]).toContain('ACTUAL REPLICAS');
    const pods = kubectlTables(index, index.posAt(30_000), 30_000).find((x) => x.command === 'kubectl get pods')!;
    expect(pods.lines[1]).toMatch(/\s30s$/);
  });

  it('cuts the longest table to fit and says how many rows are hidden', () => {
    const rows = Array.from({ length: 50 }, (_, i) => `pod-${i}`);
    const tables: KubectlTable[] = [
      { command: 'kubectl get ksvc', lines: ['NAME', 'a'], hidden: 0, noun: 'services' },
      { command: 'kubectl get pods', lines: ['NAME', ...rows], hidden: 0, noun: 'pods' },
    ];
    const fitted = fitTables(tables, 20);
    const height = fitted.reduce((n, t) => n + 1 + t.lines.length + (t.hidden > 0 ? 1 : 0), 0) + 1;
    expect(height).toBe(20);
    expect(fitted[0]!.lines).toEqual(['NAME', 'a']);
    expect(fitted[1]!.hidden).toBe(50 - (fitted[1]!.lines.length - 1));
    expect(fitTables(tables, 100)).toEqual(tables);
  });

  it('counts pods by the status kubectl shows', () => {
    const pods = kubectlTables(index, index.length, index.endT).find((x) => x.command === 'kubectl get pods')!;
    expect(pods.summary).toBe('1 Running');
  });
});

describe('help and scrolling', () => {
  it('toggles the key help, and closes it', () => {
    const open = reduceView(index, initialViewState(), { type: 'command', command: 'help.toggle' });
    expect(open.help).toBe(true);
    expect(reduceView(index, open, { type: 'command', command: 'help.toggle' }).help).toBe(false);
    expect(reduceView(index, open, { type: 'command', command: 'help.close' }).help).toBe(false);
  });

  it('scrolls down from the top on the overview and kubectl screens, back from the newest on the log, within the limit', () => {
    const cmd = (s: ViewState, command: Command) => reduceView(index, s, { type: 'command', command });
    let s = reduceView(index, initialViewState(), { type: 'scrollLimit', max: 2 });
    s = cmd(cmd(cmd(s, 'scroll.down'), 'scroll.down'), 'scroll.down');
    expect(s.scroll).toBe(2);
    expect(cmd(s, 'scroll.up').scroll).toBe(1);
    expect(cmd(initialViewState(), 'scroll.up').scroll).toBe(0);
    // A measured limit below the scroll takes it back.
    expect(reduceView(index, s, { type: 'scrollLimit', max: 1 }).scroll).toBe(1);
    // The log: up goes back in the story; changing screens starts over.
    const log = cmd(cmd(initialViewState(), 'screen.log'), 'scroll.up');
    expect(log.scroll).toBe(1);
    expect(cmd(log, 'scroll.down').scroll).toBe(0);
    expect(cmd(log, 'screen.tables')).toMatchObject({ scroll: 0, screen: 'tables' });
  });
});
