/**
 * How the screen is divided at a terminal size: pure arithmetic so the sizes are tested and the
 * components only draw into the boxes they are given. Ink redraws in place only while the frame
 * is shorter than the terminal, so the frame uses rows - 1 lines.
 */

export const MIN_COLUMNS = 60;
export const MIN_ROWS = 15;

export interface OverviewLayout {
  readonly chartHeight: number;
  /** Lines of the legend under the chart's title. */
  readonly legendRows: number;
  readonly podRows: number;
  readonly loadRows: number;
  /** Requests and explanation side by side (wide terminals) or stacked. */
  readonly sideBySide: boolean;
  readonly requestsHeight: number;
  readonly explainHeight: number;
  readonly narrationHeight: number;
}

export interface ScreenLayout {
  readonly tooSmall: boolean;
  readonly columns: number;
  /** Lines the frame may use. */
  readonly rows: number;
  readonly helpRows: number;
  /** Lines between the header and the help. */
  readonly body: number;
  readonly overview: OverviewLayout;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** Fixed chart lines besides the pod and load rows and the legend: title, panic, activator, cursor. */
const CHART_CHROME = 4;

/**
 * `helpRows`: lines of the key help at the bottom; `legendRows`: lines of the chart's legend
 * (under its title).
 */
export function screenLayout(columns: number, terminalRows: number, helpRows: number, legendRows = 0): ScreenLayout {
  const rows = Math.max(1, terminalRows - 1);
  const tooSmall = columns < MIN_COLUMNS || terminalRows < MIN_ROWS;
  const body = Math.max(0, rows - 1 - helpRows);
  const chrome = CHART_CHROME + legendRows;
  // The chart first (at least its chrome, 2 pod rows and 1 load row), then requests, then why,
  // then the story: small terminals lose the story first.
  const chartHeight = Math.min(Math.max(chrome + 3, body), clamp(Math.round(body * 0.42), chrome + 3, 28 + legendRows));
  const plot = Math.max(3, chartHeight - chrome);
  const podRows = Math.max(2, Math.round(plot * 0.6));
  const loadRows = Math.max(1, plot - podRows);
  const rest = Math.max(0, body - chartHeight);
  const sideBySide = columns >= 100;
  let requestsHeight: number;
  let explainHeight: number;
  if (sideBySide) {
    requestsHeight = Math.min(rest, clamp(Math.round(rest * 0.45), 6, 10));
    explainHeight = requestsHeight;
  } else {
    requestsHeight = Math.min(rest, 5);
    const left = rest - requestsHeight;
    // The story needs 3 lines to be worth showing; below that, why takes them.
    explainHeight = left - 3 >= 3 ? Math.min(8, left - 3) : left;
  }
  const narrationHeight = Math.max(0, rest - requestsHeight - (sideBySide ? 0 : explainHeight));
  return {
    tooSmall,
    columns,
    rows,
    helpRows,
    body,
    overview: {
      chartHeight,
      legendRows,
      podRows,
      loadRows,
      sideBySide,
      requestsHeight,
      explainHeight,
      narrationHeight,
    },
  };
}
