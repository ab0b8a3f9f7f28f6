/**
 * One hooks object serves every revision's data plane (src/sim/cluster.ts `dataplaneHooks`), each
 * call naming the data plane it comes from: what a request's data plane tells the cluster is
 * about that request's revision. Two same-named Services in two namespaces (scenario
 * two-namespaces: one warm, one cold-started by a curl the activator holds): every request's
 * events name one revision, the one it arrived for, its pod is of that revision, and each
 * revision's held, dispatched and done requests are told to the cluster.
 */
import { describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../src/model/events.js';
import { loadScenario, runScenario } from '../../src/runner/simulate.js';

describe('data plane hooks shared by every revision', () => {
  it('tell the cluster of each request under its own revision, in two namespaces', async () => {
    const file = 'scenarios/two-namespaces.yaml';
    const events: RequestEvent[] = [];
    const outcome = await runScenario(loadScenario(file), file, {
      log: { keep: false },
      observe: (line) => {
        if (line.type === 'request') events.push(line as RequestEvent);
      },
      observeTypes: ['request'],
    });
    expect(outcome.failures).toEqual([]);
    const revisionOf = new Map<number, string>();
    const phases = new Map<string, Set<string>>();
    for (const e of events) {
      if (e.revision === undefined) continue;
      const known = revisionOf.get(e.id);
      if (known === undefined) revisionOf.set(e.id, e.revision);
      else expect(e.revision, `request ${e.id} ${e.phase}`).toBe(known);
      if (e.pod !== undefined) expect(e.pod.startsWith(`${e.revision.split('/').at(-1)}-deployment-`)).toBe(true);
      const seen = phases.get(e.revision) ?? new Set<string>();
      seen.add(e.phase);
      phases.set(e.revision, seen);
    }
    expect([...phases.keys()].sort()).toEqual(['team-a/web-00001', 'web-00001']);
    for (const rev of ['team-a/web-00001', 'web-00001']) {
      expect([...phases.get(rev)!].sort(), rev).toEqual(expect.arrayContaining(['dispatched', 'done']));
    }
    // team-a's one request came to a revision at zero: the activator held it, and told of it.
    expect(phases.get('team-a/web-00001')!.has('held')).toBe(true);
    for (const e of events) if (e.phase === 'done') expect(e.status).toBe(200);
  });
});
