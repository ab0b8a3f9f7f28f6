/**
 * Docs that run: every fenced block of README.md and docs/*.md is run here, or named below with
 * the reason it is not, so an example cannot rot unnoticed (a new block or command that no rule
 * covers fails the test).
 *
 * - knsim commands run in-process (`main`) in a scratch directory, in the order the docs give
 *   them (`/tmp/…` and output files land in the scratch directory), and must exit 0; those that
 *   start worker threads run as their own process (startsWorkers). Where a
 *   block shows a command's output, the output must be what the command prints.
 * - `knsim serve` runs as its own process until the file's examples are done; the kubectl and
 *   curl lines of docs/serve.md run against it (real kubectl and curl) and must print what the
 *   docs show.
 * - `knsim live` needs a cluster with Knative: its lines are checked for parsing only (the
 *   scenario and every flag are accepted; the run stops at the missing kubeconfig).
 *   test/live/serve.e2e.test.ts runs the live backend end to end against `knsim serve`.
 * - YAML scenarios are run with `knsim run` and must meet their expectations; `load:` and
 *   `trace:` fragments are run inside a small scenario that sends them to one Service.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { main } from '../../src/cli/main.js';
import { splitCommandLine } from '../../src/scenario/shell.js';
import { type Block, blocksOf, type CommandLine, commandsOf, docFiles, knsimArgs, REPO } from './blocks.js';

const HAS_KUBECTL = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
const HAS_CURL = spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0;

/** Blocks that are neither commands nor scenarios, and why they are not run. */
const NOT_RUN: Readonly<Record<string, string>> = {
  'docs/live.md#3':
    'what scripts/install-knative-minikube.sh does on a real cluster (the script is checked with bash -n)',
  'docs/live.md#6':
    'the report of a live run (against knsim serve at 1x) compared with the simulation: real-time timings differ from run to run',
  'docs/load.md#1': 'a sketch of the TypeScript API of src/sim/load (buildLoad is tested in test/load/spec.test.ts)',
  'docs/load.md#2': 'the Arrival interface, as declared in src/sim/load/types.ts',
  'docs/performance.md#1':
    'SimFaaS (a Python package, pip and network) side by side with knsim: CPU timings of another tool, not an example of knsim',
  'docs/scenarios.md#3': 'the layout of error messages (each message is tested in test/scenario/parse.test.ts)',
  'docs/sweep.md#5':
    'the layout of a shard file, abridged (test/runner/sweep-shards.test.ts reads and checks real ones)',
  'docs/sweep.md#7':
    'needs a container runtime and a Kubernetes cluster, neither is here; test/docs/sweep-job.test.ts checks examples/sweep/job.yaml with client-node and runs its container command for every completion index',
  'docs/sweep.md#9':
    'needs a Kubernetes cluster; test/runner/sweep-cluster.test.ts runs knsim sweep --cluster against a fake API server whose kubelet runs the Job’s command for every completion index',
};

/** Blocks that show what a command of an earlier block prints: it must print exactly that. */
const OUTPUTS: Readonly<Record<string, string>> = {
  'docs/autoscaler.md#3': 'knsim explain run.jsonl --at 2m4.1s',
  'docs/sweep.md#2':
    'knsim sweep scenarios/idle-to-zero.yaml --set target-burst-capacity=0,200 --set stable-window=30s,60s',
};

/** Commands other than knsim's, and why they are not run here. */
const OTHER_COMMANDS: readonly [RegExp, string][] = [
  [/^npm install\b/, 'installs the dependencies (done before the tests run)'],
  [/^npm test$/, 'runs this test suite'],
  [/^npm run bench\b/, 'benchmarks take minutes of CPU; they are not tests (docs/performance.md)'],
  [
    /^npm run fuzz\b/,
    'the fuzzer runs 10,000 cases for many minutes; a seeded subset of it runs in npm test (test/fuzz)',
  ],
  [/^node --import tsx --cpu-prof\b/, 'a CPU profile of a benchmark case'],
  [/^npx tsx (bench\/tui\.ts|test\/load\/bench\.ts)\b/, 'benchmarks print timings; they are not tests'],
  [
    /^npx tsx src\/sim\/load\/traces\/makeSamples\.ts$/,
    'regenerates the sample traces; test/load/traces.test.ts checks the committed files equal its output',
  ],
];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** One knsim command in-process (in `cwd`, as a user in that directory), its output captured. */
async function knsim(args: string[], cwd = REPO): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const before = process.cwd();
  process.chdir(cwd);
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    process.chdir(before);
    out.mockRestore();
    err.mockRestore();
  }
}

/**
 * Commands that start worker threads (`sweep`'s grid, `tui`'s simulation of a scenario) run as
 * the real command line (the build, test/setup/build.ts): in this process their workers would
 * load the TypeScript sources through tsx, each, at several times the CPU of the whole command.
 */
function startsWorkers(args: readonly string[]): boolean {
  return (
    (args[0] === 'sweep' && args[1] !== 'merge' && !args.includes('--cluster')) ||
    (args[0] === 'tui' && args.some((a) => a.endsWith('.yaml')))
  );
}

/** One knsim command as its own process (in `cwd`), its output captured. */
function knsimProcess(args: string[], cwd: string): Run {
  const r = spawnSync(process.execPath, [join(REPO, 'bin/knsim.js'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 240_000,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KNSIM_DEBUG: '' },
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** A scratch directory where relative paths of the docs resolve: scenarios/, bin/ and scripts/ of the repository. */
function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'knsim-docs-'));
  mkdirSync(join(dir, 'tmp'));
  for (const name of ['scenarios', 'bin', 'scripts']) symlinkSync(join(REPO, name), join(dir, name));
  return dir;
}

/** `/tmp/x` → the scratch directory's tmp/x (relative paths resolve in the scratch directory). */
function localize(args: readonly string[], dir: string): string[] {
  return args.map((a) => (a.startsWith('/tmp/') ? join(dir, a) : a));
}

/** The docs' placeholders filled in. */
function filled(text: string): string {
  return text.replace(/<ingress port>/g, '41773');
}

/** A `knsim serve` process, stopped at the end of its docs file. */
interface Served {
  readonly child: ChildProcess;
  readonly banner: string;
  readonly apiPort: string;
  readonly ingressPort: string;
  readonly kubeconfig: string;
}

async function startServe(args: string[], dir: string): Promise<Served> {
  const child = spawn(process.execPath, [join(REPO, 'bin/knsim.js'), ...args], {
    cwd: dir,
    // The default kubeconfig goes to the temporary directory: keep it in the scratch one.
    env: { ...process.env, TMPDIR: join(dir, 'tmp') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const deadline = Date.now() + 100_000;
  while (!out.includes('Press Ctrl-C to stop.')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`knsim ${args.join(' ')} did not start:\n${out}\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const m = /API on https?:\/\/127\.0\.0\.1:(\d+), ingress on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
  const kubeconfig = /kubeconfig written to (\S+)/.exec(out)?.[1] ?? '';
  return { child, banner: out, apiPort: m?.[1] ?? '', ingressPort: m?.[2] ?? '', kubeconfig };
}

async function stopServe(s: Served | undefined): Promise<void> {
  if (!s || s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await exited;
}

/** The docs' example ports and kubeconfig paths, replaced by the server's own. */
function withServer(text: string, s: Served): string {
  return text
    .replace(/\/tmp\/knsim-36111\.kubeconfig/g, s.kubeconfig)
    .replace(/36111/g, s.apiPort)
    .replace(/41773/g, s.ingressPort)
    .replace(/:Q\b/g, `:${s.ingressPort}`);
}

/** Lines with their trailing blanks removed (kubectl pads its last column). */
const trimLines = (text: string) => text.replace(/[ \t]+$/gm, '');

/** Runs a kubectl or curl line of the docs against the server until it prints `expected` (a state to wait for). */
async function againstServer(c: CommandLine, s: Served, dir: string, expected: string): Promise<string> {
  const [cmd, ...args] = splitCommandLine(withServer(filled(c.text), s));
  const env = { ...process.env, KUBECONFIG: s.kubeconfig, KUBECACHEDIR: join(dir, 'kube-cache') };
  const deadline = Date.now() + 30_000;
  let last = '';
  for (;;) {
    const r = spawnSync(cmd!, args, { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
    last = `${r.stdout ?? ''}${r.stderr ? `\n(stderr) ${r.stderr}` : ''}`;
    if (r.status === 0 && trimLines(r.stdout) === trimLines(expected)) return r.stdout;
    if (Date.now() > deadline) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A small scenario around a `load:` list: one Service on example.com, the load, time for it to run. */
function loadScenario(load: unknown[], minutes: number): string {
  return `name: docs-load
config:
  config-domain: { example.com: "" }
files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: knservice }
    spec:
      template:
        spec:
          containers:
            - image: docker.io/knsim/demo
steps:
  - apply: svc.yaml
  - wait: ksvc knservice Ready
  - { at: ${minutes}m, kubectl: get pods }
load: ${JSON.stringify(load)}
expect:
  - requests > 0
`;
}

/** A drawing (box-drawing characters and arrows), not something to run. */
function isDiagram(block: Block): boolean {
  return block.lang === '' && /[│▼▲►◄┌┐└┘├┤─]/.test(block.text);
}

/**
 * A log line number in explain's output (`[run.jsonl:462]`) moves whenever the log gains an
 * event type; the docs' number is not held to it.
 */
const withoutLogLines = (text: string) => text.replace(/\[(\S+\.jsonl):\d+\]/g, '[$1:…]');

function yamlKind(block: Block): 'scenario' | 'load' | 'phase' | undefined {
  const doc = parseYaml(block.text) as Record<string, unknown> | null;
  if (!doc || typeof doc !== 'object') return undefined;
  if ('steps' in doc || 'files' in doc) return 'scenario';
  if (Object.keys(doc).length === 1 && Array.isArray(doc.load)) return 'load';
  if (Object.keys(doc).length === 1 && 'trace' in doc) return 'phase';
  return undefined;
}

/** What a block's checks found wrong (empty: it runs as documented). */
type Problems = string[];

class FileRunner {
  readonly dir = scratchDir();
  private served: Served | undefined;
  private readonly outputs = new Map<string, string>();
  readonly log: string[] = [];

  async close(): Promise<void> {
    await stopServe(this.served);
    rmSync(this.dir, { recursive: true, force: true });
  }

  async block(b: Block): Promise<Problems> {
    if (b.id in OUTPUTS) return this.output(b);
    if (b.id in NOT_RUN || isDiagram(b)) return [];
    if (b.lang === 'yaml') return this.yaml(b);
    if (b.lang === 'ts') return [`${b.id}: a TypeScript block; name it in NOT_RUN or make it a test`];
    const problems: Problems = [];
    for (const c of commandsOf(b)) problems.push(...(await this.command(b, c)));
    return problems;
  }

  private output(b: Block): Problems {
    const command = OUTPUTS[b.id]!;
    const printed = this.outputs.get(command);
    if (printed === undefined)
      return [`${b.id}: the block shows the output of "${command}", which no earlier block ran`];
    return withoutLogLines(printed) === withoutLogLines(b.text)
      ? []
      : [`${b.id}: "${command}" prints\n${printed}\nbut the docs show\n${b.text}`];
  }

  private async yaml(b: Block): Promise<Problems> {
    const kind = yamlKind(b);
    if (!kind) return [`${b.id}: a YAML block that is neither a scenario nor a load fragment`];
    let text = b.text;
    if (kind === 'load') text = loadScenario((parseYaml(b.text) as { load: unknown[] }).load, 3);
    if (kind === 'phase') {
      const phase = { at: '0s', ...(parseYaml(b.text) as object) };
      text = loadScenario([phase], 61);
    }
    // Relative paths in a scenario (traces/…, manifests/…) resolve against its directory.
    const file = join(this.dir, 'scenarios', `docs-${b.file.replace(/\W/g, '-')}-${b.id.split('#')[1]}.yaml`);
    writeFileSync(file, text);
    try {
      const r = await knsim(['run', file], this.dir);
      const problems: Problems = [];
      if (r.code !== 0) problems.push(`${b.id}: knsim run exits ${r.code}:\n${r.stderr}${r.stdout.slice(-2000)}`);
      if (/was rejected|✗/.test(r.stdout))
        problems.push(`${b.id}: a step or expectation failed:\n${r.stdout.slice(-3000)}`);
      return problems;
    } finally {
      rmSync(file, { force: true });
    }
  }

  private async command(b: Block, c: CommandLine): Promise<Problems> {
    const where = `${b.file}:${c.line}: ${c.text}`;
    const parts = filled(c.text).split(/\s*&&\s*/);
    const problems: Problems = [];
    for (const part of parts) {
      // A synopsis (`knsim live <scenario> [--kubeconfig F] …`): each of its flags is one the command has.
      const synopsis = /<\w[^>]*>|\s\[/.test(part) ? knsimArgs(part.split(/\s+/)) : undefined;
      if (synopsis) {
        problems.push(...(await this.synopsis(where, part, synopsis[0]!)));
        continue;
      }
      const args = knsimArgs(splitCommandLine(part));
      if (args) {
        problems.push(...(await this.knsimCommand(where, part, args, c)));
        continue;
      }
      const other = OTHER_COMMANDS.find(([re]) => re.test(part));
      if (other) {
        this.log.push(`not run: ${part} (${other[1]})`);
        continue;
      }
      if (part === 'scripts/install-knative-minikube.sh') {
        const r = spawnSync('bash', ['-n', join(REPO, part)], { encoding: 'utf8' });
        if (r.status !== 0) problems.push(`${where}: bash -n: ${r.stderr}`);
        continue;
      }
      if (/^(kubectl|curl|export) /.test(part) && this.served) {
        problems.push(...(await this.serverCommand(where, part, c)));
        continue;
      }
      problems.push(`${where}: no rule runs this command; add one to test/docs/docs.test.ts`);
    }
    return problems;
  }

  private async synopsis(where: string, text: string, command: string): Promise<Problems> {
    const help = await knsim([command, '--help']);
    const flags = [...text.matchAll(/(?<![\w-])--?[a-zA-Z][\w-]*/g)].map((m) => m[0]);
    return flags.filter((f) => !help.stdout.includes(f)).map((f) => `${where}: ${f} is not in knsim ${command} --help`);
  }

  private async knsimCommand(where: string, text: string, args: string[], c: CommandLine): Promise<Problems> {
    if (args[0] === 'serve') {
      const served = await startServe(localize(args, this.dir), this.dir);
      // Only a server the docs go on to use (a `$ knsim serve` with its banner shown) stays up for
      // the kubectl and curl lines that follow; others are stopped once they are up.
      if (!c.prompted) {
        await stopServe(served);
        return [];
      }
      await stopServe(this.served);
      this.served = served;
      if (c.output !== '') {
        // The banner as the docs show it (`...` stands for the lines left out).
        const shown = withServer(c.output, this.served);
        const missing = shown.split('\n').filter((l) => l !== '' && l !== '...' && !this.served!.banner.includes(l));
        if (missing.length > 0)
          return [`${where}: the banner lacks\n${missing.join('\n')}\nit is\n${this.served.banner}`];
      }
      return [];
    }
    if (args[0] === 'live') {
      // Needs a cluster: the scenario and the flags must parse; the run stops at the kubeconfig.
      const missing = join(this.dir, 'no-such-kubeconfig');
      const r = await knsim([...localize(args, this.dir), '--kubeconfig', missing], this.dir);
      const stopped = r.code === 2 && r.stderr.includes(`--kubeconfig ${missing}: cannot open`);
      return stopped
        ? []
        : [`${where}: expected to stop at the missing kubeconfig (exit 2), got ${r.code}:\n${r.stderr}`];
    }
    // The stand-in for a live run's log: a simulated run of the same scenario (same format).
    for (const live of ['live.jsonl', 'tmp/live.jsonl']) {
      if (args.some((a) => a.endsWith(live)) && !existsSync(join(this.dir, live))) {
        await knsim(['run', 'scenarios/seed-walkthrough.yaml', '--log', live], this.dir);
      }
    }
    const r = startsWorkers(args)
      ? knsimProcess(localize(args, this.dir), this.dir)
      : await knsim(localize(args, this.dir), this.dir);
    this.outputs.set(text, r.stdout);
    if (r.code === 0) return [];
    // A documented failure (a limit, a refused input): the docs show knsim's own error lines, and
    // the command must print exactly those.
    const shownErrors = c.output.split('\n').filter((l) => l.startsWith('knsim: '));
    if (shownErrors.length > 0 && shownErrors.every((l) => r.stderr.split('\n').includes(l))) return [];
    return [`${where}: exits ${r.code}:\n${r.stderr}${r.stdout.slice(-1500)}`];
  }

  private async serverCommand(where: string, text: string, c: CommandLine): Promise<Problems> {
    const s = this.served!;
    if (text.startsWith('export ')) {
      // The kubeconfig the docs export is the one the banner named.
      const path = withServer(text.replace(/^export KUBECONFIG=/, ''), s);
      return path === s.kubeconfig ? [] : [`${where}: exports ${path}, but the server wrote ${s.kubeconfig}`];
    }
    if (text.startsWith('kubectl ') && !HAS_KUBECTL) return [];
    if (text.startsWith('curl ') && !HAS_CURL) return [];
    // Without output in the docs, a curl of the seed service answers as the article's app does.
    const expected = c.output !== '' ? c.output : 'Hello Knative!\n';
    const printed = await againstServer(c, s, this.dir, expected);
    return trimLines(printed) === trimLines(expected)
      ? []
      : [`${where}: prints\n${printed}\nbut the docs show\n${expected}`];
  }
}

const runners: FileRunner[] = [];
afterAll(async () => {
  for (const r of runners) await r.close();
});

// A file's examples run one after the other (some use what an earlier one wrote).
describe('the examples in the docs run as shown', { timeout: 600_000 }, () => {
  it.each(docFiles())('%s', async (file) => {
    const runner = new FileRunner();
    runners.push(runner);
    const problems: Problems = [];
    for (const b of blocksOf(file)) problems.push(...(await runner.block(b)));
    expect(problems).toEqual([]);
  });

  it('covers every block, and the rules name blocks that exist', () => {
    const ids = new Set(docFiles().flatMap((f) => blocksOf(f).map((b) => b.id)));
    for (const id of [...Object.keys(NOT_RUN), ...Object.keys(OUTPUTS)]) expect(ids, id).toContain(id);
    expect(ids.size).toBeGreaterThan(20);
  });

  if (!HAS_KUBECTL || !HAS_CURL) {
    it.skip('the kubectl and curl lines of docs/serve.md (kubectl or curl is not installed)', () => {});
  }
});

describe('the command table of README.md', () => {
  const rows = [...readFileSync(join(REPO, 'README.md'), 'utf8').matchAll(/^\| `knsim (\w+)([^`]*)` \|/gm)];

  it('lists every command', async () => {
    const help = await knsim(['--help']);
    const commands = [...help.stdout.matchAll(/^ {2}(\w+) /gm)].map((m) => m[1]).filter((c) => c !== 'help');
    expect(rows.map((r) => r[1]).sort()).toEqual([...commands].sort());
  });

  it.each(rows.map((r) => [r[1]!, r[2]!]))('knsim %s: its options exist', async (command, synopsis) => {
    const help = await knsim([command, '--help']);
    for (const flag of synopsis.match(/--[a-z][\w-]*/g) ?? [])
      expect(help.stdout, `${command} ${flag}`).toContain(flag);
  });
});
