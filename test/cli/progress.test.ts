/** Progress of long runs on stderr when it is a terminal. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectedRunMs, Progress } from '../../src/cli/progress.js';
import { parseScenarioFile } from '../../src/scenario/file.js';
import { BIN, knsimInProcess, REPO, scratch } from './helpers.js';

describe('progress', () => {
  it('says how far the run is, how fast, and how long is left; redrawn a few times a second', () => {
    let now = 0;
    const out: string[] = [];
    const p = new Progress({ expectedMs: 86_400_000, write: (t) => out.push(t), now: () => now });
    p.at(1_000); // the first second shows nothing: short runs do not flicker
    expect(out).toEqual([]);
    now = 1_000;
    p.at(14_400_000);
    expect(out).toEqual(['\r\u001B[Kknsim: simulated 4h of 24h (16 %) · 14,400x real time · about 5s left']);
    now = 1_100;
    p.at(15_000_000); // within 250 ms of the last line: not drawn
    expect(out).toHaveLength(1);
    now = 1_250;
    p.at(86_300_000);
    expect(out.at(-1)).toContain('(99 %)');
    expect(out.at(-1)).toContain('under 1s left');
    p.done();
    expect(out.at(-1)).toBe('\r\u001B[K');
    // Past the expected length (a wait took longer): no percentage, no time left.
    expect(p.line(90_000_000, 2_000)).toBe('knsim: simulated 25h · 45,000x real time');
  });

  it('expects the length the scenario fixes: steps at given times, sleeps, load phases', () => {
    expect(expectedRunMs(parseScenarioFile(`${REPO}/scenarios/diurnal-24h.yaml`))).toBe(86_460_000);
    const dir = scratch({
      'a.yaml':
        'name: a\nsteps:\n  - sleep: 30s\n  - { at: 2m, note: x }\n  - sleep: 10s\nload:\n  - { at: 1m, for: 3m, constant: { rps: 1 } }\n',
      'b.yaml': 'name: b\nsteps:\n  - note: nothing fixed\n',
    });
    expect(expectedRunMs(parseScenarioFile(`${dir}/a.yaml`))).toBe(240_000);
    expect(expectedRunMs(parseScenarioFile(`${dir}/b.yaml`))).toBeUndefined();
  });

  it('draws nothing when stderr is not a terminal', async () => {
    const r = await knsimInProcess(['run', 'scenarios/idle-to-zero.yaml']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it.skipIf(spawnSync('tmux', ['-V']).status !== 0)(
    'draws on a terminal while the transcript goes to a file',
    async () => {
      const dir = scratch();
      const session = `knsim-progress-${process.pid}`;
      spawnSync('tmux', [
        'new-session',
        '-d',
        '-s',
        session,
        '-x',
        '120',
        '-y',
        '10',
        '-c',
        REPO,
        // The run is stopped (SIGTERM, by its pid) once its progress line has shown: a simulated
        // day would cost 10 s of CPU here, and however fast the machine, the line has shown.
        `sh -c 'echo $$ > ${dir}/pid; exec ${process.execPath} ${BIN} run scenarios/diurnal-24h.yaml' > ${dir}/out.txt; echo EXITED; sleep 120`,
      ]);
      try {
        const seen = new Set<string>();
        const deadline = Date.now() + 120_000;
        let stopped = false;
        for (;;) {
          const pane = spawnSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' }).stdout;
          for (const l of pane.split('\n')) if (l.startsWith('knsim: simulated')) seen.add(l);
          if (pane.includes('EXITED') || Date.now() > deadline) break;
          if (seen.size > 0 && !stopped) {
            process.kill(Number(readFileSync(join(dir, 'pid'), 'utf8')), 'SIGTERM');
            stopped = true;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        expect([...seen].some((l) => /^knsim: simulated \S+ of 24h1m \(\d+ %\) · [\d,]+x real time/.test(l))).toBe(
          true,
        );
        // Cleared at the end: the terminal keeps no progress line, and the stop's message is whole.
        const last = spawnSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' }).stdout;
        expect(last).not.toContain('knsim: simulated');
        expect(last).toMatch(/^knsim: interrupted by SIGTERM at /m);
      } finally {
        spawnSync('tmux', ['kill-session', '-t', session]);
      }
    },
  );
});
