/**
 * The build (scripts/build.mjs, run by `npm install` through `prepare`): bin/knsim.js runs it when
 * it is there and fresh, it answers as the sources do (the command line, a run, a sweep's worker
 * threads, a report reading its page script), and a source newer than the build makes bin fall
 * back to the sources, saying so. Done in a copy of the package, so the checkout's own dist/ (or
 * its absence) does not matter.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../tui/helpers.js';
import { REPO } from './helpers.js';

let copy = '';
const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;

/** Runs `node [--import hook] bin/knsim.js args` in the copy, without KNSIM_SOURCE. */
function bin(args: string[], options: { hook?: string; source?: boolean } = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, KNSIM_DEBUG: '' };
  delete env.KNSIM_SOURCE;
  if (options.source) env.KNSIM_SOURCE = '1';
  const pre = options.hook ? ['--import', options.hook] : [];
  const r = spawnSync(process.execPath, [...pre, join(copy, 'bin/knsim.js'), ...args], {
    cwd: copy,
    encoding: 'utf8',
    env,
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A loader hook that prints every ES module of the copy that Node loads (LOADED), and at exit every
 * CommonJS file of the copy that was required (REQUIRED: bin/ is CommonJS, which the hook does not see).
 */
function loadHook(): string {
  const hook = join(copy, 'hook.mjs');
  writeFileSync(
    hook,
    `export async function load(url, context, next) {
  if (url.startsWith(${JSON.stringify(`file://${copy}/`)})) process.stderr.write('LOADED ' + url.slice(${`file://${copy}/`.length}) + '\\n');
  return next(url, context);
}
`,
  );
  const register = join(copy, 'register.mjs');
  writeFileSync(
    register,
    `import { createRequire, register } from 'node:module';
register(${JSON.stringify(`file://${hook}`)});
const required = createRequire(import.meta.url).cache;
process.on('exit', () => {
  for (const file of Object.keys(required))
    if (file.startsWith(${JSON.stringify(`${copy}/`)})) process.stderr.write('REQUIRED ' + file.slice(${`${copy}/`.length}) + '\\n');
});
`,
  );
  return register;
}

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'knsim-build-'));
  for (const part of ['bin', 'src', 'scripts', 'package.json', 'tsconfig.json']) {
    cpSync(join(REPO, part), join(copy, part), { recursive: true });
  }
  for (const part of ['node_modules', 'scenarios']) symlinkSync(join(REPO, part), join(copy, part));
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: copy, encoding: 'utf8', timeout: 120_000 });
  expect(built.stderr).toBe('');
  expect(built.status).toBe(0);
});

describe('the build', () => {
  it('is what bin/knsim.js runs: no source module is loaded, the output is the sources’', () => {
    const hook = loadHook();
    const built = bin(['run', 'scenarios/idle-to-zero.yaml'], { hook });
    const loaded = [...built.stderr.matchAll(/^(?:LOADED|REQUIRED) (\S+)$/gm)].map((m) => m[1]!);
    // The one-file bundle is compiled by bin/bundle.js (vm), not loaded as a module: no chunk either.
    expect(loaded).toContain('bin/bundle.js');
    expect(loaded.filter((m) => m.startsWith('src/') || m.startsWith('dist/'))).toEqual([]);
    // Nothing else on stderr: bin/'s V8 flag for the young generation (a flag V8 does not know
    // would be reported there) and the bundle say nothing.
    expect(built.stderr.replace(/^(?:LOADED|REQUIRED) \S+\n/gm, '')).toBe('');
    expect(built.status).toBe(0);
    const source = bin(['run', 'scenarios/idle-to-zero.yaml'], { source: true });
    expect(built.stdout).toBe(source.stdout);
    expect(built.stdout).toContain('idle-to-zero');
    expect(bin(['--help']).stdout).toBe(bin(['--help'], { source: true }).stdout);
  });

  it('starts a run without what it does not use: the ES-module loader, child_process', () => {
    // Node's own modules that a process loaded, printed at exit by a CommonJS preload.
    const preload = join(copy, 'builtins.cjs');
    writeFileSync(
      preload,
      "process.on('exit', () => process.stderr.write(process.moduleLoadList.map((m) => 'BUILTIN ' + m + '\\n').join('')));\n",
    );
    const builtins = (args: string[]) => {
      const env: NodeJS.ProcessEnv = { ...process.env, KNSIM_DEBUG: '' };
      delete env.KNSIM_SOURCE;
      const r = spawnSync(process.execPath, ['--require', preload, ...args], {
        cwd: copy,
        encoding: 'utf8',
        env,
        timeout: 120_000,
      });
      expect(r.status).toBe(0);
      return [...r.stderr.matchAll(/^BUILTIN NativeModule (\S+)$/gm)].map((m) => m[1]!);
    };
    const bare = new Set(builtins(['-e', '0']));
    const run = builtins([join(copy, 'bin/knsim.js'), 'run', 'scenarios/idle-to-zero.yaml']);
    expect(run).toContain('vm'); // the bundle ran
    // bin/ is CommonJS: no ES module is loaded (Node loads part of its ES-module loader for any
    // process); commander's child_process (for executable subcommands) loads on first use only.
    const unused = (m: string) => m.startsWith('internal/modules/esm/') || /child_process/.test(m);
    expect(run.filter((m) => unused(m) && !bare.has(m))).toEqual([]);
    // crypto (≈ 7 ms) is not in that list: every run loads it for its first digest (the nodes'
    // images as they join, src/model/digest.ts).
  });

  it('runs the screen from the ES modules (ink cannot be required)', () => {
    const r = bin(['tui', '--help'], { hook: loadHook() });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^LOADED dist\/cli\/main\.js$/m);
    expect(r.stdout).toBe(bin(['tui', '--help'], { source: true }).stdout);
  });

  it('has a code cache V8 takes, and passes over one older than the bundle', () => {
    const used = () =>
      spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { loadBundle } = await import(${JSON.stringify(join(copy, 'bin/bundle.js'))}); process.stdout.write(String(loadBundle(${JSON.stringify(join(copy, 'dist'))}).cacheUsed));`,
        ],
        { encoding: 'utf8' },
      ).stdout;
    expect(used()).toBe('true');
    const bundle = join(copy, 'dist/knsim.cjs');
    const { mtime } = statSync(join(copy, 'dist/knsim.cache'));
    const later = new Date(mtime.getTime() + 60_000);
    utimesSync(bundle, later, later);
    try {
      expect(used()).toBe('false');
      expect(bin(['--version']).stdout).toBe('0.1.0\n');
    } finally {
      utimesSync(bundle, mtime, mtime);
    }
  });

  it('runs a sweep on worker threads from dist/ and reads the report page’s script', () => {
    const sweep = bin(['sweep', 'scenarios/idle-to-zero.yaml', '--set', 'containerConcurrency=0,5', '--json']);
    expect(sweep.stderr).toBe('');
    expect(sweep.status).toBe(0);
    const rows = JSON.parse(sweep.stdout) as unknown[];
    expect(rows).toHaveLength(2);
    const log = join(copy, 'run.jsonl');
    expect(bin(['run', 'scenarios/idle-to-zero.yaml', '--log', log, '--log-requests', 'none']).status).toBe(0);
    const report = bin(['report', log, '-o', join(copy, 'run.html')]);
    expect(report.stderr).toMatch(/^knsim report: wrote .*run\.html/);
    expect(report.status).toBe(0);
    const page = readFileSync(join(copy, 'run.html'), 'utf8');
    expect(page).toContain(readFileSync(join(REPO, 'src/report/client.js'), 'utf8').slice(0, 200));
  });

  // `npm start` on a terminal opens the screen: from the build that must be the ES modules too (the
  // bundle cannot require ink); it once ended in "require() cannot be used on an ESM graph with
  // top-level await" on every terminal, while piped runs and `knsim tui` were fine.
  it.skipIf(!HAS_TMUX)(
    HAS_TMUX ? 'opens the screen for `knsim start` on a terminal' : 'in tmux (skipped: tmux is not installed)',
    async () => {
      const session = `knsim-build-start-${process.pid}`;
      const command = `env -u CI -u KNSIM_SOURCE NO_COLOR=1 KNSIM_DEBUG=1 node bin/knsim.js start; echo "exit $?"; sleep 60`;
      execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '40', '-c', copy, command]);
      let screen = '';
      try {
        await waitFor(
          () => {
            screen = execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
            return screen.includes('Timeline') || /exit \d+/.test(screen);
          },
          'the screen or the command to end',
          60_000,
        );
        expect(screen).not.toContain('internal error');
        expect(screen).toContain('knsim seed-walkthrough');
        expect(screen).toContain('Timeline');
      } finally {
        spawnSync('tmux', ['kill-session', '-t', session]);
      }
    },
    90_000,
  );

  it('is passed over, with a note, when a source is newer than it', () => {
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(copy, 'src/cli/main.ts'), later, later);
    const r = bin(['--version'], { hook: loadHook() });
    expect(r.stdout).toBe('0.1.0\n');
    expect(r.stderr).toContain(
      'knsim: src/cli/main.ts is newer than the build in dist/ (npm run build updates it); running the TypeScript sources through tsx\n',
    );
    expect(r.stderr).toMatch(/^LOADED src\/cli\/main\.ts$/m);
  });
});
