import { Box, Text } from 'ink';
import { formatRunTime } from '../../runner/transcript.js';
import { SCREEN_TITLES, SCREENS, type Screen } from '../model/playback.js';
import { theme } from '../theme.js';

export interface HeaderProps {
  readonly scenario: string;
  readonly backend: string;
  readonly seed: number;
  /** Name the backend and seed too (wide terminals). */
  readonly showRunInfo: boolean;
  /** Name only the current screen; the others by number (narrow terminals). */
  readonly compactTabs: boolean;
  readonly t: number;
  readonly endT: number;
  readonly playing: boolean;
  readonly speed: string;
  readonly screen: Screen;
  readonly revision: string | undefined;
  readonly revisionNumber: number;
  readonly revisionCount: number;
  /** Following a log that is still being written. */
  readonly live: boolean;
  /** The run is still being simulated: the end shown moves on. */
  readonly simulating?: boolean;
}

/** One line: what is shown, when, how fast, and which screen. */
export function Header(props: HeaderProps) {
  return (
    <Box height={1} overflowY="hidden">
      <Box flexGrow={1} flexShrink={1}>
        <Text wrap="truncate-end">
          <Text bold color={theme.title}>
            knsim
          </Text>{' '}
          {props.scenario}
          {props.showRunInfo ? <Text dimColor>{` (${props.backend}, seed ${props.seed})`}</Text> : ''}{' '}
          <Text bold>{formatRunTime(props.t)}</Text>
          <Text dimColor>/{formatRunTime(props.endT)}</Text>{' '}
          <Text color={props.playing ? theme.status.ok : theme.status.warn}>
            {props.playing ? '▶' : '⏸'} {props.speed}
          </Text>
          {props.live ? <Text color={theme.status.bad}> ● live</Text> : ''}
          {props.simulating ? <Text color={theme.status.warn}> ⟳ simulating</Text> : ''}
          {props.revision !== undefined ? ` ${props.revision}` : ''}
          {props.revisionCount > 1 ? <Text dimColor>{` (${props.revisionNumber}/${props.revisionCount})`}</Text> : ''}
        </Text>
      </Box>
      <Box flexShrink={0}>
        <Text>
          {SCREENS.map((s, i) =>
            s === props.screen ? (
              <Text key={s} bold inverse color={theme.accent}>{` ${i + 1} ${SCREEN_TITLES[s]} `}</Text>
            ) : (
              <Text key={s} dimColor>
                {props.compactTabs ? ` ${i + 1}` : ` ${i + 1} ${SCREEN_TITLES[s]} `}
              </Text>
            ),
          )}
        </Text>
      </Box>
    </Box>
  );
}
