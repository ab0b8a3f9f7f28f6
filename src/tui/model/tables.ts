/**
 * The kubectl tables at a moment of the replay: objects from the index, text from the model's
 * `renderKubectlGet` (kubectl's exact layout, AGE relative to the moment shown), cut to fit.
 */
import { renderKubectlGet } from '../../model/rules/tables.js';
import type { ReplayIndex } from './replay.js';

export interface KubectlTable {
  /** The command a user would type: `kubectl get pods`. */
  readonly command: string;
  readonly lines: readonly string[];
  /** Rows left out to fit the screen (0 when all are shown). */
  readonly hidden: number;
  /** What the rows are called in the "… and N more" line. */
  readonly noun: string;
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
    const text = renderKubectlGet(resource, index.objectsOfKind(pos, kind), options);
    return { command: `kubectl get ${resource}`, lines: text.replace(/\n$/, '').split('\n'), hidden: 0, noun };
  });
}

/** Lines a table takes on screen: its command, its lines, a "… more" line when cut. */
export function tableHeight(table: KubectlTable): number {
  return 1 + table.lines.length + (table.hidden > 0 ? 1 : 0);
}

/**
 * Cut the longest tables (keeping the header and at least one row) until the tables, with one
 * blank line between them, fit in `maxLines`.
 */
export function fitTables(tables: readonly KubectlTable[], maxLines: number): KubectlTable[] {
  const out = tables.map((t) => ({ ...t }));
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
