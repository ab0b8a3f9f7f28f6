/**
 * The timeline chart as text: per-second samples bucketed into columns, then drawn as rows of
 * cells with a role each (the component maps roles to theme colours). Pure functions.
 */
import type { SampleEvent } from '../../model/events.js';
import { upperBound } from './search.js';

export interface ChartColumn {
  /** The column covers run time (t0, t1]. */
  readonly t0: number;
  readonly t1: number;
  readonly hasData: boolean;
  readonly desired: number;
  readonly ready: number;
  /** Pods that exist but are neither ready nor terminating (starting). */
  readonly pending: number;
  readonly terminating: number;
  readonly rps: number;
  readonly concurrency: number;
  readonly panic: boolean;
  readonly activatorInPath: boolean;
}

/** The run time a chart shows: the whole run, or `spanMs` around the cursor, inside [0, end]. */
export function chartWindow(endT: number, t: number, spanMs: number): { from: number; to: number } {
  const end = Math.max(endT, 1000);
  if (!Number.isFinite(spanMs) || spanMs >= end) return { from: 0, to: end };
  const from = Math.min(Math.max(0, t - spanMs / 2), end - spanMs);
  return { from, to: from + spanMs };
}

const EMPTY = {
  desired: 0,
  ready: 0,
  pending: 0,
  terminating: 0,
  rps: 0,
  concurrency: 0,
  panic: false,
  activatorInPath: false,
};

/**
 * One column per `width` slice of [from, to]: the largest pod counts and load of the samples
 * inside it, panic / activator when any sample had them. A slice with no sample holds the
 * previous sample (zoomed in, a sample covers several columns).
 */
export function bucketSamples(
  samples: readonly SampleEvent[],
  from: number,
  to: number,
  width: number,
  times: readonly number[] = samples.map((s) => s.t),
): ChartColumn[] {
  const columns: ChartColumn[] = [];
  const span = Math.max(1, to - from);
  for (let c = 0; c < width; c++) {
    const t0 = from + (span * c) / width;
    const t1 = from + (span * (c + 1)) / width;
    const a = upperBound(times, t0);
    const b = upperBound(times, t1);
    if (b > a) {
      let col = { ...EMPTY };
      let pods = -1;
      for (let i = a; i < b; i++) {
        const s = samples[i]!;
        // The pod stack of the sample with the most pods, so the parts add up.
        const total = s.ready + s.pending + s.terminating;
        const stack = total > pods ? s : col;
        pods = Math.max(pods, total);
        col = {
          desired: Math.max(col.desired, s.desired),
          ready: stack.ready,
          pending: stack.pending,
          terminating: stack.terminating,
          rps: Math.max(col.rps, s.rps),
          concurrency: Math.max(col.concurrency, s.concurrency),
          panic: col.panic || s.panic,
          activatorInPath: col.activatorInPath || s.activatorInPath,
        };
      }
      columns.push({ t0, t1, hasData: true, ...col });
    } else if (a > 0 && t1 <= (times.at(-1) ?? 0) + 1000) {
      const s = samples[a - 1]!;
      columns.push({
        t0,
        t1,
        hasData: true,
        desired: s.desired,
        ready: s.ready,
        pending: s.pending,
        terminating: s.terminating,
        rps: s.rps,
        concurrency: s.concurrency,
        panic: s.panic,
        activatorInPath: s.activatorInPath,
      });
    } else {
      columns.push({ t0, t1, hasData: false, ...EMPTY });
    }
  }
  return columns;
}

export type ChartRole =
  | 'ready'
  | 'pending'
  | 'terminating'
  | 'desired'
  | 'rps'
  | 'concurrency'
  | 'panic'
  | 'activator'
  | 'baseline'
  | 'cursor'
  | 'empty';

export interface ChartSegment {
  readonly text: string;
  readonly role: ChartRole;
  /** After the cursor: drawn dimmed. */
  readonly future: boolean;
}

export interface ChartRow {
  readonly label: string;
  readonly segments: readonly ChartSegment[];
}

export interface ChartLayout {
  readonly podRows: number;
  readonly loadRows: number;
  /** The column of the current moment. */
  readonly cursorColumn: number;
}

/** The column that holds run time t. */
export function cursorColumn(from: number, to: number, width: number, t: number): number {
  if (width <= 0) return 0;
  const c = Math.floor(((t - from) / Math.max(1, to - from)) * width);
  return Math.min(width - 1, Math.max(0, c));
}

/** How many of `rows` cells a value fills on a scale up to max (at least one for any value > 0). */
export function cellsFor(value: number, max: number, rows: number): number {
  if (value <= 0 || max <= 0) return 0;
  return Math.min(rows, Math.max(1, Math.round((value / max) * rows)));
}

function toSegments(cells: readonly { ch: string; role: ChartRole; future: boolean }[]): ChartSegment[] {
  const out: { text: string; role: ChartRole; future: boolean }[] = [];
  for (const cell of cells) {
    const last = out.at(-1);
    if (last && last.role === cell.role && last.future === cell.future) last.text += cell.ch;
    else out.push({ text: cell.ch, role: cell.role, future: cell.future });
  }
  return out;
}

/** A compact number for axis labels: 7, 12, 1.2k, 35k. */
export function compactNumber(n: number): string {
  if (n < 1000) return String(Math.round(n * 10) / 10);
  if (n < 10_000) return `${(n / 1000).toFixed(1)}k`;
  return `${Math.round(n / 1000)}k`;
}

/** The chart's rows: pods, load, panic and activator strips, and the cursor line. */
export function timelineRows(columns: readonly ChartColumn[], layout: ChartLayout): ChartRow[] {
  const rows: ChartRow[] = [];
  const future = (c: number): boolean => c > layout.cursorColumn;
  let maxPods = 1;
  let maxLoad = 1;
  for (const col of columns) {
    maxPods = Math.max(maxPods, col.desired, col.ready + col.pending + col.terminating);
    maxLoad = Math.max(maxLoad, col.rps, col.concurrency);
  }

  for (let r = 0; r < layout.podRows; r++) {
    const level = layout.podRows - r;
    const cells = columns.map((col, c) => {
      const f = future(c);
      const ready = cellsFor(col.ready, maxPods, layout.podRows);
      const pending = cellsFor(col.ready + col.pending, maxPods, layout.podRows);
      const all = cellsFor(col.ready + col.pending + col.terminating, maxPods, layout.podRows);
      if (level <= ready) return { ch: '█', role: 'ready' as const, future: f };
      if (level <= pending && col.pending > 0) return { ch: '▒', role: 'pending' as const, future: f };
      if (level <= all && col.terminating > 0) return { ch: '░', role: 'terminating' as const, future: f };
      if (level === cellsFor(col.desired, maxPods, layout.podRows))
        return { ch: '─', role: 'desired' as const, future: f };
      return { ch: ' ', role: 'empty' as const, future: f };
    });
    rows.push({ label: r === 0 ? `pods ${compactNumber(maxPods)}` : '', segments: toSegments(cells) });
  }

  for (let r = 0; r < layout.loadRows; r++) {
    const level = layout.loadRows - r;
    const cells = columns.map((col, c) => {
      const f = future(c);
      const rps = cellsFor(col.rps, maxLoad, layout.loadRows);
      if (level <= rps) return { ch: '█', role: 'rps' as const, future: f };
      if (level === cellsFor(col.concurrency, maxLoad, layout.loadRows)) {
        return { ch: '•', role: 'concurrency' as const, future: f };
      }
      return { ch: ' ', role: 'empty' as const, future: f };
    });
    rows.push({ label: r === 0 ? `load ${compactNumber(maxLoad)}` : '', segments: toSegments(cells) });
  }

  // A strip per on/off state: a bar where it holds, a baseline where there is data.
  const strip = (label: 'panic' | 'activator', on: (col: (typeof columns)[number]) => boolean) => ({
    label,
    segments: toSegments(
      columns.map((col, c) =>
        on(col)
          ? { ch: '█', role: label, future: future(c) }
          : { ch: col.hasData ? '─' : ' ', role: 'baseline' as const, future: future(c) },
      ),
    ),
  });
  rows.push(strip('panic', (col) => col.panic));
  rows.push(strip('activator', (col) => col.activatorInPath));
  rows.push({
    label: '',
    segments: toSegments(
      columns.map((_, c) =>
        c === layout.cursorColumn
          ? { ch: '▲', role: 'cursor' as const, future: false }
          : { ch: ' ', role: 'empty' as const, future: false },
      ),
    ),
  });
  return rows;
}

export interface LegendItem {
  readonly role: ChartRole;
  /** The glyph drawn without colours (with colours, bars are a coloured background). */
  readonly glyph: string;
  readonly label: string;
}

/** What the chart's marks mean, in the order the legend lists them. */
export const LEGEND: readonly LegendItem[] = [
  { role: 'ready', glyph: '█', label: 'ready' },
  { role: 'pending', glyph: '▒', label: 'starting' },
  { role: 'terminating', glyph: '░', label: 'terminating' },
  { role: 'desired', glyph: '─', label: 'desired' },
  { role: 'rps', glyph: '█', label: 'req/s' },
  { role: 'concurrency', glyph: '•', label: 'concurrency' },
  { role: 'panic', glyph: '█', label: 'panic' },
  { role: 'activator', glyph: '█', label: 'activator in path' },
];

/** The legend packed into lines no wider than `width` (`█ ready` entries, two spaces apart). */
export function legendLines(width: number, items: readonly LegendItem[] = LEGEND): LegendItem[][] {
  const lines: LegendItem[][] = [];
  let used = 0;
  for (const item of items) {
    const w = item.glyph.length + 1 + item.label.length;
    const line = lines.at(-1);
    if (line && used + 2 + w <= width) {
      line.push(item);
      used += 2 + w;
    } else {
      lines.push([item]);
      used = w;
    }
  }
  return lines;
}
