/**
 * `npm run fuzz`: generated inputs (fuzz/cases.ts) through the real command line, many at once,
 * each judged a clean error, accepted, a crash, a hang (over its deadline) or a memory blow-up
 * (over its heap limit). Cases run through `main` on worker threads (the modules load once per
 * thread, so thousands of cases take minutes), or each as its own `node bin/knsim.js` process
 * with `--child` (and always for `knsim serve`, which is stopped with SIGTERM once it serves).
 *
 *   npm run fuzz -- [--cases 10000] [--seed N] [--jobs 2] [--child] [--timeout 60000]
 *                   [--heap 1024] [--only 17,256] [--out fuzz-out]
 *
 * Crashes, hangs and blow-ups are grouped into classes (the message with its particulars taken
 * out); each class is printed with the seed and index that reproduce it (`--seed S --only I`),
 * and its first inputs are written under --out.
 */
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../src/io/tsWorker.js';
import { caseAt, type FuzzCase } from './cases.js';
import { makeCorpus } from './corpus.js';
import { argvIn, crashClass, firstLines, type Outcome, type Verdict, verdictOf, writeCase } from './exec.js';

const REPO = resolve(import.meta.dirname, '..');
const BIN = join(REPO, 'bin/knsim.js');

interface Options {
  cases: number;
  seed: number;
  jobs: number;
  child: boolean;
  timeoutMs: number;
  heapMb: number;
  only: number[] | undefined;
  out: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    cases: 10_000,
    seed: randomInt(1, 2 ** 31 - 1),
    jobs: availableParallelism(),
    child: false,
    timeoutMs: 60_000,
    heapMb: 1024,
    only: undefined,
    out: join(REPO, 'fuzz-out'),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${a} needs a value`);
      return value;
    };
    if (a === '--cases') o.cases = Number(v());
    else if (a === '--seed') o.seed = Number(v());
    else if (a === '--jobs') o.jobs = Number(v());
    else if (a === '--child') o.child = true;
    else if (a === '--timeout') o.timeoutMs = Number(v());
    else if (a === '--heap') o.heapMb = Number(v());
    else if (a === '--only') o.only = v().split(',').map(Number);
    else if (a === '--out') o.out = resolve(v());
    else throw new Error(`unknown option ${a} (see the comment at the top of fuzz/run.ts)`);
  }
  return o;
}

/** One worker thread and the case it is on. */
class Slot {
  private worker: Worker | undefined;
  private pending: { index: number; resolve: (o: Outcome) => void; timer: NodeJS.Timeout; t0: number } | undefined;

  constructor(
    private readonly dir: string,
    private readonly o: Options,
  ) {}

  private start(): Worker {
    const w = startTsWorker(new URL('./worker.ts', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: this.o.heapMb },
    });
    w.on('message', (m: { index: number; outcome: Outcome }) => this.settle(m.outcome));
    w.on('error', (e: Error & { code?: string }) => {
      const memory = e.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.worker = undefined;
      this.settle({
        verdict: memory ? 'memory' : 'crash',
        status: null,
        detail: memory ? `heap over ${this.o.heapMb} MB` : `worker error: ${e.message}`,
        ms: 0,
      });
    });
    w.on('exit', (code) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.settle({ verdict: 'crash', status: code, detail: `the command ended its thread (exit ${code})`, ms: 0 });
    });
    return w;
  }

  private settle(outcome: Outcome): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.resolve({ ...outcome, ms: outcome.ms || performance.now() - p.t0 });
  }

  run(index: number, c: FuzzCase): Promise<Outcome> {
    this.worker ??= this.start();
    const worker = this.worker;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // Over its deadline: a hang. The thread is ended (a busy loop included) and replaced.
        this.worker = undefined;
        void worker.terminate();
        this.settle({
          verdict: 'hang',
          status: null,
          detail: `no end within ${this.o.timeoutMs} ms`,
          ms: this.o.timeoutMs,
        });
      }, this.o.timeoutMs);
      this.pending = { index, resolve, timer, t0: performance.now() };
      worker.postMessage({ index, case: c, dir: this.dir });
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}

/** A case as its own process: `node --max-old-space-size bin/knsim.js …`. */
function runChild(c: FuzzCase, dir: string, o: Options): Promise<Outcome> {
  writeCase(c, dir);
  const argv = argvIn(c, dir);
  return new Promise((done) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [`--max-old-space-size=${o.heapMb}`, BIN, ...argv], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KNSIM_SOURCE: '1', KNSIM_DEBUG: '' },
    });
    let stdout = '';
    let stderr = '';
    let hung = false;
    let signalled = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, o.timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < 100_000) stdout += d.toString();
      if (c.child === 'serve' && !signalled && stdout.includes('Press Ctrl-C to stop.')) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 100_000) stderr += d.toString();
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      const cleaned = stderr.replace(/^knsim: no build in dist\/.*\n/m, '');
      if (hung) return done({ verdict: 'hang', status, detail: `no end within ${o.timeoutMs} ms`, ms });
      if (/heap out of memory|Allocation failed/i.test(stderr)) {
        return done({ verdict: 'memory', status, detail: `heap over ${o.heapMb} MB`, ms });
      }
      if (signalled) {
        const ok = status === 143;
        return done({
          verdict: ok ? 'accepted' : 'crash',
          status,
          detail: ok ? '' : `serve ended ${status ?? signal} after SIGTERM`,
          ms,
        });
      }
      const { verdict, why } = verdictOf(status, cleaned);
      done({ verdict, status, detail: `${why ? `${why}: ` : ''}${firstLines(cleaned)}`, ms });
    });
  });
}

interface ClassRecord {
  verdict: Verdict;
  count: number;
  examples: { index: number; kind: string; argv: string[]; detail: string }[];
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const root = mkdtempSync(join(tmpdir(), 'knsim-fuzz-'));
  const corpus = await makeCorpus(root);
  const indices = o.only ?? Array.from({ length: o.cases }, (_, i) => i);
  process.stderr.write(
    `knsim fuzz: ${indices.length} cases, seed ${o.seed}, ${o.child ? 'child processes' : `${o.jobs} worker threads`}, deadline ${o.timeoutMs} ms, heap ${o.heapMb} MB\n`,
  );
  const counts: Record<Verdict, number> = { 'clean-error': 0, accepted: 0, crash: 0, hang: 0, memory: 0 };
  const byKind: Record<string, Record<Verdict, number>> = {};
  const classes = new Map<string, ClassRecord>();
  const slots = Array.from({ length: Math.max(1, o.jobs) }, (_, k) => new Slot(join(root, `w${k}`), o));
  let next = 0;
  let done = 0;
  const started = performance.now();
  const record = (index: number, c: FuzzCase, outcome: Outcome) => {
    counts[outcome.verdict]++;
    const kind = byKind[c.kind] ?? { 'clean-error': 0, accepted: 0, crash: 0, hang: 0, memory: 0 };
    byKind[c.kind] = kind;
    kind[outcome.verdict]++;
    if (outcome.verdict === 'crash' || outcome.verdict === 'hang' || outcome.verdict === 'memory') {
      const key =
        outcome.verdict === 'crash'
          ? crashClass(c.argv, outcome.detail)
          : `${outcome.verdict}: ${c.argv[0]} (${c.kind})`;
      const cls = classes.get(key) ?? { verdict: outcome.verdict, count: 0, examples: [] };
      cls.count++;
      if (cls.examples.length < 3) {
        cls.examples.push({ index, kind: c.kind, argv: [...c.argv], detail: outcome.detail });
        const dir = join(o.out, `seed-${o.seed}`, `case-${index}`);
        mkdirSync(dir, { recursive: true });
        writeCase(c, dir);
        writeFileSync(join(dir, 'argv.json'), `${JSON.stringify(c.argv)}\n`);
        writeFileSync(join(dir, 'outcome.txt'), `${outcome.verdict}\n${outcome.detail}\n`);
      }
      classes.set(key, cls);
    }
    done++;
    if (done % 250 === 0 || done === indices.length) {
      const rate = (done / (performance.now() - started)) * 1000;
      process.stderr.write(
        `  ${done}/${indices.length} (${rate.toFixed(1)}/s): ${counts['clean-error']} clean errors, ${counts.accepted} accepted, ${counts.crash} crashes, ${counts.hang} hangs, ${counts.memory} memory\n`,
      );
    }
  };
  await Promise.all(
    slots.map(async (slot, k) => {
      for (let i = next++; i < indices.length; i = next++) {
        const index = indices[i]!;
        const c = caseAt(corpus, o.seed, index);
        const outcome = o.child || c.child ? await runChild(c, join(root, `c${k}`), o) : await slot.run(index, c);
        record(index, c, outcome);
      }
      await slot.close();
    }),
  );
  const wallS = (performance.now() - started) / 1000;
  const summary = {
    seed: o.seed,
    cases: indices.length,
    wallSeconds: Math.round(wallS),
    counts,
    byKind,
    classes: Object.fromEntries(classes),
  };
  mkdirSync(o.out, { recursive: true });
  writeFileSync(join(o.out, `summary-${o.seed}.json`), `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`\nknsim fuzz: seed ${o.seed}, ${indices.length} cases in ${wallS.toFixed(0)} s\n`);
  for (const [v, n] of Object.entries(counts)) process.stdout.write(`  ${v.padEnd(12)} ${n}\n`);
  process.stdout.write('  by kind:\n');
  for (const [kind, k] of Object.entries(byKind)) {
    process.stdout.write(
      `    ${kind.padEnd(10)} ${Object.entries(k)
        .filter(([, n]) => n > 0)
        .map(([v, n]) => `${v} ${n}`)
        .join(', ')}\n`,
    );
  }
  if (classes.size === 0) process.stdout.write('  no crash, hang or memory blow-up\n');
  for (const [key, cls] of classes) {
    const first = cls.examples[0]!;
    process.stdout.write(
      `\n${cls.verdict.toUpperCase()} ×${cls.count}: ${key}\n  reproduce: npm run fuzz -- --seed ${o.seed} --only ${cls.examples.map((e) => e.index).join(',')}\n  ${first.detail.split('\n').join('\n  ')}\n`,
    );
  }
  rmSync(root, { recursive: true, force: true });
  process.exitCode = classes.size > 0 ? 1 : 0;
}

await main();
