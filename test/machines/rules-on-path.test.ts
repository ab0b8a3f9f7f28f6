/**
 * The lifecycle machines call the model's condition rules on a run's path, and a rule that throws
 * inside a machine fails the run with its error (XState would otherwise stop the actor quietly
 * and the run would go on). Each rule the machines call is swapped, one at a time, for one that
 * throws (module-level, so only calls from other modules count, as in test/model).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const probe = vi.hoisted(() => ({ throwing: undefined as string | undefined }));

vi.mock('../../src/model/rules/conditions.js', async (original) => {
  const mod = (await original()) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(mod)) {
    out[name] =
      typeof value === 'function'
        ? (...args: unknown[]) => {
            if (probe.throwing === name) throw new Error(`rule probe: ${name}`);
            return (value as (...a: unknown[]) => unknown)(...args);
          }
        : value;
  }
  return out;
});

/** The rules the lifecycle machines and their reconcilers call. */
const RULES = [
  'applyConditions',
  'getCondition',
  'readyStatus',
  'revisionActiveMode',
  'revisionDeploying',
  'revisionContainerHealthyFromDeployment',
  'revisionFromAutoscaler',
  'serviceConfigurationsReady',
  'serviceRoutesReady',
  'isTrafficMigrated',
  'configurationReady',
  'routeIngressReady',
  'routeTlsNotEnabled',
];

const dir = mkdtempSync(join(tmpdir(), 'knsim-lifecycle-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(file: string): Promise<{ code: number; stderr: string }> {
  const { main } = await import('../../src/cli/main.js');
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(['run', file, '--log', join(dir, 'run.jsonl'), '--log-requests', 'none']);
    return { code, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('the lifecycle machines run the condition rules', () => {
  it('a run fails with the error of each rule swapped for one that throws', async () => {
    const scenario = resolve(import.meta.dirname, '../../scenarios/new-revision-idle.yaml');
    expect((await run(scenario)).code).toBe(0);
    const missed: string[] = [];
    for (const rule of RULES) {
      probe.throwing = rule;
      const { code, stderr } = await run(scenario);
      probe.throwing = undefined;
      if (code === 0 || !stderr.includes(`rule probe: ${rule}`)) missed.push(rule);
    }
    expect(missed).toEqual([]);
  }, 120_000);

  it('a crash loop runs revisionContainerExited (the exit Knative reads from the pod)', async () => {
    const scenario = resolve(import.meta.dirname, '../../scenarios/crash-loop.yaml');
    probe.throwing = 'revisionContainerExited';
    const { code, stderr } = await run(scenario);
    probe.throwing = undefined;
    expect(code).not.toBe(0);
    expect(stderr).toContain('rule probe: revisionContainerExited');
  }, 60_000);
});
