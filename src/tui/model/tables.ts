/**
 * The kubectl tables at a moment of the replay: objects from the index, text from the model's
 * `renderKubectlGet` (kubectl's exact layout, AGE relative to the moment shown), cut to fit.
 */
import type { KubeObject, Pod } from '../../model/api/types.js';
import { renderKubectlGet, summarizePod } from '../../model/rules/tables.js';
import type { ReplayIndex } from './replay.js';

export interface KubectlTable {
  /** The command a user would type: `kubectl get pods`. */
  readonly command: string;
  readonly lines: readonly string[];
  /** Rows left out below to fit the screen (0 when all are shown). */
  readonly hidden: number;
  /** Rows scrolled away above (the pods table scrolls). */
  readonly above?: number;
  /** What the rows are called in the "… and N more" line. */
  readonly noun: string;
  /** For pods: how many there are in each STATUS (`3 Running, 180 ContainerCreating`). */
  readonly summary?: string;
}

/** Pods counted by the STATUS kubectl shows, most common first (ties by name). */
export function podStatusSummary(pods: readonly KubeObject[]): string {
  const counts = new Map<string, number>();
  for (const p of pods) {
    const status = summarizePod(p as Pod).status;
    counts.set(status, (counts.get(status) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
}

const TABLES: readonly { resource: string; kind: string; noun: string }[] = [
  { resource: 'ksvc', kind: 'Service', noun: 'services' },
  { resource: 'revisions', kind: 'Revision', noun: 'revisions' },
  { resource: 'pods', kind: 'Pod', noun: 'pods' },
  { resource: 'kpa', kind: 'PodAutoscaler', noun: 'autoscalers' },
];

/** `kubectl get ksvc / revisions / pods / kpa` in the log's namespace at position pos, time t. */
export function kubectlTables(index: ReplayIndex, pos: number, t: number): KubectlTable[] {
  const options = { nowMs: index.modelNow(t), namespace: index.header.namespace };
  return TABLES.map(({ resource, kind, noun }) => {
    const objects = index.objectsOfKind(pos, kind);
    const text = renderKubectlGet(resource, objects, options);
    const lines = text.replace(/\n$/, '').split('\n');
    const summary = kind === 'Pod' && objects.length > 0 ? { summary: podStatusSummary(objects) } : {};
    return { command: `kubectl get ${resource}`, lines, hidden: 0, noun, ...summary };
  });
}

/** Lines a table takes on screen: its command, its lines, a "… more" line when cut. */
export function tableHeight(table: KubectlTable): number {
  return 1 + table.lines.length + (table.hidden > 0 || (table.above ?? 0) > 0 ? 1 : 0);
}

/**
 * Cut the longest tables (keeping the header and at least one row) until the tables, with one
 * blank line between them, fit in `maxLines`. The pods table starts `scroll` rows down (at most
 * its last row).
 */
export function fitTables(tables: readonly KubectlTable[], maxLines: number, scroll = 0): KubectlTable[] {
  const out = tables.map((t) => {
    if (t.noun !== 'pods' || scroll <= 0 || t.lines.length <= 2) return { ...t };
    const above = Math.min(scroll, t.lines.length - 2);
    return { ...t, lines: [t.lines[0]!, ...t.lines.slice(1 + above)], above };
  });
  const total = (): number => out.reduce((n, t) => n + tableHeight(t), 0) + Math.max(0, out.length - 1);
  let excess = total() - maxLines;
  while (excess > 0) {
    let longest = -1;
    for (let i = 0; i < out.length; i++) {
      if (out[i]!.lines.length > 2 && (longest < 0 || out[i]!.lines.length > out[longest]!.lines.length)) longest = i;
    }
    if (longest < 0) break;
    const table = out[longest]!;
    const removable = table.lines.length - 2;
    // Cutting the first row also adds the "… more" line.
    const cut = Math.min(removable, excess + (table.hidden === 0 ? 1 : 0));
    out[longest] = { ...table, lines: table.lines.slice(0, table.lines.length - cut), hidden: table.hidden + cut };
    excess = total() - maxLines;
  }
  return out;
}

/** How far the pods table can scroll: the rows cut from it when it starts at its top. */
export function podsScrollLimit(tables: readonly KubectlTable[], maxLines: number): number {
  return fitTables(tables, maxLines).find((t) => t.noun === 'pods')?.hidden ?? 0;
}
