import { describe, expect, it } from 'vitest';
import type { SampleEvent } from '../../src/model/events.js';
import { commandForKey, helpItems, helpLines, KEYMAP, keyName, keyTable } from '../../src/tui/keymap.js';
import {
  bucketSamples,
  cellsFor,
  chartWindow,
  cursorColumn,
  LEGEND,
  legendLines,
  timelineRows,
} from '../../src/tui/model/chart.js';
import { MIN_COLUMNS, MIN_ROWS, screenLayout } from '../../src/tui/model/layout.js';
import type { Command } from '../../src/tui/model/playback.js';
import { eventsFromTranscript } from '../../src/tui/model/transcript.js';

function sample(t: number, over: Partial<SampleEvent> = {}): SampleEvent {
  return {
    t,
    type: 'sample',
    revision: 'r',
    rps: 0,
    concurrency: 0,
    desired: 0,
    ready: 0,
    pending: 0,
    terminating: 0,
    activatorQueue: 0,
    queueProxyQueue: 0,
    inFlight: 0,
    panic: false,
    activatorInPath: false,
    ...over,
  };
}

describe('the keymap', () => {
  it('maps keys to commands, telling shifted arrows and ctrl apart', () => {
    expect(commandForKey(' ', {})).toBe('play.toggle');
    expect(commandForKey('', { leftArrow: true })).toBe('seek.back');
    expect(commandForKey('', { leftArrow: true, shift: true })).toBe('seek.back10');
    expect(commandForKey('', { end: true })).toBe('seek.end');
    expect(commandForKey('n', {})).toBe('jump.nextNarration');
    expect(commandForKey('N', { shift: true })).toBe('jump.prevNarration');
    expect(commandForKey('c', { ctrl: true })).toBe('app.quit');
    expect(commandForKey('c', {})).toBeUndefined();
    expect(commandForKey('x', {})).toBeUndefined();
  });

  it('binds every key once and every command at least once', () => {
    const seen = new Set<string>();
    for (const b of KEYMAP) {
      for (const k of b.keys) {
        const id = JSON.stringify(k);
        expect(seen.has(id), id).toBe(false);
        seen.add(id);
      }
    }
    const commands: Command[] = ['play.toggle', 'step.next', 'seek.end', 'speed.up', 'jump.prevDecision', 'app.quit'];
    for (const c of commands) expect(KEYMAP.some((b) => b.command === c)).toBe(true);
  });

  it('builds the help line from the table, merging neighbours with the same label', () => {
    const items = helpItems();
    expect(items).toContainEqual({ keys: '←/→', label: '1 s' });
    expect(items).toContainEqual({ keys: 'Home/End', label: 'start/end' });
    expect(items).toContainEqual({ keys: 'Tab/1-3', label: 'screen' });
    expect(items.at(-1)).toEqual({ keys: 'q', label: 'quit' });
    for (const width of [60, 80, 120, 200]) {
      const lines = helpLines(width);
      for (const line of lines) {
        const text = line.map((i) => `${i.keys} ${i.label}`).join('  ');
        expect(text.length).toBeLessThanOrEqual(width);
      }
      expect(lines.flat()).toEqual(items);
    }
    expect(helpLines(80)).toHaveLength(3);
    // A short terminal keeps one line, ending with `? help` (the overlay lists every key).
    const one = helpLines(80, KEYMAP, 1);
    expect(one).toHaveLength(1);
    expect(one[0]!.at(-1)).toEqual({ keys: '?', label: 'help' });
    expect(one[0]!.map((i) => `${i.keys} ${i.label}`).join('  ').length).toBeLessThanOrEqual(80);
  });

  it('builds the ? overlay from the same table: every binding and every key of it', () => {
    const rows = keyTable();
    const text = rows.map((r) => `${r.keys} ${r.description}`).join('\n');
    for (const b of KEYMAP) {
      for (const k of b.keys) expect(text, b.command).toContain(keyName(k));
    }
    expect(rows).toContainEqual({ keys: '⇧← / ⇧→ (or [ / ])', description: '10 seconds back / forward' });
    expect(rows).toContainEqual({ keys: 'q (or Ctrl-C)', description: 'quit' });
    expect(rows.find((r) => r.description.startsWith('this help'))?.keys).toBe('? / Esc');
    expect(rows.every((r) => r.description !== '')).toBe(true);
  });
});

describe('the timeline chart', () => {
  it('shows the whole run or a window around the cursor inside the run', () => {
    expect(chartWindow(96_000, 50_000, Number.POSITIVE_INFINITY)).toEqual({ from: 0, to: 96_000 });
    expect(chartWindow(600_000, 300_000, 120_000)).toEqual({ from: 240_000, to: 360_000 });
    expect(chartWindow(600_000, 10_000, 120_000)).toEqual({ from: 0, to: 120_000 });
    expect(chartWindow(600_000, 599_000, 120_000)).toEqual({ from: 480_000, to: 600_000 });
  });

  it('buckets samples: largest pod stack and load, panic and activator when any', () => {
    const samples = [
      sample(1000, { ready: 1, desired: 1 }),
      sample(2000, { ready: 2, pending: 1, desired: 3, rps: 5, panic: true }),
      sample(3000, { ready: 1, terminating: 1, desired: 1, activatorInPath: true }),
      sample(4000, { ready: 1, desired: 1 }),
    ];
    const [a, b] = bucketSamples(samples, 0, 4000, 2);
    expect(a).toMatchObject({ hasData: true, ready: 2, pending: 1, terminating: 0, desired: 3, rps: 5, panic: true });
    expect(b).toMatchObject({ ready: 1, terminating: 1, activatorInPath: true, panic: false });
    // Zoomed in: a second spans several columns, each holding the sample.
    const zoomed = bucketSamples(samples, 0, 4000, 8);
    expect(zoomed.map((c) => c.ready)).toEqual([0, 1, 1, 2, 2, 1, 1, 1]);
    expect(zoomed[0]!.hasData).toBe(false);
  });

  it('draws bars at least one cell high for any pod and puts the cursor in its column', () => {
    expect(cellsFor(1, 1000, 8)).toBe(1);
    expect(cellsFor(0, 1000, 8)).toBe(0);
    expect(cellsFor(1000, 1000, 8)).toBe(8);
    expect(cursorColumn(0, 1000, 10, 999)).toBe(9);
    expect(cursorColumn(0, 1000, 10, 5000)).toBe(9);
    const cols = bucketSamples([sample(1000, { ready: 2, desired: 4, rps: 1, panic: true })], 0, 1000, 3);
    const rows = timelineRows(cols, { podRows: 4, loadRows: 2, cursorColumn: 1 });
    expect(rows).toHaveLength(4 + 2 + 3);
    const text = rows.map((r) => r.segments.map((s) => s.text).join(''));
    expect(rows[0]!.label).toBe('pods 4');
    expect(text.slice(0, 4)).toEqual(['  ─', '   ', '  █', '  █']);
    expect(text[6]).toBe('  █'); // panic strip
    expect(text[8]).toBe(' ▲ ');
    expect(rows[2]!.segments.at(-1)).toMatchObject({ role: 'ready', future: true });
  });
});

describe('the screen layout', () => {
  it('fits the frame in rows - 1 lines and flags tiny terminals', () => {
    for (const [w, h] of [
      [80, 24],
      [100, 40],
      [160, 50],
    ] as const) {
      const l = screenLayout(w, h, helpLines(w).length, legendLines(w).length);
      expect(l.tooSmall).toBe(false);
      const o = l.overview;
      const overview = o.chartHeight + (o.sideBySide ? o.requestsHeight : o.requestsHeight + o.explainHeight);
      expect(overview + o.narrationHeight).toBeLessThanOrEqual(l.body);
      expect(1 + l.body + l.helpRows).toBe(h - 1);
      expect(o.chartHeight).toBe(4 + o.legendRows + o.podRows + o.loadRows);
    }
    // Every size from the smallest allowed up: the panes never need more than the body.
    for (let w = MIN_COLUMNS; w <= 200; w += 7) {
      for (let h = MIN_ROWS; h <= 70; h++) {
        const legend = legendLines(w).length;
        const l = screenLayout(w, h, helpLines(w, KEYMAP, h < 30 ? 1 : 2).length, legend);
        const o = l.overview;
        const used = o.chartHeight + o.requestsHeight + (o.sideBySide ? 0 : o.explainHeight) + o.narrationHeight;
        expect(used, `${w}x${h}`).toBeLessThanOrEqual(Math.max(l.body, 4 + legend + 3));
        expect(o.podRows).toBeGreaterThanOrEqual(2);
        expect(o.loadRows).toBeGreaterThanOrEqual(1);
      }
    }
    expect(screenLayout(MIN_COLUMNS - 1, 40, 2).tooSmall).toBe(true);
    // The legend packs into lines that fit, every entry once.
    for (const w of [MIN_COLUMNS, 80, 100, 200]) {
      const lines = legendLines(w);
      expect(lines.flat()).toEqual(LEGEND);
      for (const line of lines)
        expect(line.map((i) => `${i.glyph} ${i.label}`).join('  ').length).toBeLessThanOrEqual(w);
    }
    expect(legendLines(80)).toHaveLength(2);
    expect(screenLayout(100, MIN_ROWS - 1, 2).tooSmall).toBe(true);
  });
});

describe('steps from a transcript', () => {
  it('reads stamped commands with their output, and notes', () => {
    const transcript = [
      '# demo: a header comment',
      '',
      '[00:05.200] $ kubectl get pods',
      'NAME   READY',
      'pod-a  1/1',
      '',
      '[01:34.100] # waited until pods == 0: 88.9 s',
      '[1:01:34.100] $ curl http://x',
      'Hello',
      '',
      'Summary (run time 1:01:35.000)',
      '  all expectations met',
    ].join('\n');
    expect(eventsFromTranscript(transcript)).toEqual([
      { t: 5200, type: 'step', index: 0, command: 'kubectl get pods', output: 'NAME   READY\npod-a  1/1', ok: true },
      { t: 94_100, type: 'narration', text: 'waited until pods == 0: 88.9 s' },
      { t: 3_694_100, type: 'step', index: 1, command: 'curl http://x', output: 'Hello', ok: true },
    ]);
  });
});
