/**
 * Narration of the event log: what happened, in plain words. Pure functions of one event (or one
 * object change) and a small context a reader keeps while it reads the log (the revision's
 * stable window, its ready pods, the SKS mode last narrated). They decide nothing; they only say
 * what the log already records.
 *
 * The lifecycles of Services, Configurations, Revisions and Routes are not told here from object
 * changes: their machines tell them (src/model/narrate/lifecycle.ts), and both backends write
 * those sentences to the log as `narration` events, which pass through as they are.
 */
import type { KubeObject, Pod } from '../api/types.js';
import type { LogEvent, ObjectEvent, PodPhase, RequestEvent, ScaleEvent } from '../events.js';
import { formatSeconds as formatWholeSeconds } from '../kpa/format.js';
import { summarizePod } from '../rules/tables.js';
import { divergenceSays } from './lifecycle.js';

/** How a line reads: the TUI maps tones to theme colours. */
export type Tone = 'info' | 'good' | 'warn' | 'bad' | 'step';

export interface Narration {
  readonly text: string;
  readonly tone: Tone;
  /** Extra lines shown under the text on the log screen (a step's output). */
  readonly detail?: readonly string[];
  readonly revision?: string;
  /**
   * Lines of one kind that can come in bursts (held requests, cold starts, failures, pods of a
   * scale-up reaching the same phase): the index tells the first of a burst and counts the rest
   * into it.
   */
  readonly burst?: 'held' | 'cold' | 'failed' | `pod:${PodPhase}`;
}

/** What the index knows about the moment an event happens. */
export interface NarrationContext {
  /** The revision's panic window and threshold, from its latest autoscaler tick. */
  readonly panicWindowMs?: number;
  readonly panicThreshold?: number;
  /** Whether the revision's latest autoscaler tick was panicking. */
  readonly panicking?: boolean;
  /** Ready pods of the revision, from its latest per-second sample. */
  readonly readyPods?: number;
  /** The SKS mode already narrated for the revision (so a mode change is told once). */
  readonly sksMode?: string;
}

const NONE: readonly Narration[] = [];

/** `12 ms`, `1.9 s`, `60 s`. */
export function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : formatWholeSeconds(ms);
}

/** ", and 12 more like it within 10 s": the tail the index adds to the first line of a burst. */
export function burstTail(more: number, windowMs: number): string {
  return `, and ${more} more like it within ${formatSeconds(windowMs)}`;
}

/** `xs87v` for `knservice-00001-deployment-vjbwbwnstc-xs87v`: the part kubectl users tell apart. */
export function shortPodName(pod: string): string {
  const dash = pod.lastIndexOf('-');
  return dash >= 0 && dash < pod.length - 1 ? pod.slice(dash + 1) : pod;
}

const SCALE_REASONS: Readonly<Record<string, string>> = {
  'fast-path': 'fast path: the activator was already in the path',
  'scale-to-zero': 'inactive for the whole grace period',
  bounds: 'held within min-scale and max-scale',
  'initial-scale': 'initial scale of a new revision',
  'scale-to-zero-disabled': 'scale to zero is disabled, so 1 pod stays',
  'activation-timeout': 'activation timed out: giving up on starting pods',
  retention: 'keeping the last pod for the retention period',
  'grace-period': 'waiting for the activator to be in the path',
};

/** "scaled knservice-00001 from 1 to 0 (fast path: the activator was already in the path)". */
function narrateScale(e: ScaleEvent, ctx: NarrationContext = {}): Narration {
  const why =
    SCALE_REASONS[e.reason] ??
    (e.reason === 'desired'
      ? e.from === 0
        ? 'requests are waiting: the autoscaler wants pods'
        : `the autoscaler wants ${e.to}${ctx.panicking ? ', in panic mode' : ''}`
      : e.reason);
  return {
    text: `scaled ${e.revision} from ${e.from} to ${e.to} (${why})`,
    tone: e.to === 0 ? 'warn' : 'info',
    revision: e.revision,
  };
}

const POD_PHASES: Readonly<Record<PodPhase, [string, Tone]>> = {
  Pending: ['is created and scheduled (Pending)', 'info'],
  ContainerCreating: ['is pulling its image and starting containers', 'info'],
  Running: ['is running; waiting for its readiness probe', 'info'],
  Ready: ['is ready: it takes requests', 'good'],
  Terminating: ['is terminating: it drains requests in flight', 'warn'],
  Gone: ['is gone', 'info'],
};

function narrateRequest(e: RequestEvent, ctx: NarrationContext): readonly Narration[] {
  const rev = e.revision ?? 'the revision';
  const base = { ...(e.revision ? { revision: e.revision } : {}) };
  if (e.phase === 'held') {
    const text =
      ctx.readyPods === undefined || ctx.readyPods === 0
        ? `request #${e.id} held by the activator while ${rev} starts a pod`
        : `request #${e.id} held by the activator until a pod of ${rev} has room`;
    return [{ text, tone: 'warn', burst: 'held', ...base }];
  }
  if (e.phase !== 'done') return NONE;
  const after = e.latencyMs !== undefined ? ` after ${formatSeconds(e.latencyMs)}` : '';
  if (e.outcome !== undefined && e.outcome !== 'ok') {
    const what = e.status !== undefined ? String(e.status) : e.outcome;
    const hint = e.status === 503 ? ' (no pod could take it)' : e.status === 504 ? ' (timed out)' : '';
    return [{ text: `request #${e.id} failed with ${what}${after}${hint}`, tone: 'bad', burst: 'failed', ...base }];
  }
  if (e.cold) {
    return [
      {
        text: `request #${e.id} answered ${e.status ?? 200}${after} (cold start)`,
        tone: 'good',
        burst: 'cold',
        ...base,
      },
    ];
  }
  return NONE;
}

function sksModeText(revision: string, mode: string): Narration {
  return mode === 'Serve'
    ? {
        text: `the activator leaves the path of ${revision}: requests go straight to its pods (SKS mode Serve)`,
        tone: 'info',
        revision,
      }
    : {
        text: `the activator is in the path of ${revision}: it buffers requests when no pod has room (SKS mode Proxy)`,
        tone: 'info',
        revision,
      };
}

/** Narration for one `object` event, given the object as it was before (undefined when new). */
export function narrateObjectChange(
  prev: KubeObject | undefined,
  e: ObjectEvent,
  ctx: NarrationContext = {},
): readonly Narration[] {
  const obj = e.object;
  const name = e.name;
  if (e.op === 'deleted') {
    return e.kind === 'Pod' || e.kind === 'ServerlessService' || e.kind === 'PodAutoscaler'
      ? NONE
      : [{ text: `${e.kind.toLowerCase()} ${name} deleted`, tone: 'warn' }];
  }
  const out: Narration[] = [];
  switch (e.kind) {
    case 'Service':
    case 'Revision':
      if (!prev) {
        const kind = e.kind.toLowerCase();
        out.push({
          text: `${kind} ${name} created`,
          tone: 'info',
          ...(e.kind === 'Revision' ? { revision: name } : {}),
        });
      }
      break;
    case 'Pod': {
      // Only for logs without `pod` events (the index asks then): the STATUS kubectl would show.
      const status = summarizePod(obj as Pod).status;
      if (!prev || summarizePod(prev as Pod).status !== status) {
        const tone: Tone = status === 'Running' ? 'good' : status === 'Terminating' ? 'warn' : 'info';
        out.push({ text: `pod ${shortPodName(name)} is ${status}`, tone });
      }
      break;
    }
    case 'ServerlessService': {
      const mode = (obj.spec as { mode?: string } | undefined)?.mode;
      if (mode && mode !== ctx.sksMode) out.push(sksModeText(name, mode));
      break;
    }
    default:
      break;
  }
  return out;
}

/** Narration for one event that is not an `object` event. */
export function narrateEvent(e: LogEvent, ctx: NarrationContext = {}): readonly Narration[] {
  switch (e.type) {
    case 'scale':
      return [narrateScale(e, ctx)];
    case 'pod': {
      const [what, tone] = POD_PHASES[e.phase];
      return [
        {
          text: `${e.revision} pod ${shortPodName(e.pod)} ${what}`,
          tone,
          revision: e.revision,
          burst: `pod:${e.phase}`,
        },
      ];
    }
    case 'panic': {
      if (!e.panicking) {
        return [
          {
            text: `${e.revision} leaves panic mode: it follows the stable average again`,
            tone: 'info',
            revision: e.revision,
          },
        ];
      }
      const window = ctx.panicWindowMs !== undefined ? formatSeconds(ctx.panicWindowMs) : 'panic-window';
      const factor = ctx.panicThreshold !== undefined ? `${ctx.panicThreshold}×` : 'the threshold times';
      return [
        {
          text: `${e.revision} panics: the ${window} load is over ${factor} what its ready pods take; it scales up fast and will not scale down while panicking`,
          tone: 'bad',
          revision: e.revision,
        },
      ];
    }
    case 'sks':
      return e.mode === ctx.sksMode ? NONE : [sksModeText(e.revision, e.mode)];
    case 'request':
      return narrateRequest(e, ctx);
    case 'step': {
      const detail = e.output.replace(/\n+$/, '');
      return [
        {
          // Steps that are not commands (waits, sleeps, notes) are logged as `# …` comments.
          text: e.command.startsWith('#') ? e.command : `$ ${e.command}`,
          tone: e.ok ? 'step' : 'bad',
          ...(detail !== '' ? { detail: detail.split('\n') } : {}),
        },
      ];
    }
    case 'expect':
      // `actual` already reads as the expectation with what was seen: `pods == 0 (was 1)`.
      return [{ text: `${e.ok ? '✓' : '✗'} expect ${e.actual}`, tone: e.ok ? 'good' : 'bad' }];
    case 'narration':
      return [{ text: e.text, tone: 'info', ...(e.revision ? { revision: e.revision } : {}) }];
    case 'divergence':
      return [
        {
          text: divergenceSays(e.kind, e.name, e.from, e.to, e.rule),
          tone: 'bad',
          ...(e.kind === 'Revision' ? { revision: e.name } : {}),
        },
      ];
    case 'end':
      return [
        e.ok
          ? { text: 'run finished: all expectations met', tone: 'good' }
          : { text: 'run finished: some expectations failed', tone: 'bad' },
      ];
    case 'object':
    case 'kpa.tick':
    case 'sample':
      return NONE;
    default:
      return NONE;
  }
}

/** A short label for any event, for the "last event" line while stepping: `kpa.tick knservice-00001`. */
export function describeEvent(e: LogEvent): string {
  switch (e.type) {
    case 'object':
      return `${e.kind} ${e.name} ${e.op}`;
    case 'pod':
      return `pod ${shortPodName(e.pod)} ${e.phase}`;
    case 'request':
      return `request #${e.id} ${e.phase}${e.status !== undefined ? ` ${e.status}` : ''}`;
    case 'scale':
      return `scale ${e.revision} ${e.from}→${e.to}`;
    case 'panic':
      return `panic ${e.revision} ${e.panicking ? 'on' : 'off'}`;
    case 'sks':
      return `sks ${e.revision} ${e.mode}`;
    case 'kpa.tick':
    case 'sample':
      return `${e.type} ${e.revision}`;
    case 'step':
      return `step ${e.command}`;
    case 'expect':
      return `expect ${e.text}`;
    case 'narration':
      return 'narration';
    case 'divergence':
      return `divergence ${e.kind} ${e.name}`;
    case 'end':
      return 'end of run';
    default:
      return (e as { type: string }).type;
  }
}
