/** The one narrator: event-log events and lifecycle milestones in plain words. */
export * from './events.js';
export * from './lifecycle.js';
