/**
 * Two runs side by side (typically the simulation and the live cluster): a table of the numbers
 * that matter for scale to zero and from zero, with the differences, and a text chart of pods over
 * time. Pure functions: summaries in, text out.
 */
import type { RunSummary } from './summary.js';

export interface ComparisonRow {
  metric: string;
  a: number | null;
  b: number | null;
  /** b − a, when both are known. */
  diff: number | null;
  unit: 'ms' | 'count' | 's';
}

export function compareSummaries(a: RunSummary, b: RunSummary): ComparisonRow[] {
  const row = (metric: string, x: number | null, y: number | null, unit: ComparisonRow['unit']): ComparisonRow => ({
    metric,
    a: x,
    b: y,
    diff: x !== null && y !== null ? y - x : null,
    unit,
  });
  const zero = (s: RunSummary) => s.scaleToZero[0];
  return [
    row('run time', a.durationMs, b.durationMs, 'ms'),
    row('first pod Ready at', a.firstReadyAt, b.firstReadyAt, 'ms'),
    row('maximum pods', a.maxPods, b.maxPods, 'count'),
    row('scale to zero: idle to no pods', zero(a)?.afterMs ?? null, zero(b)?.afterMs ?? null, 'ms'),
    row('scale to zero: last pod gone at', zero(a)?.zeroAt ?? null, zero(b)?.zeroAt ?? null, 'ms'),
    row('scale to zero: draining took', drain(a), drain(b), 'ms'),
    row('cold starts', a.coldStart.count, b.coldStart.count, 'count'),
    row('cold-start latency p50', a.coldStart.p50, b.coldStart.p50, 'ms'),
    row('cold-start latency max', a.coldStart.max, b.coldStart.max, 'ms'),
    row('requests answered', a.requests, b.requests, 'count'),
    row('503 responses', a.status503, b.status503, 'count'),
    row('504 responses', a.status504, b.status504, 'count'),
    row('other errors', a.otherErrors, b.otherErrors, 'count'),
    row('time in panic', a.panicSeconds, b.panicSeconds, 's'),
  ];
}

function drain(s: RunSummary): number | null {
  const z = s.scaleToZero[0];
  return z ? z.zeroAt - z.drainingAt : null;
}

export function formatValue(v: number | null, unit: ComparisonRow['unit']): string {
  if (v === null) return '–';
  if (unit === 'ms') return Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
  if (unit === 's') return `${v} s`;
  return String(v);
}

function formatDiff(r: ComparisonRow): string {
  if (r.diff === null) return '';
  if (r.diff === 0) return 'same';
  const sign = r.diff > 0 ? '+' : '−';
  const magnitude = formatValue(Math.abs(r.diff), r.unit);
  const base = r.a !== null && r.a !== 0 ? ` (${sign}${Math.round((Math.abs(r.diff) / Math.abs(r.a)) * 100)}%)` : '';
  return `${sign}${magnitude}${r.unit === 'count' ? '' : base}`;
}

/** The rows as an aligned text table. */
export function renderTable(rows: ComparisonRow[], labels: [string, string]): string {
  const cells = rows.map((r) => [r.metric, formatValue(r.a, r.unit), formatValue(r.b, r.unit), formatDiff(r)]);
  const head = ['', labels[0], labels[1], 'difference'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join('   ')
      .trimEnd();
  return `${[line(head), ...cells.map(line)].join('\n')}\n`;
}

/** Buckets a per-second series into at most `width` columns (the maximum of each bucket). */
export function bucket(series: readonly number[], width: number, columns = Math.min(width, series.length)): number[] {
  if (series.length === 0) return [];
  const per = Math.max(1, Math.ceil(series.length / columns));
  const out: number[] = [];
  for (let i = 0; i < series.length; i += per) out.push(Math.max(...series.slice(i, i + per)));
  return out;
}

/**
 * Pods over time for two runs in one text chart: `a` marks the first run's pod count, `b` the
 * second's, `*` both; one column per `per` seconds; at most 10 rows.
 */
export function renderChart(a: readonly number[], b: readonly number[], labels: [string, string], width = 72): string {
  const length = Math.max(a.length, b.length);
  if (length === 0) return 'pods over time: no pod events in either log\n';
  const per = Math.max(1, Math.ceil(length / width));
  const columns = Math.ceil(length / per);
  // Past the end of the shorter run there is nothing to draw.
  const ca: (number | undefined)[] = bucket(a, width, Math.ceil(a.length / per));
  const cb: (number | undefined)[] = bucket(b, width, Math.ceil(b.length / per));
  while (ca.length < columns) ca.push(undefined);
  while (cb.length < columns) cb.push(undefined);
  const max = Math.max(1, ...ca.map((v) => v ?? 0), ...cb.map((v) => v ?? 0));
  const rows = Math.min(10, max);
  const level = (v: number | undefined) => (v === undefined ? -1 : Math.ceil((v / max) * rows));
  const markA = labels[0][0]?.toLowerCase() ?? 'a';
  let markB = labels[1][0]?.toLowerCase() ?? 'b';
  if (markB === markA) markB = markA === 'b' ? 'c' : 'b';
  const axis = String(max).length;
  const lines: string[] = [`pods over time (one column = ${per} s)`];
  for (let r = rows; r >= 1; r--) {
    const value = Math.round((r / rows) * max);
    let row = '';
    for (let i = 0; i < ca.length; i++) {
      const inA = level(ca[i]) === r;
      const inB = level(cb[i]) === r;
      row += inA && inB ? '*' : inA ? markA : inB ? markB : ' ';
    }
    lines.push(`${String(value).padStart(axis)} ┤${row.trimEnd()}`);
  }
  let zero = '';
  for (let i = 0; i < ca.length; i++) {
    const inA = ca[i] === 0;
    const inB = cb[i] === 0;
    zero += inA && inB ? '─' : inA ? markA : inB ? markB : ca[i] === undefined || cb[i] === undefined ? '·' : '─';
  }
  lines.push(`${'0'.padStart(axis)} ┼${zero}`);
  const end = `${length - 1} s`;
  lines.push(`${' '.repeat(axis)}  0 s${end.padStart(Math.max(end.length, ca.length - 3))}`);
  lines.push(
    `${' '.repeat(axis)}  ${markA} ${labels[0]}   ${markB} ${labels[1]}   * both   (on the 0 line: the run with no pods; · one run had ended)`,
  );
  return `${lines.join('\n')}\n`;
}

export interface ComparisonText {
  rows: ComparisonRow[];
  text: string;
}

/** The whole report: title, table, chart, and the scale-to-zero moments of each run. */
export function renderComparison(a: RunSummary, b: RunSummary, labels?: [string, string]): ComparisonText {
  const names: [string, string] = labels ?? [
    a.backend === b.backend ? `${a.backend} (1)` : a.backend,
    a.backend === b.backend ? `${b.backend} (2)` : b.backend,
  ];
  const rows = compareSummaries(a, b);
  const parts: string[] = [];
  parts.push(
    `${a.scenario === b.scenario ? `# ${a.scenario}` : `# ${a.scenario} vs ${b.scenario}`}: ${names[0]} vs ${names[1]}\n\n`,
  );
  parts.push(renderTable(rows, names));
  parts.push('\n');
  parts.push(renderChart(a.podsPerSecond, b.podsPerSecond, names));
  for (const [name, s] of [
    [names[0], a],
    [names[1], b],
  ] as const) {
    if (s.scaleToZero.length === 0) {
      parts.push(`\n${name}: the pods never went to zero\n`);
      continue;
    }
    for (const z of s.scaleToZero) {
      parts.push(
        `\n${name}: no pods at ${formatValue(z.zeroAt, 'ms')}, ${formatValue(z.afterMs, 'ms')} after the ${z.idleFrom} (draining from ${formatValue(z.drainingAt, 'ms')})`,
      );
    }
    parts.push('\n');
  }
  if (a.coldStarts.length > 0 || b.coldStarts.length > 0) {
    parts.push('\ncold-start latencies:\n');
    parts.push(`  ${names[0]}: ${a.coldStarts.map((v) => formatValue(v, 'ms')).join(', ') || '–'}\n`);
    parts.push(`  ${names[1]}: ${b.coldStarts.map((v) => formatValue(v, 'ms')).join(', ') || '–'}\n`);
  }
  return { rows, text: parts.join('') };
}
