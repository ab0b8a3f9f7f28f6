/**
 * SIGINT (Ctrl-C) and SIGTERM end a command promptly, with 130 or 143, and a log being written
 * ends with an `end` line that says the run was interrupted (read back through the project's log
 * reader, so every line is whole and valid). Real child processes; the signal is sent once the
 * command shows it is at work. The deadline below is a guard against a hang, not a measure of
 * speed (docs/reliability.md has the times).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEventLog } from '../../src/io/logReader.js';
import { BIN, REPO, scratch } from './helpers.js';

/** Preloaded into the child: says on fd 3 when the command starts listening for a signal. */
const LISTENING = join(import.meta.dirname, 'listening.mjs');

/** A scenario that would run for hours of wall time: 2,000 RPS for 5 simulated hours. */
const LONG = `name: long
files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: demo }
    spec:
      template:
        spec:
          containers: [{ image: docker.io/x/y }]
load:
  - { at: 0s, for: 5h, poisson: { rps: 2000 } }
steps:
  - apply: svc.yaml
  - wait: ksvc demo Ready
  - sleep: 5h
`;

interface Ended {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From the signal to the exit, ms (reported, not asserted beyond a hang guard). */
  afterSignalMs: number;
}

/**
 * Starts knsim, waits until `ready` holds for its output (or, for a command that prints nothing
 * while it works, `'listening'`: until the command listens for `signal`, test/cli/listening.mjs),
 * sends `signal`, and resolves when it exits (killing it after `guardMs`).
 */
function interrupt(
  args: string[],
  ready: ((out: string) => boolean) | 'listening' | { poll: () => boolean },
  signal: NodeJS.Signals,
  cwd: string,
  guardMs = 20_000,
): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['--import', LISTENING, BIN, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, KNSIM_DEBUG: '' },
    });
    let stdout = '';
    let stderr = '';
    let sentAt = 0;
    const startGuard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const send = () => {
      if (sentAt !== 0) return;
      sentAt = performance.now();
      child.kill(signal);
      setTimeout(() => child.kill('SIGKILL'), guardMs).unref();
    };
    const check = () => {
      if (typeof ready === 'function' && ready(stdout + stderr)) send();
    };
    if (ready === 'listening') {
      let said = '';
      child.stdio[3]?.on('data', (d: Buffer) => {
        said += d.toString();
        if (said.includes(`listening ${signal}\n`)) send();
      });
    }
    if (typeof ready === 'object') {
      const poll = setInterval(() => {
        if (sentAt !== 0 || ready.poll()) {
          clearInterval(poll);
          send();
        }
      }, 50);
      child.on('close', () => clearInterval(poll));
    }
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      check();
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      check();
    });
    child.on('error', reject);
    child.on('close', (status, sig) => {
      clearTimeout(startGuard);
      resolve({ status, signal: sig, stdout, stderr, afterSignalMs: performance.now() - sentAt });
    });
  });
}

describe('knsim run --log, interrupted', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: exit %i, the log complete with an end line saying so', async (signal, code) => {
    const dir = scratch({ 'long.yaml': LONG });
    const log = join(dir, 'run.jsonl');
    const r = await interrupt(
      ['run', 'long.yaml', '--log', log],
      (out) => out.includes('waited until ksvc demo Ready'),
      signal,
      dir,
    );
    expect(r.signal).toBeNull();
    expect(r.status, r.stderr).toBe(code);
    expect(r.afterSignalMs).toBeLessThan(15_000);
    expect(r.stderr).toMatch(new RegExp(`^knsim: interrupted by ${signal} at [\\d:.]+ of simulated time; `, 'm'));
    const { events } = readEventLog(log);
    const last = events[events.length - 1];
    expect(last).toMatchObject({ type: 'end', ok: false, interrupted: signal });
    expect(readFileSync(log, 'utf8').endsWith('\n')).toBe(true);
  });
});

describe('limits on the work of a run', () => {
  it('--max-requests: stopped with exit 2, saying what was reached and which flag raises it; the log ends', () => {
    const dir = scratch({ 'long.yaml': LONG });
    const log = join(dir, 'run.jsonl');
    const r = spawnSync(process.execPath, [BIN, 'run', 'long.yaml', '--max-requests', '5000', '--log', log], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /^knsim: the run was stopped: it reached 5,000 requests \(--max-requests raises the limit\) at [\d:.]+ of simulated time/m,
    );
    const { events } = readEventLog(log);
    expect(events[events.length - 1]).toMatchObject({
      type: 'end',
      ok: false,
      stopped: expect.stringMatching(/5,000 requests/),
    });
  });

  it('--max-time: a run asking for more simulated time stops at the limit', () => {
    const dir = scratch({ 'long.yaml': LONG });
    // 20 s of 2,000 RPS (was 90 s: the same message, a fifth of the requests to simulate).
    const r = spawnSync(process.execPath, [BIN, 'run', 'long.yaml', '--max-time', '20s'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('it reached 20s of simulated time (--max-time raises the limit) at 00:20.000');
  });

  it('refuses a limit that is not a count or a duration', () => {
    const r = spawnSync(process.execPath, [BIN, 'run', 'x.yaml', '--max-events', 'lots'], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('expected a whole number of at least 1');
  });
});

describe('other commands', () => {
  it('knsim serve --log: SIGTERM closes the servers, ends the log, exits 143', async () => {
    const dir = scratch();
    const log = join(dir, 'serve.jsonl');
    const r = await interrupt(
      ['serve', '--insecure-http', '--log', log, '--kubeconfig-out', join(dir, 'kubeconfig')],
      (out) => out.includes('Press Ctrl-C to stop.'),
      'SIGTERM',
      dir,
    );
    expect(r.status, r.stderr).toBe(143);
    const { events } = readEventLog(log);
    expect(events[events.length - 1]).toMatchObject({ type: 'end', interrupted: 'SIGTERM' });
  });

  it('knsim sweep: SIGINT ends the sweep and its worker threads, exit 130', async () => {
    const dir = scratch({ 'long.yaml': LONG });
    const r = await interrupt(
      ['sweep', 'long.yaml', '--set', 'stable-window=60s,90s', '--jobs', '2'],
      // The sweep prints nothing before its table: the signal goes once it listens for it.
      'listening',
      'SIGINT',
      dir,
    );
    expect(r.status, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/^knsim sweep: SIGINT: stopped after \d+ runs$/m);
  });

  it('knsim sweep --shard -o: SIGTERM (a Job pod deleted) exits 143 and leaves no shard file to merge', async () => {
    const dir = scratch({ 'long.yaml': LONG });
    const out = join(dir, 'shard-1.jsonl');
    const r = await interrupt(
      ['sweep', 'long.yaml', '--set', 'stable-window=60s,90s,120s', '--shard', '1/2', '--jobs', '2', '-o', out],
      'listening',
      'SIGTERM',
      dir,
    );
    expect(r.status, r.stderr).toBe(143);
    expect(r.stderr).toMatch(/^knsim sweep: SIGTERM: stopped after \d+ runs$/m);
    expect(existsSync(out)).toBe(false);
  });

  it('knsim predict -o: SIGINT stops the simulated run; -o holds its log up to there, with the end line', async () => {
    const dir = scratch({ 'long.yaml': LONG });
    // A "live" log to predict: the header of a short run of the same scenario is enough.
    const live = join(dir, 'live.jsonl');
    // (2 s of simulated time: 4,000 requests; it was 30 s, 60,000 requests, for the same header.)
    const first = spawnSync(process.execPath, [BIN, 'run', 'long.yaml', '--max-time', '2s', '--log', live], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(first.status).toBe(2);
    const out = join(dir, 'sim.jsonl');
    // The signal goes once the simulated run is under way (its log has begun), not after a fixed wait.
    const begun = () => existsSync(out) && statSync(out).size > 0;
    const r = await interrupt(['predict', live, '--scenario', 'long.yaml', '-o', out], { poll: begun }, 'SIGINT', dir);
    expect(r.status, r.stderr).toBe(130);
    const { events } = readEventLog(out);
    expect(events[events.length - 1]).toMatchObject({ type: 'end', interrupted: 'SIGINT' });
  });
});

describe('the default limits', () => {
  it('the time limit is the longest duration a scenario may name', async () => {
    const { DEFAULT_RUN_LIMITS } = await import('../../src/io/runLimits.js');
    const { MAX_SCENARIO_MS } = await import('../../src/scenario/duration.js');
    expect(DEFAULT_RUN_LIMITS.maxTimeMs).toBe(MAX_SCENARIO_MS);
  });
});
