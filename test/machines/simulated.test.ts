/**
 * The lifecycle machines inside whole simulated runs: the model's own condition rules never make
 * a move the machines forbid, and the revision's narration in the log says exactly what its
 * Revision objects in the same log show, read the simple way.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Revision } from '../../src/model/api/types.js';
import type { LogEvent } from '../../src/model/events.js';
import { revisionActiveMode } from '../../src/model/rules/conditions.js';
import { runScenario } from '../scenarios/helpers.js';
import { caseArb, REVISION, runCase } from '../sim/properties.harness.js';
import { assertWithSeed } from './helpers.js';

/** The revision's milestones, told from its object events alone (the deliberately simple reading). */
function expectedRevisionNarration(events: readonly LogEvent[], name: string): string[] {
  const out: string[] = [];
  let ready = 'Unknown';
  let activity = 'deploying';
  for (const e of events) {
    if (e.type !== 'object' || e.kind !== 'Revision' || e.name !== name || e.op === 'deleted') continue;
    const conditions = (e.object as Revision).status?.conditions;
    const nextReady = conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
    if (nextReady !== ready && nextReady === 'True' && ready === 'Unknown') {
      out.push(`revision ${name} is Ready: its first pod passed readiness`);
    }
    ready = nextReady;
    const mode = revisionActiveMode(conditions);
    const reason = conditions?.find((c) => c.type === 'Active')?.reason;
    const next =
      mode === 'True'
        ? 'active'
        : mode === 'False'
          ? 'inactive'
          : mode === 'Unknown'
            ? activity === 'inactive' || activity === 'waking'
              ? 'waking'
              : 'activating'
            : activity;
    if (next !== activity) {
      if (next === 'inactive' && activity !== 'deploying') {
        out.push(
          reason === 'NoTraffic'
            ? `no traffic for a whole stable window: revision ${name} becomes inactive and will scale to zero (it stays Ready)`
            : `revision ${name} becomes inactive (${reason})`,
        );
      }
      if (next === 'waking')
        out.push(`revision ${name} is activating: the activator buffers its requests until a pod is ready`);
      if (next === 'active' && (activity === 'inactive' || activity === 'waking')) {
        out.push(`revision ${name} is active again: a pod is serving`);
      }
      activity = next;
    }
  }
  return out;
}

const narrationOf = (events: readonly LogEvent[], revision: string) =>
  events
    .filter((e) => e.type === 'narration' && e.revision === revision)
    .map((e) => (e.type === 'narration' ? e.text : ''));

describe('lifecycle machines in simulated runs', () => {
  it('generated runs: no divergence, and the narration matches the objects', () => {
    assertWithSeed(
      fc.property(caseArb, (c) => {
        const run = runCase(c);
        expect(run.events.filter((e) => e.type === 'divergence')).toEqual([]);
        expect(narrationOf(run.events, REVISION)).toEqual(expectedRevisionNarration(run.events, REVISION));
      }),
      60,
      60606,
    );
  });

  it('the teaching scenarios: no divergence, and the narration matches the objects', async () => {
    for (const [file, revisions] of [
      ['seed-walkthrough.yaml', ['knservice-00001']],
      ['new-revision-idle.yaml', ['fresh-00001', 'fresh-00002']],
      ['activator-on-path.yaml', ['demo-00001']],
    ] as const) {
      const run = await runScenario(file);
      expect(
        run.events.filter((e) => e.type === 'divergence'),
        file,
      ).toEqual([]);
      for (const rev of revisions) {
        const said = narrationOf(run.events, rev);
        expect(said.length, `${file} ${rev}`).toBeGreaterThan(0);
        expect(said, `${file} ${rev}`).toEqual(expectedRevisionNarration(run.events, rev));
      }
    }
  });
});
