/**
 * The replay screen. It maps keys to commands (keymap.ts), wall time to `advance` actions, and
 * the view state to props for thin, pure components. Every number on screen comes from the
 * replay index (src/tui/model); nothing is decided here.
 */
import { Box, Text, useApp, useInput, useStdin, useStdout } from 'ink';
import { useCallback, useEffect, useMemo, useReducer, useState } from 'react';
import { describeEvent } from '../model/narrate/events.js';
import { formatRunTime } from '../runner/transcript.js';
import { ExplainPane } from './components/ExplainPane.js';
import { Header } from './components/Header.js';
import { HelpBar } from './components/HelpBar.js';
import { HelpOverlay } from './components/HelpOverlay.js';
import { NarrationPane } from './components/NarrationPane.js';
import { RequestsPane } from './components/RequestsPane.js';
import { TablesPane } from './components/TablesPane.js';
import { Timeline } from './components/Timeline.js';
import { TooSmall } from './components/TooSmall.js';
import { commandForKey, helpLines, KEYMAP, keyTable } from './keymap.js';
import { bucketSamples, chartWindow, cursorColumn, type LegendItem, legendLines, timelineRows } from './model/chart.js';
import { MIN_COLUMNS, MIN_ROWS, type ScreenLayout, screenLayout } from './model/layout.js';
import { initialViewState, reduceView, SPEEDS, type ViewState, ZOOMS } from './model/playback.js';
import type { ReplayIndex } from './model/replay.js';
import { fitTables, kubectlTables, podsScrollLimit } from './model/tables.js';
import { theme } from './theme.js';

export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

export interface AppProps {
  readonly index: ReplayIndex;
  readonly initial?: Partial<ViewState>;
  /** A fixed size (tests, one-off renders); otherwise the terminal's, following resizes. */
  readonly size?: TerminalSize;
  /** How often playback advances, in wall ms. */
  readonly tickMs?: number;
  /** Chart bars as coloured background; by default when the terminal has colours. */
  readonly fills?: boolean;
  /**
   * A log still being written: `subscribe` appends new events to the index and then calls
   * `onGrew` with the length before, and `onDone` when the log is complete.
   */
  readonly subscribe?: Subscription;
  /**
   * What is growing: a followed live log (`follow`: the screen keeps the live edge if it was
   * there) or a run being simulated (`simulation`: the screen stays where the viewer is).
   */
  readonly source?: 'follow' | 'simulation';
}

export type Subscription = (
  onGrew: (previousLength: number) => void,
  onError: (error: Error) => void,
  onDone?: () => void,
) => () => void;

/** True when stdout is a colour terminal and NO_COLOR is not set. */
function hasColours(stdout: NodeJS.WriteStream | undefined): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return typeof stdout?.hasColors === 'function' && stdout.hasColors();
}

const DEFAULT_SIZE: TerminalSize = { columns: 80, rows: 24 };
const LABEL_WIDTH = 10;
/** The requests pane's width beside the explanation. */
const REQUESTS_WIDTH = 54;
/** From this width the header also names the backend and seed. */
const WIDE_HEADER = 130;

/** The terminal's size, updated on 'resize'. */
function useTerminalSize(fixed: TerminalSize | undefined): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => ({
    columns: stdout?.columns || DEFAULT_SIZE.columns,
    rows: stdout?.rows || DEFAULT_SIZE.rows,
  });
  const [size, setSize] = useState<TerminalSize>(read);
  useEffect(() => {
    if (fixed || !stdout) return;
    const onResize = (): void => setSize({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [fixed, stdout]);
  return fixed ?? size;
}

export function App({ index, initial, size: fixedSize, tickMs = 50, fills, subscribe, source = 'follow' }: AppProps) {
  const { stdout } = useStdout();
  const colourFills = fills ?? hasColours(stdout);
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const size = useTerminalSize(fixedSize);
  const [state, dispatch] = useReducer(
    (s: ViewState, a: Parameters<typeof reduceView>[2]) => reduceView(index, s, a),
    initial,
    (init) => initialViewState({ known: index.length, ...init }),
  );
  const [followError, setFollowError] = useState<string | undefined>(undefined);

  useEffect(() => {
    if (!subscribe) return;
    return subscribe(
      (previousLength) => dispatch({ type: 'grew', previousLength, keepEdge: source === 'follow' }),
      (error) => setFollowError(error.message),
      () => dispatch({ type: 'complete' }),
    );
  }, [subscribe, source]);

  useInput(
    (input, key) => {
      // Keys typed faster than a read (or sent together) arrive as one string: one command each.
      const presses = input.length > 1 && !key.ctrl && !key.meta ? [...input] : [input];
      for (const press of presses) {
        const command = commandForKey(press, key);
        if (command === 'app.quit') {
          exit();
          return;
        }
        if (command !== undefined) dispatch({ type: 'command', command });
      }
    },
    { isActive: isRawModeSupported === true },
  );

  useEffect(() => {
    if (!state.playing) return;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      dispatch({ type: 'advance', wallMs: now - last });
      last = now;
    }, tickMs);
    return () => clearInterval(timer);
  }, [state.playing, tickMs]);

  // Short terminals keep one line of keys (ending with `? help`); the overlay has them all.
  const help = useMemo(() => helpLines(size.columns, KEYMAP, size.rows < 30 ? 1 : 2), [size.columns, size.rows]);
  const legend = useMemo(() => legendLines(size.columns), [size.columns]);
  const keys = useMemo(() => keyTable(), []);
  const onScrollLimit = useCallback((max: number) => dispatch({ type: 'scrollLimit', max }), []);
  const layout = screenLayout(
    size.columns,
    size.rows,
    help.length + (followError !== undefined ? 1 : 0),
    legend.length,
  );
  if (layout.tooSmall) {
    return <TooSmall columns={size.columns} rows={size.rows} minColumns={MIN_COLUMNS} minRows={MIN_ROWS} />;
  }
  const revision = index.revisions[state.revisionIndex];
  return (
    <Box flexDirection="column" width={layout.columns} height={layout.rows}>
      <Header
        scenario={index.header.scenario}
        backend={index.header.backend}
        seed={index.header.seed}
        showRunInfo={size.columns >= WIDE_HEADER}
        compactTabs={size.columns < 100}
        t={state.t}
        endT={index.endT}
        playing={state.playing}
        speed={SPEEDS[state.speedIndex]?.label ?? '1x'}
        screen={state.screen}
        revision={revision}
        revisionNumber={state.revisionIndex + 1}
        revisionCount={index.revisions.length}
        live={subscribe !== undefined && source === 'follow'}
        simulating={source === 'simulation' && state.growing}
      />
      <Box flexDirection="column" height={layout.body} overflowY="hidden">
        {state.help && <HelpOverlay rows={keys} height={layout.body} />}
        {!state.help && state.screen === 'overview' && (
          <Overview
            index={index}
            state={state}
            layout={layout}
            revision={revision}
            fills={colourFills}
            legend={legend}
            onScrollLimit={onScrollLimit}
          />
        )}
        {!state.help && state.screen === 'tables' && (
          <Tables
            index={index}
            pos={state.pos}
            t={state.t}
            height={layout.body}
            scroll={state.scroll}
            onScrollLimit={onScrollLimit}
          />
        )}
        {!state.help && state.screen === 'log' && (
          <NarrationPane
            title={`Event log: ${index.narrationCount(state.pos)} of ${index.narration.length} lines so far${lastEvent(index, state.pos)}`}
            entries={index.narrationUpTo(state.pos, layout.body + state.scroll)}
            height={layout.body}
            showDetail
            scroll={state.scroll}
            onScrollLimit={onScrollLimit}
          />
        )}
      </Box>
      {followError !== undefined && (
        <Text color={theme.status.bad} wrap="truncate-end">
          {source === 'simulation' ? 'the simulation stopped' : 'following the log stopped'}: {followError}
        </Text>
      )}
      <HelpBar lines={help} />
    </Box>
  );
}

interface TablesProps {
  readonly index: ReplayIndex;
  readonly pos: number;
  readonly t: number;
  readonly height: number;
  /** Rows the pods table is scrolled down. */
  readonly scroll: number;
  readonly onScrollLimit: (max: number) => void;
}

/** The kubectl screen; rebuilt when the moment changes by a whole second (AGE's resolution) or events apply. */
function Tables({ index, pos, t, height, scroll, onScrollLimit }: TablesProps) {
  const second = Math.floor(t / 1000) * 1000;
  const all = useMemo(() => kubectlTables(index, pos, second), [index, pos, second]);
  const limit = useMemo(() => podsScrollLimit(all, height), [all, height]);
  const tables = useMemo(() => fitTables(all, height, Math.min(scroll, limit)), [all, height, scroll, limit]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: also after each scroll, so one past the end is taken back
  useEffect(() => onScrollLimit(limit), [onScrollLimit, limit, scroll]);
  return <TablesPane tables={tables} height={height} />;
}

/** ` · event 123/224: kpa.tick knservice-00001`: what the last step applied. */
function lastEvent(index: ReplayIndex, pos: number): string {
  const e = pos > 0 ? index.events[pos - 1] : undefined;
  return e ? ` · event ${pos}/${index.length}: ${describeEvent(e)}` : '';
}

interface OverviewProps {
  readonly index: ReplayIndex;
  readonly state: ViewState;
  readonly layout: ScreenLayout;
  readonly revision: string | undefined;
  readonly fills: boolean;
  readonly legend: readonly (readonly LegendItem[])[];
  readonly onScrollLimit: (max: number) => void;
}

function Overview({ index, state, layout, revision, fills, legend, onScrollLimit }: OverviewProps) {
  const o = layout.overview;
  const width = Math.max(1, layout.columns - LABEL_WIDTH);
  const zoom = ZOOMS[state.zoomIndex] ?? ZOOMS[0]!;
  const window = chartWindow(index.endT, state.t, zoom.spanMs);
  // Zoomed out, the columns do not move with the cursor: bucket once per window and width.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `known` changes when a followed log grows (the index grows in place)
  const columns = useMemo(
    () =>
      revision
        ? bucketSamples(index.samples(revision), window.from, window.to, width, index.sampleTimes(revision))
        : bucketSamples([], window.from, window.to, width),
    [index, state.known, revision, window.from, window.to, width],
  );
  const rows = timelineRows(columns, {
    podRows: o.podRows,
    loadRows: o.loadRows,
    cursorColumn: cursorColumn(window.from, window.to, width, state.t),
  });
  const requests = (
    <RequestsPane
      revision={revision}
      sample={revision ? index.latestSample(revision, state.pos) : undefined}
      stats={index.requestStats(state.pos)}
      height={o.requestsHeight}
      scroll={state.scroll}
      onScrollLimit={onScrollLimit}
    />
  );
  const explain = (
    <ExplainPane
      revision={revision}
      tick={revision ? index.latestTick(revision, state.pos) : undefined}
      t={state.t}
      height={o.explainHeight}
    />
  );
  return (
    <Box flexDirection="column">
      <Box height={o.chartHeight} overflowY="hidden">
        <Timeline
          rows={rows}
          labelWidth={LABEL_WIDTH}
          fromLabel={formatRunTime(window.from)}
          toLabel={formatRunTime(window.to)}
          zoomLabel={window.from === 0 && window.to >= index.endT ? 'whole run' : zoom.label}
          revision={revision}
          fills={fills}
          legend={legend}
        />
      </Box>
      {o.sideBySide ? (
        <Box height={o.requestsHeight}>
          <Box width={REQUESTS_WIDTH} flexShrink={0} marginRight={2}>
            {requests}
          </Box>
          <Box flexGrow={1} flexShrink={1}>
            {explain}
          </Box>
        </Box>
      ) : (
        <>
          {requests}
          {explain}
        </>
      )}
      {o.narrationHeight > 1 && (
        <NarrationPane
          title={`What happened${lastEvent(index, state.pos)}`}
          entries={index.narrationUpTo(state.pos, o.narrationHeight)}
          height={o.narrationHeight}
          showDetail={false}
        />
      )}
    </Box>
  );
}
