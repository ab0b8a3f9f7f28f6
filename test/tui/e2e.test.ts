/**
 * The real command in a real pseudo-terminal (tmux), and without a terminal. Polls the screen
 * with a deadline; never sleeps a fixed time.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRunTime } from '../../src/runner/transcript.js';
import type { ReplayIndex } from '../../src/tui/model/replay.js';
import { seedIndex, seedRun, waitFor } from './helpers.js';

const ROOT = join(import.meta.dirname, '../..');
const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;
const SESSION = `knsim-tui-e2e-${process.pid}`;

let index: ReplayIndex;
let dir: string;
beforeAll(async () => {
  index = await seedIndex();
  dir = mkdtempSync(join(tmpdir(), 'knsim-tui-'));
});
afterAll(() => {
  if (HAS_TMUX) spawnSync('tmux', ['kill-session', '-t', SESSION]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs a command with stdin closed and stdout/stderr piped (not terminals); resolves when it exits. */
function spawnAsync(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

function screen(): string {
  return tmux('capture-pane', '-p', '-t', SESSION);
}

async function waitForScreen(what: string, ok: (s: string) => boolean, timeoutMs = 40_000): Promise<string> {
  let last = '';
  try {
    await waitFor(
      () => {
        last = screen();
        return ok(last);
      },
      what,
      timeoutMs,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; the screen was:\n${last}`);
  }
  return last;
}

// Each case waits on its own process: run them side by side.
/**
 * Sends an idempotent key until the screen shows its effect: a key sent in the instant before the
 * app switches the terminal to raw mode is lost, so it is sent again after a short wait.
 */
async function pressUntil(key: string, what: string, ok: (s: string) => boolean, timeoutMs = 40_000): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    tmux('send-keys', '-t', SESSION, key);
    try {
      return await waitForScreen(what, ok, Math.min(3000, Math.max(1, deadline - performance.now())));
    } catch (e) {
      if (performance.now() >= deadline) throw e;
    }
  }
}

describe.concurrent('knsim tui in a terminal', () => {
  it.skipIf(!HAS_TMUX)(
    HAS_TMUX
      ? 'seeks to the end and shows the new pod Running, then quits on q'
      : 'in tmux (skipped: tmux is not installed)',
    async () => {
      // NO_COLOR (no-color.org): the screen must draw without any ANSI colour. Set on the
      // command line: a new session gets the environment of the tmux server, which another
      // test may have started.
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.CI;
      execFileSync(
        'tmux',
        [
          'new-session',
          '-d',
          '-s',
          SESSION,
          '-x',
          '120',
          '-y',
          '40',
          '-c',
          ROOT,
          `env -u CI NO_COLOR=1 KNSIM_SOURCE=${process.env.KNSIM_SOURCE ?? ''} node bin/knsim.js tui scenarios/seed-walkthrough.yaml --paused`,
        ],
        { env },
      );
      // The scenario is simulated on a worker thread while the screen is up: it opens as soon
      // as the run has begun, and says so until the run has ended.
      await waitForScreen('the overview', (s) => s.includes('Timeline') && s.includes('q quit'), 60_000);
      await waitForScreen('the end of the simulation', (s) => !s.includes('simulating'), 60_000);
      const coloured = tmux('capture-pane', '-p', '-e', '-t', SESSION);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences
      expect(coloured).not.toMatch(/\u001B\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m/);
      await pressUntil('?', 'the key help', (s) => s.includes('Keys (? or Esc closes this'));
      await pressUntil('Escape', 'the overview again', (s) => s.includes('Timeline') && !s.includes('Keys (?'));
      const end = `${formatRunTime(index.endT)}/${formatRunTime(index.endT)}`;
      await pressUntil('End', 'the end of the run', (s) => s.includes(end));
      const tables = await pressUntil('2', 'the kubectl tables', (s) => s.includes('$ kubectl get kpa'));
      expect(tables).toMatch(/knservice-00001-deployment-\S+\s+2\/2\s+Running\s+0\s+\d+s/);
      expect(tables).toMatch(/^knservice\s+http:\/\/knservice\.default\.example\.com/m);
      tmux('send-keys', '-t', SESSION, 'q');
      await waitFor(
        () => spawnSync('tmux', ['has-session', '-t', SESSION]).status !== 0,
        'the command to exit',
        15_000,
      );
    },
    // Deadlines for a loaded machine; a passing run takes a few seconds.
    90_000,
  );

  it('prints the screen at the end of the run when stdout is not a terminal', async () => {
    const log = join(dir, 'seed.jsonl');
    writeFileSync(log, (await seedRun()).text);
    const r = await spawnAsync('node', ['bin/knsim.js', 'tui', log], { cwd: ROOT });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('not a terminal');
    expect(r.stdout).toContain('Timeline knservice-00001');
    expect(r.stdout).toContain('answered 1: 1 ok');
  });

  it('keeps `knsim start` printing the transcript when piped', async () => {
    const env = { ...process.env, CI: 'true' };
    const r = await spawnAsync('node', ['bin/knsim.js', 'start'], { cwd: ROOT, env });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('$ kubectl get pods');
    expect(r.stdout).toContain('all expectations met');
  });
});
