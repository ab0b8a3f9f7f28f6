/**
 * The Route's and Configuration's reconcilers leave their lifecycle machine alone when a
 * reconcile repeats the last one (`ActorsByObject.repeats`: the same stored object, the same
 * machine snapshot, running or put to rest right after, and equal inputs). The machines' side
 * of it is test/model/reconcileRepeats.test.ts; this is the run's: the same scenario with every
 * reconcile sent writes the same log line for line, and some reconciles were in fact left out.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogLine } from '../../src/model/events.js';
import { loadScenario, runScenario } from '../../src/runner/simulate.js';
import { ActorsByObject } from '../../src/sim/controllers/lifecycle.js';

async function logOf(file: string): Promise<string[]> {
  const lines: string[] = [];
  await runScenario(loadScenario(file), file, {
    log: { keep: false },
    observe: (line: LogLine) => lines.push(JSON.stringify(line)),
  });
  return lines;
}

describe('repeated reconciles left out', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    'scenarios/new-revision-idle.yaml',
    'scenarios/two-namespaces.yaml',
    'test/results/fixtures/two-services.yaml',
  ])('%s: the same log as a run that sends every reconcile', async (file) => {
    const repeats = vi.spyOn(ActorsByObject.prototype, 'repeats');
    const skipping = await logOf(file);
    const left = repeats.mock.results.filter((r) => r.value === true).length;
    expect(left).toBeGreaterThan(0);
    repeats.mockReturnValue(false);
    const sendingAll = await logOf(file);
    expect(skipping.length).toBe(sendingAll.length);
    expect(skipping).toEqual(sendingAll);
  });
});
