import { Box, Text } from 'ink';
import type { KpaTickEvent } from '../../model/events.js';
import { formatRunTime, formatSeconds } from '../../runner/transcript.js';
import { theme } from '../theme.js';

export interface ExplainPaneProps {
  readonly revision: string | undefined;
  /** The revision's latest autoscaler tick at this moment. */
  readonly tick: KpaTickEvent | undefined;
  readonly t: number;
  readonly height: number;
}

/**
 * Both decisions of a live tick (the model's shadow and the cluster's autoscaler), in one line,
 * as the log has them: `model 3 · cluster 2 pods: differ by +1 (ready pods)`.
 */
export function bothDecisions(tick: KpaTickEvent): { text: string; tone: 'ok' | 'warn' | undefined } | undefined {
  const c = tick.comparison;
  if (!c) return undefined;
  const cell = (n: number | null) => (n === null ? '–' : String(n));
  const model = c.modelPods ?? (tick.decision.valid === true ? Number(tick.decision.desiredPodCount) : null);
  const head = `model ${cell(model)} · cluster ${cell(c.clusterPods)} pods`;
  if (c.agree === true) return { text: `${head}: agree`, tone: 'ok' };
  if (c.agree === false) {
    const by = c.delta === null ? '' : ` by ${c.delta > 0 ? '+' : ''}${c.delta}`;
    const inputs = [...new Set(c.because.map((b) => b.input))].join(', ');
    return { text: `${head}: differ${by}${inputs ? ` (${inputs})` : ''}`, tone: 'warn' };
  }
  return { text: `${head}: not compared (${c.because[0]?.input ?? 'scrape gap'})`, tone: undefined };
}

/** Why the autoscaler decided what it did: the explanation lines of its latest tick. */
export function ExplainPane({ revision, tick, t, height }: ExplainPaneProps) {
  const lines = tick?.explain ?? [];
  const both = tick ? bothDecisions(tick) : undefined;
  return (
    <Box flexDirection="column" height={height} overflowY="hidden">
      <Box flexDirection="column" flexShrink={0}>
        <Text wrap="truncate-end">
          <Text bold color={theme.title}>
            Why
          </Text>
          <Text dimColor>
            {' '}
            {tick
              ? `autoscaler at ${formatRunTime(tick.t)} (${formatSeconds(t - tick.t)} ago)`
              : `no autoscaler tick yet${revision ? '' : ' (no revision)'}`}
          </Text>
        </Text>
        {both && (
          <Text wrap="wrap" bold color={both.tone ? theme.status[both.tone] : undefined}>
            {both.text}
          </Text>
        )}
        {lines.map((line, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: explanation lines are positional
          <Text key={i} wrap="wrap">
            <Text color={theme.accent}>› </Text>
            {line}
          </Text>
        ))}
        {tick && lines.length === 0 && <Text dimColor>this tick carries no explanation</Text>}
      </Box>
    </Box>
  );
}
