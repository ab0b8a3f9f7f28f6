import { Box, Text } from 'ink';
import { useEffect } from 'react';
import { formatRunTime } from '../../runner/transcript.js';
import type { NarrationEntry } from '../model/replay.js';
import { theme } from '../theme.js';

export interface NarrationPaneProps {
  readonly title: string;
  /** The lines to show, oldest first; the newest is the one just applied. */
  readonly entries: readonly NarrationEntry[];
  readonly height: number;
  /** Show step output under each step (the log screen). */
  readonly showDetail: boolean;
  /** Detail lines kept per entry. */
  readonly detailLimit?: number;
  /** Lines scrolled back from the newest (clamped to what there is to see). */
  readonly scroll?: number;
  /** Hears how many lines the pane can scroll back (0: everything fits). */
  readonly onScrollLimit?: (max: number) => void;
}

/** `01:36.006 ` */
const TIME_WIDTH = 10;

interface Line {
  readonly key: string;
  readonly t?: number;
  readonly text: string;
  readonly tone: keyof typeof theme.tone;
  readonly detail: boolean;
  readonly latest: boolean;
}

/** The story so far: narration lines up to the moment shown, newest at the bottom. */
export function NarrationPane({
  title,
  entries,
  height,
  showDetail,
  detailLimit = 12,
  scroll = 0,
  onScrollLimit,
}: NarrationPaneProps) {
  const lines: Line[] = [];
  entries.forEach((e, i) => {
    const latest = i === entries.length - 1;
    lines.push({ key: `${e.pos}:${i}`, t: e.t, text: e.text, tone: e.tone, detail: false, latest });
    if (showDetail && e.detail) {
      const shown = e.detail.slice(0, detailLimit);
      shown.forEach((d, j) => {
        lines.push({ key: `${e.pos}:${i}:${j}`, text: d, tone: 'info', detail: true, latest: false });
      });
      if (e.detail.length > shown.length) {
        lines.push({
          key: `${e.pos}:${i}:more`,
          text: `… ${e.detail.length - shown.length} more lines`,
          tone: 'info',
          detail: true,
          latest: false,
        });
      }
    }
  });
  const room = Math.max(0, height - 1);
  const limit = Math.max(0, lines.length - room);
  const back = Math.min(scroll, limit);
  const visible = lines.slice(Math.max(0, lines.length - room - back), lines.length - back);
  // biome-ignore lint/correctness/useExhaustiveDependencies: also after each scroll, so one past the end is taken back
  useEffect(() => onScrollLimit?.(limit), [onScrollLimit, limit, scroll]);
  return (
    <Box flexDirection="column" height={height} overflowY="hidden">
      <Text bold color={theme.title} wrap="truncate-end">
        {title}
        {back > 0 && <Text dimColor> ↑ {back} lines back (↓ returns)</Text>}
      </Text>
      {/* Newest at the bottom: lines that do not fit fall off the top. */}
      <Box flexDirection="column" flexGrow={1} justifyContent="flex-end" overflowY="hidden">
        <Box flexDirection="column" flexShrink={0}>
          {visible.length === 0 && <Text dimColor>nothing has happened yet</Text>}
          {visible.map((l) =>
            l.detail ? (
              <Text key={l.key} wrap="truncate-end" dimColor>
                {' '.repeat(TIME_WIDTH)}
                {l.text}
              </Text>
            ) : (
              <Box key={l.key}>
                <Box width={TIME_WIDTH} flexShrink={0}>
                  <Text dimColor>{formatRunTime(l.t ?? 0)}</Text>
                </Box>
                <Text wrap="wrap" bold={l.latest} color={theme.tone[l.tone]}>
                  {l.text}
                </Text>
              </Box>
            ),
          )}
        </Box>
      </Box>
    </Box>
  );
}
