/**
 * The lifecycle machines' milestones in words: what a Service, a Revision or a Route reaching a
 * new mode means for someone learning Knative. The machines (src/model/machines) call these when
 * they move; both backends write the sentences to the event log as `narration`.
 */

export const serviceSays = {
  ready: (name: string, url: string, revision: string) => `service ${name} is Ready at ${url}, serving ${revision}`,
  readyAgain: (name: string, revision: string) => `service ${name} is Ready again, serving ${revision}`,
  recovered: (name: string, revision: string) => `service ${name} recovered, serving ${revision}`,
  rollingOut: (name: string, reason: string | undefined) =>
    `service ${name} is rolling out a change${reason ? ` (${reason})` : ''}`,
  failed: (name: string, reason: string | undefined, message: string | undefined) =>
    `service ${name} is not ready (${reason ?? ''}): ${message ?? ''}`,
} as const;

export const revisionSays = {
  ready: (name: string) => `revision ${name} is Ready: its first pod passed readiness`,
  readyAgain: (name: string) => `revision ${name} is Ready again`,
  failed: (name: string, reason: string | undefined, message: string | undefined) =>
    `revision ${name} failed (${reason ?? ''}): ${message ?? ''}`,
  inactive: (name: string, reason: string | undefined) =>
    reason === 'NoTraffic'
      ? `no traffic for a whole stable window: revision ${name} becomes inactive and will scale to zero (it stays Ready)`
      : `revision ${name} becomes inactive (${reason ?? 'no reason'})`,
  waking: (name: string) => `revision ${name} is activating: the activator buffers its requests until a pod is ready`,
  activeAgain: (name: string) => `revision ${name} is active again: a pod is serving`,
} as const;

/** A transition the real cluster made that the model's machine does not allow. */
export function divergenceSays(kind: string, name: string, from: string, to: string, rule: string): string {
  return `divergence: ${kind} ${name} went from ${from} to ${to}, which the model does not allow (${rule})`;
}
