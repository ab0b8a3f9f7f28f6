import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasStackTrace, knsim, knsimInProcess, REPO, scratch } from './helpers.js';

/** An ANSI colour (foreground or background, any palette): ESC [ 3x / 4x / 9x / 10x / 38;… / 48;… m. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences
const COLOUR = /\u001B\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m/;

describe('knsim tui without a terminal', () => {
  const dir = scratch();
  const log = join(dir, 'run.jsonl');

  it('prints the last screen of a log, also when started outside the repository', async () => {
    const run = await knsimInProcess(['run', join(REPO, 'scenarios/idle-to-zero.yaml'), '--log', log]);
    expect(run.status).toBe(0);
    // tsx reads tsconfig.json from the working directory; the screen needs knsim's (react-jsx).
    // FORCE_COLOR asks for colours although stdout is a pipe (the control for the next case).
    const r = knsim(['tui', log], { cwd: dir, env: { FORCE_COLOR: '1' } });
    expect(r.stderr).not.toContain('internal error');
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.status).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences
    expect(r.stdout.replace(/\u001B\[[0-9;]*m/g, '')).toContain('Timeline idle-00001');
    expect(r.stdout).toMatch(COLOUR);
  });

  it('uses no ANSI colour when NO_COLOR is set (no-color.org), even with FORCE_COLOR', () => {
    const r = knsim(['tui', log], { cwd: dir, env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Timeline idle-00001');
    expect(r.stdout).not.toMatch(COLOUR);
  });
});
