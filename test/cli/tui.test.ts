import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasStackTrace, knsim, REPO, scratch } from './helpers.js';

describe('knsim tui without a terminal', () => {
  it('prints the last screen of a log, also when started outside the repository', () => {
    const dir = scratch();
    const log = join(dir, 'run.jsonl');
    const run = knsim(['run', join(REPO, 'scenarios/idle-to-zero.yaml'), '--log', log]);
    expect(run.status).toBe(0);
    // tsx reads tsconfig.json from the working directory; the screen needs knsim's (react-jsx).
    const r = knsim(['tui', log], { cwd: dir });
    expect(r.stderr).not.toContain('internal error');
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Timeline idle-00001');
  });
});
