/**
 * The Revision reconciler leaves its machine alone when the model says a reconcile would leave it
 * as it is (`revisionReconcileStays`) and the stored Revision is the one the last reconcile left
 * (`MachinesByObject.leftAsIs`): the status write's own echo. The machine's side of it is
 * test/model/revisionEcho.test.ts; this is the run's: each send left out is made anyway on a copy
 * of the machine and leaves its state and writes the stored status, and the same scenario with
 * every reconcile sent writes the same log line for line.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import type { LogLine } from '../../src/model/events.js';
import { revisionLifecycleMachine } from '../../src/model/machines/revision.js';
import { loadScenario, runScenario } from '../../src/runner/simulate.js';
import { MachinesByObject } from '../../src/sim/controllers/lifecycle.js';
import { RevisionController } from '../../src/sim/controllers/revision.js';
import { dataEqual } from '../../src/sim/store.js';

async function logOf(file: string): Promise<string[]> {
  const lines: string[] = [];
  await runScenario(loadScenario(file), file, {
    log: { keep: false },
    observe: (line: LogLine) => lines.push(JSON.stringify(line)),
  });
  return lines;
}

describe("a Revision status write's echo left out", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    RevisionController.verify = undefined;
  });

  it.each([
    'scenarios/idle-to-zero.yaml',
    'scenarios/new-revision-idle.yaml',
    'scenarios/two-namespaces.yaml',
    'test/results/fixtures/two-services.yaml',
  ])('%s: each send left out changes nothing, and the log is that of a run sending every one', async (file) => {
    let left = 0;
    const wrong: unknown[] = [];
    RevisionController.verify = (rev, snapshot, event, status) => {
      left++;
      const copy = createActor(revisionLifecycleMachine, {
        snapshot: revisionLifecycleMachine.getPersistedSnapshot(snapshot),
        input: { name: '' },
      });
      const emitted: unknown[] = [];
      copy.on('*', (e) => emitted.push(e.type === 'status' ? status(e) : e));
      copy.start();
      copy.send(event);
      const stays = dataEqual(copy.getSnapshot().value, snapshot.value);
      if (!stays || emitted.length !== 1 || !dataEqual(emitted[0], rev.status)) wrong.push({ emitted, rev });
    };
    const echoing = await logOf(file);
    expect(wrong.slice(0, 2)).toEqual([]);
    expect(left).toBeGreaterThan(0);
    RevisionController.verify = undefined;
    vi.spyOn(MachinesByObject.prototype, 'leftAsIs').mockReturnValue(undefined);
    const sendingAll = await logOf(file);
    expect(echoing.length).toBe(sendingAll.length);
    expect(echoing).toEqual(sendingAll);
  });
});
