/**
 * Knative Serving's rules as pure functions: names, defaults and validation, conditions,
 * traffic, URLs, and kubectl's tables. No clock and no Math.random: time comes in as `nowMs`
 * (simulated ms since SIM_EPOCH_MS) and randomness as a `Random`.
 */

export * from './conditions.js';
export * from './defaults.js';
export * from './domain.js';
export * from './features.js';
export * from './fielderror.js';
export * from './finalizers.js';
export * from './labels.js';
export * from './naming.js';
export * from './resources.js';
export * from './schema.js';
export * from './sks.js';
export * from './tables.js';
export * from './time.js';
export * from './traffic.js';
export * from './validation.js';
