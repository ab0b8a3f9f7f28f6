/**
 * What every lifecycle machine (Service, Configuration, Revision, Route) tells the world besides
 * its own status: milestones worth a sentence in the event log, and divergences — moves that the
 * cluster made and the model forbids, with the rule that forbids them.
 */

export type Milestone = { type: 'milestone'; text: string };

export type Divergence = {
  type: 'divergence';
  /** The mode the machine was in and the one the object reported, in Knative's words. */
  from: string;
  to: string;
  /** The model rule the move breaks. */
  rule: string;
};

export type LifecycleEmitted = Milestone | Divergence;
