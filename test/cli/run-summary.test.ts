/** The results summary of `knsim run`: durations in one style, and words instead of a bare "-". */
import { describe, expect, it } from 'vitest';
import { hasStackTrace, knsim, scratch } from './helpers.js';

describe('the summary of a run', () => {
  it('in which no time passes says 0 s (not 0.00 ms) and why there is no time to zero', () => {
    const dir = scratch({ 'still.yaml': 'name: still\nsteps:\n  - kubectl: get ksvc\n' });
    const r = knsim(['run', 'still.yaml'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.stdout).toContain('no service, no requests, no pods in 0 s\n');
    expect(r.stdout).not.toMatch(/\d ms\b/);
    expect(r.stdout).not.toMatch(/request -$/m);
  });

  it('of a run that scales to zero gives its durations in minutes and seconds', () => {
    const r = knsim(['run', 'scenarios/idle-to-zero.yaml']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('time to zero after the last request 1m30s\n');
    expect(r.stdout).toContain('activator in the path 2m20s of 2m20s\n');
  });
});
