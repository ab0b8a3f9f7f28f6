/**
 * The one keymap: every key the TUI understands, the command it maps to, and how the help line
 * shows it. Key handling and the help line both read this table, so the help is never stale.
 */
import type { Key } from 'ink';
import type { Command } from './model/playback.js';

type NamedKey = 'leftArrow' | 'rightArrow' | 'upArrow' | 'downArrow' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'tab';

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
}

export const KEYMAP: readonly Binding[] = [
  { command: 'play.toggle', keys: [{ input: ' ' }, { input: 'p' }], helpKeys: 'space', label: 'play' },
  { command: 'step.prev', keys: [{ input: ',' }], helpKeys: ',', label: 'step' },
  { command: 'step.next', keys: [{ input: '.' }], helpKeys: '.', label: 'step' },
  { command: 'seek.back', keys: [{ key: 'leftArrow' }], helpKeys: '←', label: '1 s' },
  { command: 'seek.forward', keys: [{ key: 'rightArrow' }], helpKeys: '→', label: '1 s' },
  { command: 'seek.back10', keys: [{ key: 'leftArrow', shift: true }, { input: '[' }], helpKeys: '⇧←', label: '10 s' },
  {
    command: 'seek.forward10',
    keys: [{ key: 'rightArrow', shift: true }, { input: ']' }],
    helpKeys: '⇧→',
    label: '10 s',
  },
  { command: 'seek.backMinute', keys: [{ key: 'pageUp' }, { input: '{' }], helpKeys: 'PgUp', label: '1 min' },
  { command: 'seek.forwardMinute', keys: [{ key: 'pageDown' }, { input: '}' }], helpKeys: 'PgDn', label: '1 min' },
  { command: 'seek.start', keys: [{ key: 'home' }, { input: 'g' }], helpKeys: 'Home', label: 'start/end' },
  { command: 'seek.end', keys: [{ key: 'end' }, { input: 'G' }], helpKeys: 'End', label: 'start/end' },
  { command: 'speed.down', keys: [{ input: '-' }], helpKeys: '-', label: 'speed' },
  { command: 'speed.up', keys: [{ input: '+' }, { input: '=' }], helpKeys: '+', label: 'speed' },
  { command: 'jump.nextNarration', keys: [{ input: 'n' }], helpKeys: 'n', label: 'story' },
  { command: 'jump.prevNarration', keys: [{ input: 'N' }], helpKeys: 'N', label: 'story' },
  { command: 'jump.nextDecision', keys: [{ input: 'd' }], helpKeys: 'd', label: 'decision' },
  { command: 'jump.prevDecision', keys: [{ input: 'D' }], helpKeys: 'D', label: 'decision' },
  { command: 'screen.next', keys: [{ key: 'tab' }], helpKeys: 'Tab/1-3', label: 'screen' },
  { command: 'screen.overview', keys: [{ input: '1' }], helpKeys: '', label: 'screen' },
  { command: 'screen.tables', keys: [{ input: '2' }], helpKeys: '', label: 'screen' },
  { command: 'screen.log', keys: [{ input: '3' }], helpKeys: '', label: 'screen' },
  { command: 'revision.next', keys: [{ input: 'r' }], helpKeys: 'r', label: 'revision' },
  { command: 'revision.prev', keys: [{ input: 'R' }], helpKeys: 'R', label: 'revision' },
  { command: 'chart.zoom', keys: [{ input: 'z' }], helpKeys: 'z', label: 'zoom' },
  { command: 'app.quit', keys: [{ input: 'q' }, { input: 'c', ctrl: true }], helpKeys: 'q', label: 'quit' },
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

/** The help entries packed into lines no wider than `width` (entries separated by two spaces). */
export function helpLines(width: number, keymap: readonly Binding[] = KEYMAP): HelpItem[][] {
  const lines: HelpItem[][] = [];
  let line: HelpItem[] = [];
  let used = 0;
  for (const item of helpItems(keymap)) {
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
