/**
 * The one keymap: every key the TUI understands, the command it maps to, and how the help line
 * shows it. Key handling and the help line both read this table, so the help is never stale.
 */
import type { Key } from 'ink';
import type { Command } from './model/playback.js';

type NamedKey =
  | 'leftArrow'
  | 'rightArrow'
  | 'upArrow'
  | 'downArrow'
  | 'pageUp'
  | 'pageDown'
  | 'home'
  | 'end'
  | 'tab'
  | 'escape';

export interface KeySpec {
  /** A printable character, as ink reports it in `input`. */
  readonly input?: string;
  /** A named key. */
  readonly key?: NamedKey;
  readonly shift?: boolean;
  readonly ctrl?: boolean;
}

export interface Binding {
  readonly command: Command;
  readonly keys: readonly KeySpec[];
  /** How the help line names the keys (e.g. `←`); empty when a neighbour's entry already names them. */
  readonly helpKeys: string;
  /** What the keys do; neighbouring bindings with the same label share one help entry. */
  readonly label: string;
  /** What the keys do in whole words, for the `?` overlay (on the first binding of a label group). */
  readonly description?: string;
}

export const KEYMAP: readonly Binding[] = [
  {
    command: 'play.toggle',
    keys: [{ input: ' ' }, { input: 'p' }],
    helpKeys: 'space',
    label: 'play',
    description: 'play / pause (at the end: play from the start)',
  },
  {
    command: 'step.prev',
    keys: [{ input: ',' }],
    helpKeys: ',',
    label: 'step',
    description: 'step to the previous / next event (per-second samples are skipped)',
  },
  { command: 'step.next', keys: [{ input: '.' }], helpKeys: '.', label: 'step' },
  {
    command: 'seek.back',
    keys: [{ key: 'leftArrow' }],
    helpKeys: '←',
    label: '1 s',
    description: '1 second back / forward',
  },
  { command: 'seek.forward', keys: [{ key: 'rightArrow' }], helpKeys: '→', label: '1 s' },
  {
    command: 'seek.back10',
    keys: [{ key: 'leftArrow', shift: true }, { input: '[' }],
    helpKeys: '⇧←',
    label: '10 s',
    description: '10 seconds back / forward',
  },
  {
    command: 'seek.forward10',
    keys: [{ key: 'rightArrow', shift: true }, { input: ']' }],
    helpKeys: '⇧→',
    label: '10 s',
  },
  {
    command: 'seek.backMinute',
    keys: [{ key: 'pageUp' }, { input: '{' }],
    helpKeys: 'PgUp',
    label: '1 min',
    description: '1 minute back / forward',
  },
  { command: 'seek.forwardMinute', keys: [{ key: 'pageDown' }, { input: '}' }], helpKeys: 'PgDn', label: '1 min' },
  {
    command: 'seek.start',
    keys: [{ key: 'home' }, { input: 'g' }],
    helpKeys: 'Home',
    label: 'start/end',
    description: 'the start / the end of the run',
  },
  { command: 'seek.end', keys: [{ key: 'end' }, { input: 'G' }], helpKeys: 'End', label: 'start/end' },
  {
    command: 'speed.down',
    keys: [{ input: '-' }],
    helpKeys: '-',
    label: 'speed',
    description: 'slower / faster: 1x, 2x, 5x, 10x, 50x, max (1000x)',
  },
  { command: 'speed.up', keys: [{ input: '+' }, { input: '=' }], helpKeys: '+', label: 'speed' },
  {
    command: 'jump.nextNarration',
    keys: [{ input: 'n' }],
    helpKeys: 'n',
    label: 'story',
    description: 'the next / previous line of the story',
  },
  { command: 'jump.prevNarration', keys: [{ input: 'N' }], helpKeys: 'N', label: 'story' },
  {
    command: 'jump.nextDecision',
    keys: [{ input: 'd' }],
    helpKeys: 'd',
    label: 'decision',
    description: 'the next / previous autoscaler decision (a tick that changed something, or a scale)',
  },
  { command: 'jump.prevDecision', keys: [{ input: 'D' }], helpKeys: 'D', label: 'decision' },
  {
    command: 'scroll.up',
    keys: [{ key: 'upArrow' }, { input: 'k' }],
    helpKeys: '↑',
    label: 'scroll',
    description: 'scroll the requests (overview), the pods (kubectl) or the story (log)',
  },
  { command: 'scroll.down', keys: [{ key: 'downArrow' }, { input: 'j' }], helpKeys: '↓', label: 'scroll' },
  {
    command: 'screen.next',
    keys: [{ key: 'tab' }],
    helpKeys: 'Tab/1-3',
    label: 'screen',
    description: 'the next screen; the overview, kubectl and log screens',
  },
  { command: 'screen.overview', keys: [{ input: '1' }], helpKeys: '', label: 'screen' },
  { command: 'screen.tables', keys: [{ input: '2' }], helpKeys: '', label: 'screen' },
  { command: 'screen.log', keys: [{ input: '3' }], helpKeys: '', label: 'screen' },
  {
    command: 'revision.next',
    keys: [{ input: 'r' }],
    helpKeys: 'r',
    label: 'revision',
    description: 'the next / previous revision',
  },
  { command: 'revision.prev', keys: [{ input: 'R' }], helpKeys: 'R', label: 'revision' },
  {
    command: 'chart.zoom',
    keys: [{ input: 'z' }],
    helpKeys: 'z',
    label: 'zoom',
    description: 'chart zoom: the whole run, 10 minutes, 2 minutes around the moment',
  },
  {
    command: 'help.toggle',
    keys: [{ input: '?' }],
    helpKeys: '?',
    label: 'help',
    description: 'this help (Esc or ? closes it)',
  },
  { command: 'help.close', keys: [{ key: 'escape' }], helpKeys: '', label: 'help' },
  {
    command: 'app.quit',
    keys: [{ input: 'q' }, { input: 'c', ctrl: true }],
    helpKeys: 'q',
    label: 'quit',
    description: 'quit',
  },
];

/** The subset of ink's Key this module reads. */
export type KeyState = Partial<Pick<Key, NamedKey | 'shift' | 'ctrl' | 'meta'>>;

function matches(spec: KeySpec, input: string, key: KeyState): boolean {
  if ((spec.ctrl ?? false) !== (key.ctrl ?? false)) return false;
  if (spec.key !== undefined) return key[spec.key] === true && (spec.shift ?? false) === (key.shift ?? false);
  return spec.input === input;
}

/** The command a key press maps to, if any. */
export function commandForKey(input: string, key: KeyState, keymap: readonly Binding[] = KEYMAP): Command | undefined {
  for (const binding of keymap) {
    if (binding.keys.some((spec) => matches(spec, input, key))) return binding.command;
  }
  return undefined;
}

export interface HelpItem {
  readonly keys: string;
  readonly label: string;
}

/** The help entries: neighbouring bindings with the same label merged (`←/→ 1 s`). */
export function helpItems(keymap: readonly Binding[] = KEYMAP): HelpItem[] {
  const items: { keys: string[]; label: string }[] = [];
  for (const b of keymap) {
    const last = items.at(-1);
    const keys = b.helpKeys === '' ? [] : [b.helpKeys];
    if (last && last.label === b.label) last.keys.push(...keys);
    else items.push({ keys, label: b.label });
  }
  return items.map((i) => ({ keys: i.keys.join('/'), label: i.label }));
}

/**
 * The help entries packed into lines no wider than `width` (entries separated by two spaces), at
 * most `maxLines` of them: when they do not all fit, the last line ends with `? help`, which
 * shows them all.
 */
export function helpLines(
  width: number,
  keymap: readonly Binding[] = KEYMAP,
  maxLines = Number.POSITIVE_INFINITY,
): HelpItem[][] {
  const all = packHelp(width, helpItems(keymap));
  if (all.length <= maxLines) return all;
  const more: HelpItem = { keys: '?', label: 'help' };
  const items = helpItems(keymap).filter((i) => i.keys !== '?');
  // Drop entries from the end until the lines, with `? help` last, fit.
  for (let n = items.length; n > 0; n--) {
    const lines = packHelp(width, [...items.slice(0, n), more]);
    if (lines.length <= maxLines) return lines;
  }
  return [[more]];
}

function packHelp(width: number, items: readonly HelpItem[]): HelpItem[][] {
  const lines: HelpItem[][] = [];
  let line: HelpItem[] = [];
  let used = 0;
  for (const item of items) {
    const w = item.keys.length + 1 + item.label.length;
    const needed = line.length === 0 ? w : used + 2 + w;
    if (line.length > 0 && needed > width) {
      lines.push(line);
      line = [item];
      used = w;
    } else {
      line.push(item);
      used = needed;
    }
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

const KEY_NAMES: Readonly<Record<NamedKey, string>> = {
  leftArrow: '←',
  rightArrow: '→',
  upArrow: '↑',
  downArrow: '↓',
  pageUp: 'PgUp',
  pageDown: 'PgDn',
  home: 'Home',
  end: 'End',
  tab: 'Tab',
  escape: 'Esc',
};

/** A key as the help names it: `space`, `⇧←`, `Ctrl-C`, `?`. */
export function keyName(spec: KeySpec): string {
  const base = spec.key !== undefined ? KEY_NAMES[spec.key] : spec.input === ' ' ? 'space' : (spec.input ?? '');
  const named = spec.ctrl ? `Ctrl-${base.toUpperCase()}` : base;
  return spec.shift ? `⇧${named}` : named;
}

export interface KeyRow {
  /** `⇧← / ⇧→ (or [ / ])`: each binding's first key, then the others. */
  readonly keys: string;
  readonly description: string;
}

/** The `?` overlay's rows: one per label group of the keymap, every key named. */
export function keyTable(keymap: readonly Binding[] = KEYMAP): KeyRow[] {
  const groups: Binding[][] = [];
  for (const b of keymap) {
    const last = groups.at(-1);
    if (last && last[0]!.label === b.label) last.push(b);
    else groups.push([b]);
  }
  return groups.map((g) => {
    const first = g.map((b) => keyName(b.keys[0]!)).join(' / ');
    const others = g.flatMap((b) => b.keys.slice(1).map(keyName));
    return {
      keys: others.length > 0 ? `${first} (or ${others.join(' / ')})` : first,
      description: g[0]!.description ?? g[0]!.label,
    };
  });
}
