/** Small builders for KPA tests: a spec with overrides, observations, and a tick driver. */

import type { AutoscalerConfig, DeciderSpec, DeciderState, Observation } from '../../src/model/kpa/index.js';
import { decide, defaultAutoscalerConfig, resolveDeciderSpec } from '../../src/model/kpa/index.js';

/** The config with overrides. */
export function config(overrides: Partial<AutoscalerConfig> = {}): AutoscalerConfig {
  return { ...defaultAutoscalerConfig(), ...overrides };
}

/** A decider spec resolved from the defaults (CC 0, reachable), with overrides applied last. */
export function spec(overrides: Partial<DeciderSpec> = {}): DeciderSpec {
  return {
    ...resolveDeciderSpec({ config: config(), annotations: {}, containerConcurrency: 0, reachability: 'Reachable' }),
    ...overrides,
  };
}

/** An observation of `stable` and `panic` (panic defaults to stable) with `readyPods` ready. */
export function obs(readyPods: number, stable: number, panic: number = stable): Observation {
  return { readyPods, stable, panic };
}

/** Runs one tick and returns the desired count together with the next state. */
export function tick(s: DeciderSpec, state: DeciderState, o: Observation, nowMs: number) {
  const d = decide(s, state, o, nowMs);
  return { desired: d.result.desiredPodCount, ebc: d.result.excessBurstCapacity, ...d };
}
