/**
 * Two runs side by side (typically the simulation and the live cluster): a table of the numbers
 * that matter for scale to zero and from zero, with the differences, and a text chart of pods over
 * time. Pure functions: summaries in, text out.
 */
import { COLD_START_PHASES, type ColdStartPhases } from '../results/results.js';
import { wrap } from '../results/text.js';
import { hasClusterSide, renderRunsTimeline, renderShadowTimeline } from './decisions.js';
import { type Noise, poissonNoise, proportionNoise, quantileNoise, toleranceNoise } from './noise.js';
import { quantile, type RevisionSummary, type RunSummary } from './summary.js';

export interface ComparisonRow {
  metric: string;
  /** The revision the row is about; absent for the run's rows. */
  revision?: string;
  a: number | null;
  b: number | null;
  /** b − a, when both are known. */
  diff: number | null;
  unit: 'ms' | 'count' | 's';
  /** Whether the difference is beyond what chance alone gives (src/compare/noise.ts); absent for inputs. */
  noise?: Noise;
}

/** What autoscaler decisions cannot resolve below (its tick), and samples and watch events (1 s). */
const TICK_MS = 2000;
const SAMPLE_MS = 1000;
/** Pod phases come from watch events, tens of ms late on a local cluster. */
const PHASE_MS = 200;

const PHASE_ROWS: Record<keyof ColdStartPhases, string> = {
  scaleUp: 'cold start: request to new pod',
  schedule: 'cold start: scheduling',
  pull: 'cold start: image pull',
  create: 'cold start: pull and create',
  readiness: 'cold start: start to Ready',
  activator: 'cold start: activator probe',
  toAnswer: 'cold start: Ready to answer',
};

export function compareSummaries(a: RunSummary, b: RunSummary): ComparisonRow[] {
  const row = (
    metric: string,
    x: number | null,
    y: number | null,
    unit: ComparisonRow['unit'],
    noise?: Noise,
    revision?: string,
  ): ComparisonRow => ({
    metric,
    ...(revision !== undefined ? { revision } : {}),
    a: x,
    b: y,
    diff: x !== null && y !== null ? y - x : null,
    unit,
    ...(noise ? { noise } : {}),
  });
  const ms = (v: number) => formatValue(v, 'ms');
  const single = (x: number | null, y: number | null, resolution: number) => toleranceNoise(x, y, resolution, ms);
  const ra = a.results;
  const rb = b.results;
  const share = (x: number, y: number) => proportionNoise(x, ra.requests, y, rb.requests);
  const p = (s: RunSummary, q: number) => quantile(s.warmLatencies, q);
  const rows: ComparisonRow[] = [
    row('run time', a.durationMs, b.durationMs, 'ms', single(a.durationMs, b.durationMs, SAMPLE_MS)),
    row('requests', ra.requests, rb.requests, 'count', poissonNoise(ra.requests, rb.requests)),
    row('requests answered', ra.answered, rb.answered, 'count'),
    row('errors (no answer included)', ra.errors, rb.errors, 'count', share(ra.errors, rb.errors)),
    row('503 responses', ra.status503, rb.status503, 'count', share(ra.status503, rb.status503)),
    row('504 responses', ra.status504, rb.status504, 'count', share(ra.status504, rb.status504)),
    row('no answer', ra.noAnswer, rb.noAnswer, 'count', share(ra.noAnswer, rb.noAnswer)),
    row(
      'other errors',
      ra.status4xx + ra.status5xx,
      rb.status4xx + rb.status5xx,
      'count',
      share(ra.status4xx + ra.status5xx, rb.status4xx + rb.status5xx),
    ),
    row('warm latency p50', p(a, 0.5), p(b, 0.5), 'ms', quantileNoise(a.warmLatencies, b.warmLatencies, 0.5, ms)),
    row('warm latency p95', p(a, 0.95), p(b, 0.95), 'ms', quantileNoise(a.warmLatencies, b.warmLatencies, 0.95, ms)),
    row('service time drawn p50', quantile(a.serviceTimes, 0.5), quantile(b.serviceTimes, 0.5), 'ms'),
    row('cold starts', ra.coldStarts, rb.coldStarts, 'count', poissonNoise(ra.coldStarts, rb.coldStarts)),
    row(
      'cold-start latency p50',
      quantile(a.coldLatencies, 0.5),
      quantile(b.coldLatencies, 0.5),
      'ms',
      quantileNoise(a.coldLatencies, b.coldLatencies, 0.5, ms),
    ),
    row('cold-start latency max', a.coldLatencies.at(-1) ?? null, b.coldLatencies.at(-1) ?? null, 'ms'),
  ];
  for (const phase of COLD_START_PHASES) {
    const x = ra.coldStartPhases[phase];
    const y = rb.coldStartPhases[phase];
    if (x === null && y === null) continue;
    rows.push(row(PHASE_ROWS[phase], x, y, 'ms', single(x, y, PHASE_MS)));
  }
  rows.push(
    row('maximum pods', a.maxPods, b.maxPods, 'count', poissonNoise(a.maxPods, b.maxPods)),
    row(
      'time in panic',
      a.panicSeconds,
      b.panicSeconds,
      's',
      single(a.panicSeconds * 1000, b.panicSeconds * 1000, TICK_MS),
    ),
  );
  const names = [...new Set([...a.revisions, ...b.revisions].map((r) => r.revision))].sort();
  for (const name of names) {
    const x = a.revisions.find((r) => r.revision === name);
    const y = b.revisions.find((r) => r.revision === name);
    const both = (f: (r: RevisionSummary) => number | null, resolution: number) => {
      const vx = x ? f(x) : null;
      const vy = y ? f(y) : null;
      return [vx, vy, single(vx, vy, resolution)] as const;
    };
    const zero = (r: RevisionSummary) => r.scaleToZero[0];
    const rev = (
      metric: string,
      unit: ComparisonRow['unit'],
      [vx, vy, noise]: readonly [number | null, number | null, Noise],
    ) => rows.push(row(metric, vx, vy, unit, noise, name));
    rev(
      'first pod Ready at',
      'ms',
      both((r) => r.firstReadyAt, SAMPLE_MS),
    );
    rows.push(
      row(
        'maximum pods',
        x?.maxPods ?? null,
        y?.maxPods ?? null,
        'count',
        poissonNoise(x?.maxPods ?? 0, y?.maxPods ?? 0),
        name,
      ),
    );
    rev('cold starts', 'count', [
      x?.coldStarts ?? null,
      y?.coldStarts ?? null,
      poissonNoise(x?.coldStarts ?? 0, y?.coldStarts ?? 0),
    ]);
    rev(
      'scale to zero: idle to draining',
      'ms',
      both((r) => idleToDraining(r), TICK_MS),
    );
    rev(
      'scale to zero: draining took',
      'ms',
      both((r) => (zero(r) ? zero(r)!.zeroAt - zero(r)!.drainingAt : null), SAMPLE_MS),
    );
    rev(
      'scale to zero: idle to no pods',
      'ms',
      both((r) => zero(r)?.afterMs ?? null, TICK_MS),
    );
    rev(
      'scale to zero: last pod gone at',
      'ms',
      both((r) => zero(r)?.zeroAt ?? null, TICK_MS),
    );
  }
  return rows;
}

/** From idle to the scale-down taking effect: of the first fall to zero, or of the drain still going at the end. */
function idleToDraining(r: RevisionSummary): number | null {
  const z = r.scaleToZero[0];
  if (z) return z.drainingAt - z.idleSince;
  return null;
}

export function formatValue(v: number | null, unit: ComparisonRow['unit']): string {
  if (v === null) return '–';
  if (unit === 'ms') {
    const a = Math.abs(v);
    if (a >= 1000) return `${(v / 1000).toFixed(1)} s`;
    return a > 0 && a < 9.95 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`;
  }
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

/**
 * The rows as an aligned text table: the run's rows, then each revision's under its name; under
 * a row whose difference is beyond the noise of the two runs, a line saying so and why.
 */
export function renderTable(rows: ComparisonRow[], labels: [string, string]): string {
  const label = (r: ComparisonRow) => (r.revision !== undefined ? `  ${r.metric}` : r.metric);
  const cells = rows.map((r) => [label(r), formatValue(r.a, r.unit), formatValue(r.b, r.unit), formatDiff(r)]);
  const head = ['', labels[0], labels[1], 'difference'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join('   ')
      .trimEnd();
  const out = [line(head)];
  let section: string | undefined;
  rows.forEach((r, i) => {
    if (r.revision !== section) {
      section = r.revision;
      if (section !== undefined) out.push(`revision ${section}`);
    }
    out.push(line(cells[i]!));
    if (r.noise?.differs === true)
      out.push(`${r.revision !== undefined ? '    ' : '  '}↳ beyond the noise: ${r.noise.detail}`);
  });
  return `${out.join('\n')}\n`;
}

/** Which service times each side used: the scenario's draws, or the live app's own. */
export function serviceTimeLines(s: RunSummary, name: string): string {
  const drawn = quantile(s.serviceTimes, 0.5);
  const warm = quantile(s.warmLatencies, 0.5);
  const warmWords = warm === null ? 'no warm answers' : `its warm answers took p50 ${formatValue(warm, 'ms')}`;
  if (s.backend === 'sim') {
    return drawn === null
      ? `${name}: the simulated app's service time is not in this log (no arrival events); ${warmWords}\n`
      : `${name}: the simulated app took the service time the scenario drew for each request (p50 ${formatValue(drawn, 'ms')}); ${warmWords}\n`;
  }
  const asked =
    drawn === null
      ? 'knsim asked for none (X-Knsim-Service-Ms goes with load: requests, not curl steps)'
      : `knsim asked for the scenario's draws (p50 ${formatValue(drawn, 'ms')}) with X-Knsim-Service-Ms on ${s.serviceTimes.length} of ${s.arrivals} requests`;
  return `${name}: the app's own service time; ${asked}; ${warmWords}\n`;
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

/** The whole report: title, table, which service times were used, chart, and each revision's moments. */
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
  const beyond = rows.filter((r) => r.noise?.differs === true).length;
  parts.push(
    `\n${beyond === 0 ? 'No difference is beyond the noise of the two runs' : `${beyond} of ${rows.length} rows differ beyond the noise of the two runs`} (how it is estimated: docs/live.md).\n`,
  );
  parts.push('\nservice time:\n');
  for (const [s, name] of [
    [a, names[0]],
    [b, names[1]],
  ] as const) {
    const [head, ...rest] = serviceTimeLines(s, name).trimEnd().split(' ');
    parts.push(
      `${wrap(
        `  ${head}`,
        rest.map((w) => ` ${w}`),
        80,
        4,
      ).join('\n')}\n`,
    );
  }
  parts.push('\n');
  parts.push(renderChart(a.podsPerSecond, b.podsPerSecond, names));
  for (const [name, s] of [
    [names[0], a],
    [names[1], b],
  ] as const) {
    parts.push('\n');
    for (const r of s.revisions) parts.push(`${name}: ${r.revision}: ${revisionMoments(r)}\n`);
    if (s.revisions.length === 0) parts.push(`${name}: no revision had pods\n`);
  }
  if (a.coldLatencies.length > 0 || b.coldLatencies.length > 0) {
    parts.push('\ncold-start latencies:\n');
    parts.push(`  ${names[0]}: ${list(a.coldLatencies)}\n`);
    parts.push(`  ${names[1]}: ${list(b.coldLatencies)}\n`);
  }
  parts.push(...decisionSections(a, b, names));
  return { rows, text: parts.join('') };
}

function list(values: readonly number[]): string {
  if (values.length === 0) return '–';
  const shown = values.slice(0, 20).map((v) => formatValue(v, 'ms'));
  return values.length > 20 ? `${shown.join(', ')} … (${values.length} in all)` : shown.join(', ');
}

/** A revision's falls to zero, or how its pods ended when they did not reach zero. */
export function revisionMoments(r: RevisionSummary): string {
  const words = r.scaleToZero.map(
    (z) =>
      `no pods at ${formatValue(z.zeroAt, 'ms')}, ${formatValue(z.afterMs, 'ms')} after the ${z.idleFrom} (draining from ${formatValue(z.drainingAt, 'ms')})`,
  );
  if (r.atEnd === 'draining')
    words.push(
      `draining at the end${r.drainingAt !== null ? ` from ${formatValue(r.drainingAt, 'ms')}` : ''} (the run ended before the last pod was gone)`,
    );
  else if (r.atEnd === 'up')
    words.push(r.scaleToZero.length === 0 ? 'pods up all along, no scale to zero' : 'pods up again at the end');
  return words.join('; ');
}

/**
 * The autoscaler's decisions: each live log's model beside its cluster, then the two runs'
 * deciders against each other (each run's cluster when it has one, else its model).
 */
function decisionSections(a: RunSummary, b: RunSummary, names: [string, string]): string[] {
  const parts: string[] = [];
  const shadows = [
    [a, names[0]],
    [b, names[1]],
  ] as const;
  const withShadow = shadows.filter(([s]) => hasClusterSide(s.decisions));
  if (withShadow.length > 0) {
    parts.push('\nautoscaler decisions, model beside cluster (desired pods; a row at each change):\n');
    for (const [s, name] of withShadow) parts.push(renderShadowTimeline(s.decisions, name));
  }
  if (a.decisions.size > 0 && b.decisions.size > 0) {
    const side = (s: RunSummary, name: string) => (hasClusterSide(s.decisions) ? `${name} cluster` : name);
    const labels: [string, string] = [side(a, names[0]), side(b, names[1])];
    const text = renderRunsTimeline(a.decisions, b.decisions, labels);
    if (text !== '') parts.push(`\nautoscaler decisions, ${labels[0]} vs ${labels[1]}:\n${text}`);
  }
  return parts;
}
