/**
 * Plain-English explanations of a decider tick and a scale step, for the event log and the TUI.
 * Averages are shown with 1 decimal, pod counts as integers, durations in seconds.
 */

import type { DecisionRecord } from './decider.js';
import { formatGoDuration } from './duration.js';
import { formatAverage, formatCompact, formatSeconds, pods } from './format.js';
import type { ScaleDecision } from './scaler.js';

/** Whether a scale-to-zero step changes anything: the deployment may already be at 0. */
function toZero(s: ScaleDecision): string {
  return s.apply ? 'scaling to 0' : 'staying at 0';
}

/** Explains one decider tick, and optionally the KPA scale step that followed. */
export function explainDecision(record: DecisionRecord, scale?: ScaleDecision): string[] {
  const lines = record.valid ? explainValid(record) : explainInvalid(record);
  if (scale !== undefined) lines.push(...explainScale(scale));
  return lines;
}

function explainInvalid(r: DecisionRecord): string[] {
  return [`no decision: ${r.invalidReason ?? 'no data'}, so the previous decision stays`];
}

function windowLabel(ms: number): string {
  return `${formatCompact(ms / 1000)}-second average`;
}

function explainValid(r: DecisionRecord): string[] {
  const lines: string[] = [];
  const stable = r.observedStable ?? 0;
  const panic = r.observedPanic ?? 0;
  const dspc = r.desiredStable ?? 0;
  const dppc = r.desiredPanic ?? 0;
  const stableCount = r.stableCount ?? 0;
  const panicCount = r.panicCount ?? 0;
  const unit = r.metric === 'rps' ? ' rps' : '';

  lines.push(`stable: ${windowLabel(r.stableWindowMs)} ${formatAverage(stable)}${unit} needs ${pods(dspc)}`);
  const readyText =
    r.readyPods === r.readyPodsForRates ? pods(r.readyPods, 'ready pod') : `1 pod (${r.readyPods} ready, counted as 1)`;
  const comparison = r.overPanicThreshold ? 'which is at least' : 'which is below';
  lines.push(
    `panic: ${windowLabel(r.panicWindowMs)} ${formatAverage(panic)}${unit} needs ${pods(dppc)}, ${comparison} ${formatCompact(r.panicThreshold)} x ${readyText}`,
  );

  // Rate limits: a raw want outside [maxScaleDown, maxScaleUp] was clamped.
  const rateNote = (raw: number): string | undefined => {
    if (raw > r.maxScaleUp) {
      return `scale-up limited to ${r.maxScaleUp} by max-scale-up-rate ${formatCompact(r.maxScaleUpRate)}`;
    }
    if (raw < r.maxScaleDown) {
      return `scale-down limited to ${r.maxScaleDown} by max-scale-down-rate ${formatCompact(r.maxScaleDownRate)}`;
    }
    return undefined;
  };
  for (const note of new Set([rateNote(dspc), r.panicking ? rateNote(dppc) : undefined])) {
    if (note !== undefined) lines.push(note);
  }
  if (!r.reachable) lines.push('unreachable: no scale-down rate limit and no scale-down delay');

  if (r.activationScaleApplied) {
    lines.push(`activation-scale ${r.activationScale} lifts the non-zero want to ${pods(r.activationScale)}`);
  }

  if (r.panicEntered) {
    lines.push(`entering panic mode: no scale-down until a ${formatSeconds(r.stableWindowMs)} stable window passes`);
  } else if (r.panicExtended) {
    lines.push('panic extended: still over the threshold');
  } else if (r.panicExited) {
    lines.push(`leaving panic mode: a stable window (${formatSeconds(r.stableWindowMs)}) passed since the last panic`);
  }
  if (r.panicking) {
    const want = Math.max(stableCount, panicCount);
    if (r.maxPanicPods > want) {
      lines.push(`panicking: no scale-down, holding the panic maximum of ${pods(r.maxPanicPods)} (wants ${want})`);
    } else {
      lines.push(`panicking: the larger of stable and panic, ${pods(want)}`);
    }
  }

  if (r.delayed !== null && r.undelayed !== null && r.delayed !== r.undelayed) {
    lines.push(
      `scale-down delay ${formatGoDuration(r.scaleDownDelayMs)} holds ${pods(r.delayed)} (would be ${r.undelayed})`,
    );
  }

  lines.push(`decision: ${pods(r.desiredPodCount)}`);
  lines.push(explainExcessBurstCapacity(r));
  return lines;
}

/** The EBC line: its formula and what it means for the activator. */
function explainExcessBurstCapacity(r: DecisionRecord): string {
  if (r.targetBurstCapacity === 0) {
    return 'excess burst capacity 0 (target-burst-capacity 0): the activator is in the path only at zero scale';
  }
  if (r.targetBurstCapacity < 0) {
    return 'excess burst capacity -1 (target-burst-capacity -1): the activator is always in the path';
  }
  const formula = `floor(${r.readyPods} × ${formatCompact(r.total)} − ${formatCompact(r.targetBurstCapacity)} − ${formatCompact(r.observedPanic ?? 0)})`;
  return r.excessBurstCapacity < 0
    ? `excess burst capacity ${r.excessBurstCapacity} = ${formula} < 0: the activator stays in the path`
    : `excess burst capacity ${r.excessBurstCapacity} = ${formula} ≥ 0: the activator can leave the path`;
}

/** Explains a KPA scale step. */
export function explainScale(s: ScaleDecision): string[] {
  const lines: string[] = [];
  const applying = (n: number): string =>
    s.apply ? `scaling the deployment to ${pods(n, 'replica')}` : `the deployment already has ${pods(n, 'replica')}`;
  switch (s.gate) {
    case 'no-metrics':
      lines.push('no metrics yet: the desired scale is unknown, nothing applied');
      break;
    case 'desired':
      lines.push(`scale: ${applying(s.want)}`);
      break;
    case 'bounds':
      lines.push(
        s.desired < s.bounded
          ? `bounds: ${s.desired} raised to min-scale ${s.minScale}; ${applying(s.want)}`
          : `bounds: ${s.desired} lowered to max-scale ${s.maxScale}; ${applying(s.want)}`,
      );
      break;
    case 'initial-scale':
      lines.push(
        `initial scale: ${s.desired < 0 ? 'unknown' : s.desired} raised to initial-scale ${s.minScale} until the scale target is initialised; ${applying(s.want)}`,
      );
      break;
    case 'scale-to-zero-disabled':
      lines.push(`enable-scale-to-zero is false: keeping 1 pod; ${applying(1)}`);
      break;
    case 'activating':
      lines.push(
        `activating for ${formatSeconds(s.paStateForMs)} of the ${formatSeconds(s.activationTimeoutMs)} activation timeout: waiting, nothing applied`,
      );
      break;
    case 'activation-timeout':
      lines.push(
        `activation timed out: activating for ${formatSeconds(s.paStateForMs)}, longer than ${formatSeconds(s.activationTimeoutMs)}; scaling to 0 (TimedOut)`,
      );
      break;
    case 'stable-window':
      lines.push(
        `waiting for the stable window: PA active for ${formatSeconds(s.paStateForMs)} of ${formatSeconds(s.stableWindowMs)}`,
      );
      break;
    case 'mark-inactive':
      lines.push(
        `PA active for ${formatSeconds(s.paStateForMs)}, at least the stable window of ${formatSeconds(s.stableWindowMs)}: marking it inactive (NoTraffic) without scaling`,
      );
      break;
    case 'probe-pending':
      lines.push('the activator is not yet confirmed in the path: probing it, not scaling to zero yet');
      break;
    case 'scale-to-zero':
      lines.push(
        `inactive for ${formatSeconds(s.paStateForMs)}, at least max(grace period ${formatSeconds(s.gracePeriodMs)}, retention ${formatSeconds(s.retentionMs)}): ${toZero(s)}`,
      );
      break;
    case 'retention':
      lines.push(
        `last-pod retention: inactive for ${formatSeconds(s.paStateForMs)} of ${formatSeconds(s.retentionMs)}; keeping the last pod`,
      );
      break;
    case 'fast-path':
      lines.push(
        `fast path: the activator has been in the path for ${formatSeconds(s.proxyForMs)}, at least the grace period of ${formatSeconds(s.gracePeriodMs)}: ${toZero(s)}`,
      );
      break;
    case 'grace-period':
      lines.push(
        `grace period: the activator has been in the path for ${formatSeconds(s.proxyForMs)} of ${formatSeconds(s.gracePeriodMs)}; re-checking in ${formatSeconds(s.requeueAfterMs ?? 0)}`,
      );
      break;
  }
  return lines;
}
