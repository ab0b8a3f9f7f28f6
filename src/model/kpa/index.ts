/**
 * The Knative Pod Autoscaler (KPA) as pure functions: configuration, per-revision spec
 * resolution, metric windows, the decider, the reconciler's scale step and explanations.
 * Plain objects in, plain objects out; time is always a `nowMs` argument.
 */

export * from './activators.js';
export * from './annotations.js';
export * from './bounds.js';
export * from './buckets.js';
export * from './burstCapacity.js';
export * from './collector.js';
export * from './config.js';
export * from './decider.js';
export * from './delayWindow.js';
export * from './duration.js';
export * from './explain.js';
export * from './format.js';
export * from './goValues.js';
export * from './sampleSize.js';
export * from './scaler.js';
export * from './shadow.js';
export * from './spec.js';
export * from './window.js';
