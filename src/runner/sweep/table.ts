/** `knsim sweep`'s comparison table: one row per grid point, one column per swept key, then the results. */
import { type RunResults, resultsToJSON } from '../../results/results.js';
import type { SweepAxis } from './grid.js';
import type { SweepRow } from './run.js';

function fmtMs(v: number | null): string {
  if (v === null || Number.isNaN(v)) return '-';
  if (v < 10) return `${v.toFixed(1)}ms`;
  if (v < 1000) return `${Math.round(v)}ms`;
  if (v < 100_000) return `${(v / 1000).toFixed(1)}s`;
  return `${Math.round(v / 1000)}s`;
}

const COLUMNS: { title: string; cell: (r: RunResults) => string }[] = [
  { title: 'requests', cell: (r) => String(r.requests) },
  { title: '503', cell: (r) => String(r.status503) },
  { title: '504', cell: (r) => String(r.status504) },
  { title: 'p50', cell: (r) => fmtMs(r.latency.p50) },
  { title: 'p95', cell: (r) => fmtMs(r.latency.p95) },
  { title: 'p99', cell: (r) => fmtMs(r.latency.p99) },
  { title: 'max', cell: (r) => fmtMs(r.latency.max) },
  { title: 'cold-req', cell: (r) => String(r.coldRequests) },
  { title: 'cold-p99', cell: (r) => fmtMs(r.coldLatency.p99) },
  { title: 'cold-starts', cell: (r) => String(r.coldStarts) },
  { title: 'to-zero', cell: (r) => fmtMs(r.timeToZeroMs) },
  { title: 'max-pods', cell: (r) => String(r.maxPods) },
  { title: 'mean-pods', cell: (r) => r.meanPods.toFixed(2) },
  { title: 'pod-s', cell: (r) => String(Math.round(r.podSeconds)) },
  { title: 'panic-s', cell: (r) => String(r.panicSeconds) },
  { title: 'activator-s', cell: (r) => String(r.activatorInPathSeconds) },
];

/** The rows as an aligned text table: one column per swept key, then the results. */
export function formatSweepTable(axes: readonly SweepAxis[], rows: readonly SweepRow[]): string {
  const header = [...axes.map((a) => a.key), ...COLUMNS.map((c) => c.title)];
  const body = rows.map((row) => [
    ...row.point.map(([, v]) => v),
    ...COLUMNS.map((c) => c.cell(row.results)),
    ...(row.ok ? [] : ['(expectations not met)']),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < axes.length ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...body.map(line)].join('\n')}\n`;
}

/** The rows as JSON (`knsim sweep --json`): each point's settings, whether it passed, and its results. */
export function formatSweepJSON(rows: readonly SweepRow[]): string {
  const out = rows.map((r) => ({
    settings: Object.fromEntries(r.point),
    ok: r.ok,
    failures: r.failures,
    results: JSON.parse(resultsToJSON(r.results, 0)),
  }));
  return `${JSON.stringify(out, null, 2)}\n`;
}
