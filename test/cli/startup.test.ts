/**
 * First contact with the command line: `knsim validate`, a start-up that loads only what the
 * command needs, and a reader that goes away (`knsim run … | head -1`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, hasStackTrace, knsim, knsimInProcess, REPO, scratch } from './helpers.js';

describe('knsim validate', () => {
  it('accepts valid scenarios without running them, and says what is in them', async () => {
    const r = knsim(['validate', 'scenarios/seed-walkthrough.yaml', 'scenarios/diurnal-24h.yaml']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      'scenarios/seed-walkthrough.yaml: valid (seed-walkthrough: 15 steps, 1 manifest, 1 ConfigMap, 2 final expectations)\n' +
        'scenarios/diurnal-24h.yaml: valid (diurnal-24h: 9 steps, 1 load phase, 1 manifest, 1 ConfigMap, 2 final expectations)\n',
    );
    expect(r.status).toBe(0);
    const quiet = await knsimInProcess(['validate', '-q', 'scenarios/idle-to-zero.yaml']);
    expect(quiet).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('lists every problem of every file with file, line and field, and exits 2', async () => {
    const dir = scratch({
      'bad.yaml': 'name: x\nsteps:\n  - sleep: 30\n  - kubectl: gett pods\n',
      'good.yaml': 'name: fine\nsteps:\n  - sleep: 1s\n',
    });
    const r = await knsimInProcess(['validate', 'bad.yaml', 'good.yaml', 'missing.yaml'], { cwd: dir });
    expect(r.stdout).toBe('good.yaml: valid (fine: 1 step)\n');
    expect(r.stderr).toBe(
      [
        'bad.yaml:3:12: steps[0].sleep: invalid duration 30: missing unit (write e.g. "30s" or "30ms")',
        'bad.yaml:4:14: steps[1].kubectl: error: unknown command "gett" for "kubectl"; did you mean "get"?',
        'missing.yaml: cannot read the scenario file: no such file',
        '2 files of 3 not valid',
        '',
      ].join('\n'),
    );
    expect(hasStackTrace(r.stderr)).toBe(false);
    expect(r.status).toBe(2);
  });

  it('checks the load phases as knsim run does', async () => {
    const dir = scratch({ 'load.yaml': 'name: x\nload:\n  - { at: 0s, for: 1s, poisson: { rps: -5 } }\n' });
    const r = await knsimInProcess(['validate', 'load.yaml'], { cwd: dir });
    expect(r.stderr).toContain('load.yaml:3:');
    expect(r.stderr).toContain('load[0].poisson.rps');
    expect(r.status).toBe(2);
  });
});

/** Modules outside cli/ and io/ that a command line may load at start-up: a flag parser with no imports. */
const LIGHT = ['runner/sweep/shardSpec.ts'];

describe('start-up', () => {
  /** The repository modules a command loads, recorded by a loader hook. */
  function loadedModules(args: string[]): string[] {
    const dir = scratch();
    const hook = join(dir, 'hook.mjs');
    writeFileSync(
      hook,
      `export async function load(url, context, next) {
  if (url.startsWith(${JSON.stringify(`file://${REPO}/src/`)})) process.stderr.write('LOADED ' + url + '\\n');
  return next(url, context);
}
`,
    );
    const register = join(dir, 'register.mjs');
    writeFileSync(
      register,
      `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${hook}`)});\n`,
    );
    // The sources, module by module (the suite's commands run the one-file build otherwise).
    const r = spawnSync(process.execPath, ['--import', register, BIN, ...args], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, KNSIM_SOURCE: '1' },
    });
    expect(r.status).toBe(0);
    return [...r.stderr.matchAll(/^LOADED file:\/\/\S+?\/src\/(\S+)$/gm)].map((m) => m[1]!);
  }

  it('--version and --help load the command line only, not the simulator, the screen or a backend', () => {
    for (const args of [['--version'], ['--help'], ['run', '--help']]) {
      const loaded = loadedModules(args);
      expect(loaded.length, args.join(' ')).toBeGreaterThan(0);
      expect(
        // The command line and its small file and error helpers only (and the --shard flag's
        // parser, kept apart from the sweep's rules for this very reason).
        loaded.filter((m) => !m.startsWith('cli/') && !m.startsWith('io/') && !LIGHT.includes(m)),
        args.join(' '),
      ).toEqual([]);
    }
  });
});

describe('one command built', () => {
  it('`knsim NAME` answers as with every command built: its help is what `knsim help NAME` prints', async () => {
    // `knsim help NAME` builds every command (the first word is not a command), `knsim NAME --help`
    // only NAME's; the table of names in src/cli/main.ts must hold every command the help lists.
    const help = await knsimInProcess(['--help']);
    const names = [...help.stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!).filter((n) => n !== 'help');
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) {
      const all = await knsimInProcess(['help', name]);
      const one = await knsimInProcess([name, '--help']);
      expect(one, name).toEqual(all);
      expect(one.stdout, name).toContain(`Usage: knsim ${name} `);
    }
    // An unknown option of one command: its message, as with every command built.
    const wrong = await knsimInProcess(['run', '--no-such-flag', 'x.yaml']);
    expect(wrong.stderr).toBe("error: unknown option '--no-such-flag'\n(run knsim --help for usage)\n");
    expect(wrong.status).toBe(2);
  });
});

describe('a reader that goes away', () => {
  it('ends knsim run quietly when its output pipe closes (knsim run … | head -1)', async () => {
    const child = spawn(process.execPath, [BIN, 'run', 'scenarios/idle-to-zero.yaml'], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    // Like head -1: read the first chunk, then close the pipe.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(stderr).toBe('');
    // As a Unix tool ended by SIGPIPE reports it: 128 + 13.
    expect(code).toBe(141);
  });
});
