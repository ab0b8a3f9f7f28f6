/**
 * What the viewer is looking at (moment, speed, screen, revision) and how commands change it:
 * a pure reducer over the replay index. The TUI turns keys into commands (keymap.ts) and wall
 * time into `advance` actions; this module decides where that lands.
 */
import type { ReplayIndex } from './replay.js';

export const SCREENS = ['overview', 'tables', 'log'] as const;
export type Screen = (typeof SCREENS)[number];

export const SCREEN_TITLES: Readonly<Record<Screen, string>> = {
  overview: 'Overview',
  tables: 'kubectl',
  log: 'Log',
};

/** Playback speeds: simulated ms per wall ms. `max` is 1000x. */
export const SPEEDS: readonly { readonly factor: number; readonly label: string }[] = [
  { factor: 1, label: '1x' },
  { factor: 2, label: '2x' },
  { factor: 5, label: '5x' },
  { factor: 10, label: '10x' },
  { factor: 50, label: '50x' },
  { factor: 1000, label: 'max' },
];

/** Chart windows: the whole run, then zoomed in around the cursor. */
export const ZOOMS: readonly { readonly spanMs: number; readonly label: string }[] = [
  { spanMs: Number.POSITIVE_INFINITY, label: 'whole run' },
  { spanMs: 10 * 60_000, label: '10 min' },
  { spanMs: 2 * 60_000, label: '2 min' },
];

export type Command =
  | 'play.toggle'
  | 'step.next'
  | 'step.prev'
  | 'seek.back'
  | 'seek.forward'
  | 'seek.back10'
  | 'seek.forward10'
  | 'seek.backMinute'
  | 'seek.forwardMinute'
  | 'seek.start'
  | 'seek.end'
  | 'speed.up'
  | 'speed.down'
  | 'jump.nextNarration'
  | 'jump.prevNarration'
  | 'jump.nextDecision'
  | 'jump.prevDecision'
  | 'screen.next'
  | 'screen.overview'
  | 'screen.tables'
  | 'screen.log'
  | 'revision.next'
  | 'revision.prev'
  | 'chart.zoom'
  | 'scroll.up'
  | 'scroll.down'
  | 'help.toggle'
  | 'help.close'
  | 'app.quit';

export interface ViewState {
  /** Events applied: the moment shown is just after event pos - 1. */
  readonly pos: number;
  /** The run time shown (ms). */
  readonly t: number;
  readonly playing: boolean;
  readonly speedIndex: number;
  readonly screen: Screen;
  readonly revisionIndex: number;
  readonly zoomIndex: number;
  /** Events in the index when last seen (grows while following a live run). */
  readonly known: number;
  /**
   * Lines the screen's scrollable pane is moved from where it rests: down from the top of the
   * requests (overview) and of the pods table (kubectl), back from the newest line of the story
   * (log). Changing screens puts it back.
   */
  readonly scroll: number;
  /** How far the pane can scroll, as the screen last measured it (Infinity before it has). */
  readonly scrollMax: number;
  /** The `?` overlay with every key. */
  readonly help: boolean;
  /**
   * The run is still being simulated (`knsim tui <scenario>`): its end moves on, so playing on
   * reaching it waits for more instead of stopping.
   */
  readonly growing: boolean;
}

export type ViewAction =
  | { readonly type: 'command'; readonly command: Command }
  /**
   * The log grew: events from `previousLength` on are new. A followed live run keeps the live
   * edge when the view was on it; a run being simulated (`keepEdge: false`) keeps the moment.
   */
  | { readonly type: 'grew'; readonly previousLength: number; readonly keepEdge?: boolean }
  /** The run being simulated has ended. */
  | { readonly type: 'complete' }
  /** Wall time passed while playing. */
  | { readonly type: 'advance'; readonly wallMs: number }
  /** The scrollable pane holds only this many lines more than it shows (the screen measured it). */
  | { readonly type: 'scrollLimit'; readonly max: number };

export function initialViewState(overrides: Partial<ViewState> = {}): ViewState {
  return {
    pos: 0,
    t: 0,
    playing: false,
    speedIndex: 0,
    screen: 'overview',
    revisionIndex: 0,
    zoomIndex: 0,
    known: 0,
    scroll: 0,
    scrollMax: Number.POSITIVE_INFINITY,
    help: false,
    growing: false,
    ...overrides,
  };
}

/** The state at run time t, with every event at or before t applied. */
export function seekTo(index: ReplayIndex, state: ViewState, t: number): ViewState {
  const clamped = Math.min(Math.max(0, t), index.endT);
  return { ...state, t: clamped, pos: index.posAt(clamped) };
}

/** The state just after the event at pos - 1 (the moment that event made). */
export function seekToPos(index: ReplayIndex, state: ViewState, pos: number): ViewState {
  return { ...state, pos, t: index.timeOfPos(pos) };
}

function jump(index: ReplayIndex, state: ViewState, pos: number | undefined): ViewState {
  return pos === undefined ? state : { ...seekToPos(index, state, pos), playing: false };
}

function cycle(i: number, n: number, by: number): number {
  return n === 0 ? 0 : (((i + by) % n) + n) % n;
}

export function reduceView(index: ReplayIndex, state: ViewState, action: ViewAction): ViewState {
  if (action.type === 'complete') return { ...state, growing: false };
  if (action.type === 'grew') {
    // Watching the live edge: stay on it. Looking back: stay there.
    const atEdge = action.keepEdge !== false && state.pos >= action.previousLength;
    return atEdge
      ? { ...state, known: index.length, pos: index.length, t: index.endT }
      : { ...state, known: index.length };
  }
  if (action.type === 'scrollLimit') {
    const max = Math.max(0, action.max);
    return state.scrollMax === max && state.scroll <= max
      ? state
      : { ...state, scrollMax: max, scroll: Math.min(state.scroll, max) };
  }
  if (action.type === 'advance') {
    if (!state.playing) return state;
    const factor = SPEEDS[state.speedIndex]?.factor ?? 1;
    const next = seekTo(index, state, state.t + action.wallMs * factor);
    return next.t >= index.endT && !state.growing ? { ...next, playing: false } : next;
  }
  switch (action.command) {
    case 'play.toggle':
      if (state.playing) return { ...state, playing: false };
      // Playing from the end starts over.
      return state.t >= index.endT && state.pos >= index.length && !state.growing
        ? { ...state, pos: 0, t: 0, playing: true }
        : { ...state, playing: true };
    case 'step.next':
      return jump(index, state, index.nextStep(state.pos));
    case 'step.prev':
      return jump(index, state, index.prevStep(state.pos));
    case 'seek.back':
      return seekTo(index, state, state.t - 1000);
    case 'seek.forward':
      return seekTo(index, state, state.t + 1000);
    case 'seek.back10':
      return seekTo(index, state, state.t - 10_000);
    case 'seek.forward10':
      return seekTo(index, state, state.t + 10_000);
    case 'seek.backMinute':
      return seekTo(index, state, state.t - 60_000);
    case 'seek.forwardMinute':
      return seekTo(index, state, state.t + 60_000);
    case 'seek.start':
      return { ...state, pos: 0, t: 0, playing: false };
    case 'seek.end':
      return { ...seekTo(index, state, index.endT), playing: false };
    case 'speed.up':
      return { ...state, speedIndex: Math.min(SPEEDS.length - 1, state.speedIndex + 1) };
    case 'speed.down':
      return { ...state, speedIndex: Math.max(0, state.speedIndex - 1) };
    case 'jump.nextNarration':
      return jump(index, state, index.nextNarration(state.pos));
    case 'jump.prevNarration':
      return jump(index, state, index.prevNarration(state.pos));
    case 'jump.nextDecision':
      return jump(index, state, index.nextDecision(state.pos));
    case 'jump.prevDecision':
      return jump(index, state, index.prevDecision(state.pos));
    case 'screen.next':
      return {
        ...state,
        scroll: 0,
        scrollMax: Number.POSITIVE_INFINITY,
        screen: SCREENS[cycle(SCREENS.indexOf(state.screen), SCREENS.length, 1)]!,
      };
    case 'screen.overview':
      return { ...state, scroll: 0, scrollMax: Number.POSITIVE_INFINITY, screen: 'overview' };
    case 'screen.tables':
      return { ...state, scroll: 0, scrollMax: Number.POSITIVE_INFINITY, screen: 'tables' };
    case 'screen.log':
      return { ...state, scroll: 0, scrollMax: Number.POSITIVE_INFINITY, screen: 'log' };
    case 'scroll.up':
    case 'scroll.down': {
      // The story rests at its newest line (the bottom): up moves away from it; the other panes
      // rest at their top: down moves away.
      const away = (action.command === 'scroll.up') === (state.screen === 'log');
      return { ...state, scroll: Math.min(state.scrollMax, Math.max(0, state.scroll + (away ? 1 : -1))) };
    }
    case 'help.toggle':
      return { ...state, help: !state.help };
    case 'help.close':
      return { ...state, help: false };
    case 'revision.next':
      return { ...state, revisionIndex: cycle(state.revisionIndex, index.revisions.length, 1) };
    case 'revision.prev':
      return { ...state, revisionIndex: cycle(state.revisionIndex, index.revisions.length, -1) };
    case 'chart.zoom':
      return { ...state, zoomIndex: cycle(state.zoomIndex, ZOOMS.length, 1) };
    case 'app.quit':
      return state;
    default: {
      const never: never = action.command;
      return never;
    }
  }
}
