/** Shared fixtures for the lifecycle machine tests: PodAutoscalers in a given state, a seeded fc run. */
import fc from 'fast-check';
import type { Condition, PodAutoscaler } from '../../src/model/api/types.js';
import { SIM_EPOCH_MS } from '../../src/model/rules/time.js';

export const at = (s: number) => new Date(SIM_EPOCH_MS + s * 1000).toISOString();

export interface PaFacts {
  /** The PA's Ready condition; undefined before the PA has conditions. */
  ready?: { status: Condition['status']; reason?: string };
  initialized: boolean;
  actualScale?: number;
}

/** A PodAutoscaler as the KPA reports it: Ready (= Active here), ScaleTargetInitialized, serviceName once initialized. */
export function pa(facts: PaFacts): PodAutoscaler {
  const conditions: Condition[] = [];
  if (facts.ready) {
    conditions.push({ type: 'Active', ...facts.ready }, { type: 'Ready', ...facts.ready });
    conditions.push({ type: 'ScaleTargetInitialized', status: facts.initialized ? 'True' : 'Unknown' });
  }
  return {
    apiVersion: 'autoscaling.internal.knative.dev/v1alpha1',
    kind: 'PodAutoscaler',
    metadata: { name: 'hello-00001', namespace: 'default' },
    spec: {
      containerConcurrency: 0,
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'hello-00001-deployment' },
      reachability: 'Reachable',
      protocolType: 'http1',
    },
    status: {
      conditions,
      ...(facts.initialized ? { serviceName: 'hello-00001' } : {}),
      ...(facts.actualScale !== undefined ? { actualScale: facts.actualScale, desiredScale: facts.actualScale } : {}),
    },
  };
}

/**
 * fc.assert with a fixed default seed, FC_SEED=<n> to rerun with another (test/setup/fastCheck.ts
 * prints the seed of every property run).
 */
export function assertWithSeed<T>(property: fc.IProperty<T>, numRuns: number, defaultSeed: number): void {
  const wanted = process.env.FC_SEED;
  fc.assert(property, wanted === 'random' ? { numRuns } : { seed: wanted ? Number(wanted) : defaultSeed, numRuns });
}
