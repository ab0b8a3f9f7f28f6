/**
 * `knsim sweep`'s outputs, one row per grid point: the comparison table (one column per swept
 * key, then the results), JSON (`--json`) and CSV (`--csv`). They are made from the rows as a
 * shard file stores them (shard.ts `SweepRecord`: a NaN is null), so `knsim sweep merge` prints
 * the same text as a whole sweep.
 */
import { type RunResults, resultsToJSON } from '../../results/results.js';
import type { SweepAxis } from './grid.js';
import type { SweepRecord } from './shard.js';

/** What the outputs read of a row. */
export type SweepOutputRow = Pick<SweepRecord, 'point' | 'ok' | 'failures' | 'results'>;

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
export function formatSweepTable(axes: readonly SweepAxis[], rows: readonly SweepOutputRow[]): string {
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
export function formatSweepJSON(rows: readonly SweepOutputRow[]): string {
  const out = rows.map((r) => ({
    settings: Object.fromEntries(r.point),
    ok: r.ok,
    failures: r.failures,
    results: JSON.parse(resultsToJSON(r.results, 0)),
  }));
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** Milliseconds as the CSV writes them: to the microsecond, empty when there is none. */
function csvMs(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '';
  return String(Math.round(v * 1000) / 1000);
}

const CSV_FIGURES: { title: string; cell: (r: RunResults) => string }[] = [
  { title: 'requests', cell: (r) => String(r.requests) },
  { title: 'answered', cell: (r) => String(r.answered) },
  { title: 'errors', cell: (r) => String(r.errors) },
  { title: 'status_503', cell: (r) => String(r.status503) },
  { title: 'status_504', cell: (r) => String(r.status504) },
  { title: 'p50_ms', cell: (r) => csvMs(r.latency.p50) },
  { title: 'p95_ms', cell: (r) => csvMs(r.latency.p95) },
  { title: 'p99_ms', cell: (r) => csvMs(r.latency.p99) },
  { title: 'max_ms', cell: (r) => csvMs(r.latency.max) },
  { title: 'cold_requests', cell: (r) => String(r.coldRequests) },
  { title: 'cold_p99_ms', cell: (r) => csvMs(r.coldLatency.p99) },
  { title: 'cold_starts', cell: (r) => String(r.coldStarts) },
  { title: 'to_zero_ms', cell: (r) => csvMs(r.timeToZeroMs) },
  { title: 'max_pods', cell: (r) => String(r.maxPods) },
  { title: 'mean_pods', cell: (r) => csvMs(r.meanPods) },
  { title: 'pod_seconds', cell: (r) => csvMs(r.podSeconds) },
  { title: 'panic_seconds', cell: (r) => String(r.panicSeconds) },
  { title: 'activator_seconds', cell: (r) => String(r.activatorInPathSeconds) },
];

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * The rows as CSV (`knsim sweep --csv`): one column per swept key, `ok` (1 when the scenario's
 * expectations held), then the figures in their units (ms, pods, seconds); an empty cell where
 * there is no figure (no request answered, pods left at the end).
 */
export function formatSweepCSV(axes: readonly SweepAxis[], rows: readonly SweepOutputRow[]): string {
  const header = [...axes.map((a) => a.key), 'ok', ...CSV_FIGURES.map((c) => c.title)];
  const body = rows.map((row) => [
    ...row.point.map(([, v]) => v),
    row.ok ? '1' : '0',
    ...CSV_FIGURES.map((c) => c.cell(row.results)),
  ]);
  return [header, ...body].map((cells) => `${cells.map(csvCell).join(',')}\n`).join('');
}
