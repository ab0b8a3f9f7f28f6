/**
 * The kubelet's image rules: whether a container's image must be pulled (imagePullPolicy against
 * what the node has), how long a pull takes, and the events' words (kubelet 1.30+,
 * pkg/kubelet/images/image_manager.go).
 */

export type ImagePullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** Whether the kubelet asks the runtime to pull: not for IfNotPresent with the image on the node. */
export function needsPull(policy: ImagePullPolicy, present: boolean): boolean {
  if (policy === 'Always') return true;
  return !present;
}

/**
 * A pull's own duration: the layers' bytes over the node's bandwidth when both are known, else
 * the given default; a pull whose layers are all on the node already (policy Always, or a second
 * pod's pull queued behind the first) only resolves the reference at the registry.
 */
export function pullDurationMs(options: {
  layersPresent: boolean;
  sizeBytes?: number;
  bytesPerSecond?: number;
  defaultMs: number;
  registryRoundTripMs: number;
}): number {
  if (options.layersPresent) return options.registryRoundTripMs;
  if (options.sizeBytes !== undefined && options.bytesPerSecond !== undefined && options.bytesPerSecond > 0) {
    return options.registryRoundTripMs + (options.sizeBytes / options.bytesPerSecond) * 1000;
  }
  return options.defaultMs;
}

/** A duration as Go's time.Duration prints it after truncating to milliseconds: `830ms`, `5.419s`, `1m2.5s`. */
function goDuration(ms: number): string {
  const whole = Math.round(ms);
  if (whole < 1000) return `${whole}ms`;
  const trim = (x: number) => x.toFixed(3).replace(/\.?0+$/, '');
  if (whole < 60_000) return `${trim(whole / 1000)}s`;
  const minutes = Math.floor(whole / 60_000);
  const rest = whole - minutes * 60_000;
  if (minutes < 60) return `${minutes}m${trim(rest / 1000)}s`;
  const hours = Math.floor(minutes / 60);
  return `${hours}h${minutes % 60}m${trim(rest / 1000)}s`;
}

export const pullingMessage = (image: string) => `Pulling image "${image}"`;

/** The Pulled event after a pull: its own time and the time since it was asked for (queue included). */
export function pulledMessage(image: string, pullMs: number, totalMs: number, sizeBytes: number): string {
  return `Successfully pulled image "${image}" in ${goDuration(pullMs)} (${goDuration(totalMs)} including waiting). Image size: ${sizeBytes} bytes.`;
}

export const alreadyPresentMessage = (image: string) => `Container image "${image}" already present on machine`;
