/**
 * What a container asks of its node, read from `resources` as the API server defaults it: a
 * request left out where a limit is given takes the limit's value.
 */

import { cpuMillis, memoryBytes } from './quantity.js';
import type { ContainerRequests } from './scheduler.js';

interface ResourceList {
  readonly cpu?: string | number;
  readonly memory?: string | number;
}

export interface ContainerResources {
  readonly requests?: ResourceList;
  readonly limits?: ResourceList;
}

function read(list: ResourceList | undefined, key: 'cpu' | 'memory'): number | undefined {
  const v = list?.[key];
  if (v === undefined || v === null) return undefined;
  return key === 'cpu' ? cpuMillis(v) : memoryBytes(v);
}

/** A container's requests (millicores, bytes), a missing request defaulting to the limit. */
export function containerRequests(resources: ContainerResources | undefined): ContainerRequests {
  const cpu = read(resources?.requests, 'cpu') ?? read(resources?.limits, 'cpu');
  const mem = read(resources?.requests, 'memory') ?? read(resources?.limits, 'memory');
  return { ...(cpu !== undefined ? { cpuMillis: cpu } : {}), ...(mem !== undefined ? { memoryBytes: mem } : {}) };
}

/** A container's CPU limit in millicores, if it has one. */
export function cpuLimitMillis(resources: ContainerResources | undefined): number | undefined {
  return read(resources?.limits, 'cpu');
}

/** A container's memory limit in bytes, if it has one. */
export function memoryLimitBytes(resources: ContainerResources | undefined): number | undefined {
  return read(resources?.limits, 'memory');
}

/**
 * How many requests in a container make its app's memory (`baseBytes`, and `perRequestBytes` for
 * each request it holds) pass the container's limit: the kernel then kills it (OOMKilled), at
 * once. Infinity when no number of requests does; 0 when the app alone does (it dies as it starts).
 */
export function oomKillAt(limitBytes: number, baseBytes: number, perRequestBytes: number): number {
  if (baseBytes > limitBytes) return 0;
  if (perRequestBytes <= 0) return Number.POSITIVE_INFINITY;
  return Math.floor((limitBytes - baseBytes) / perRequestBytes) + 1;
}

/**
 * `oomKillAt` for a user container and its app's memory figure (scenario `app.memory`): Infinity
 * without a memory limit or without a figure.
 */
export function oomKillAtFor(
  container: object | undefined,
  memory: { readonly baseBytes: number; readonly perRequestBytes: number } | undefined,
): number {
  const limit = memoryLimitBytes((container as { resources?: ContainerResources } | undefined)?.resources);
  if (limit === undefined || memory === undefined) return Number.POSITIVE_INFINITY;
  return oomKillAt(limit, memory.baseBytes, memory.perRequestBytes);
}
