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
