/**
 * Which pods a ReplicaSet deletes on a scale-down (src/sim/controllers/deployment.ts
 * `scaleDownVictims`): each pod's phase is read once and the sort compares numbers, where the
 * plain version filtered the pods not deleted yet and sorted them with their phases read in every
 * comparison. The same pods, in the same order, for any phases (Terminating and Gone ones left
 * out), creation times (with ties) and counts kept.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PodPhase } from '../../src/model/events.js';
import { scaleDownVictims } from '../../src/sim/controllers/deployment.js';

/** The plain version: the ranking as first written, phases read in each comparison. */
const RANK: Record<PodPhase, number> = {
  Pending: 0,
  ContainerCreating: 1,
  Running: 2,
  Ready: 3,
  Terminating: 4,
  Gone: 5,
};
function plain<P extends { createdAt: number; phase: PodPhase }>(pods: P[], keep: number): P[] {
  const alive = pods.filter((p) => p.phase !== 'Terminating' && p.phase !== 'Gone');
  return alive
    .slice()
    .sort((a, b) => RANK[a.phase] - RANK[b.phase] || b.createdAt - a.createdAt)
    .slice(0, alive.length - keep);
}

const pod = fc.record({
  phase: fc.constantFrom<PodPhase>('Pending', 'ContainerCreating', 'Running', 'Ready', 'Terminating', 'Gone'),
  createdAt: fc.integer({ min: 0, max: 20 }),
  id: fc.integer(),
});

describe('the pods a scale-down deletes', () => {
  it('are the plain ranking’s, in its order (property)', () => {
    fc.assert(
      fc.property(fc.array(pod, { maxLength: 300 }), fc.nat(), (pods, k) => {
        const alive = pods.filter((p) => p.phase !== 'Terminating' && p.phase !== 'Gone').length;
        // The controller asks only when more are alive than it keeps.
        const keep = alive === 0 ? 0 : k % alive;
        const got = scaleDownVictims(pods, keep, (p) => p.phase);
        const want = plain(pods, keep);
        expect(got.length).toBe(want.length);
        for (let i = 0; i < want.length; i++) expect(got[i]).toBe(want[i]);
      }),
      { numRuns: 500 },
    );
  });

  it('are the plain ranking’s when the pods come in the order they were made (property)', () => {
    // A Deployment's pods, as its map holds them: creation times never go down along the list
    // (many at one instant), where the ranking is had without a sort.
    fc.assert(
      fc.property(fc.array(pod, { maxLength: 300 }), fc.nat(), (unordered, k) => {
        const made = unordered.map((p) => p.createdAt).sort((a, b) => a - b);
        const pods = unordered.map((p, i) => ({ ...p, createdAt: made[i]! }));
        const alive = pods.filter((p) => p.phase !== 'Terminating' && p.phase !== 'Gone').length;
        const keep = alive === 0 ? 0 : k % alive;
        const got = scaleDownVictims(pods, keep, (p) => p.phase);
        const want = plain(pods, keep);
        expect(got.length).toBe(want.length);
        for (let i = 0; i < want.length; i++) expect(got[i]).toBe(want[i]);
      }),
      { numRuns: 500 },
    );
  });
});
