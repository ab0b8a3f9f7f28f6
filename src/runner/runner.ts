/**
 * Runs a scenario on a backend, step by step, and writes the transcript: each step as the user
 * would type it with its run time, then the output as the real tool prints it, then a summary.
 * The same runner drives the simulator and a live cluster.
 */
import { dirname } from 'node:path';
import type { Backend } from '../backends/backend.js';
import { BackendError } from '../backends/backend.js';
import type { DivergenceEvent, SampleEvent } from '../model/events.js';
import { divergenceSays } from '../model/narrate/lifecycle.js';
import { formatResults } from '../results/results.js';
import { type Evaluation, evaluate } from '../scenario/evaluate.js';
import type { Expectation } from '../scenario/expect.js';
import type { CurlStep, Scenario, Step } from '../scenario/types.js';
import type { LoadProgress } from '../sim/load/driver.js';
import { runKn } from './kn.js';
import { runKubectl } from './kubectl.js';
import { commandLine, commentLine, formatRunTime, formatSeconds, sparkline } from './transcript.js';
import { BackendView } from './view.js';

/** How often `by` expectations are checked while time passes. */
const MONITOR_RESOLUTION_MS = 100;

export interface RunOutcome {
  ok: boolean;
  failures: string[];
  transcript: string;
}

interface Monitor {
  expectation: Expectation;
  met?: Evaluation & { at: number };
  last?: Evaluation;
}

export interface RunnerOptions {
  /** Receives transcript text as it is produced. */
  write?: (text: string) => void;
}

export class ScenarioRunner {
  private readonly view: BackendView;
  private readonly out: string[] = [];
  private readonly failures: string[] = [];
  private readonly monitors: Monitor[];
  private readonly curlLatencies: { at: number; latency: number; cold: boolean }[] = [];
  /**
   * Pods per second of simulated time, by second (an array, not a map: a day of samples is
   * 86,400 seconds, each written once per revision); seconds not sampled read 0.
   */
  private readonly podSeries: number[] = [];
  /** The last second sampled (the series runs to it), −1 before the first. */
  private lastSecond = -1;
  /** Revisions whose sample stands (src/sim/log.ts StandingSamples). */
  private standing = 0;
  /** The scenario's load once started: what of it is still to come when the run ends. */
  private load: LoadProgress | undefined;
  /** Moves the cluster made that the model forbids, shown between steps as they come. */
  private divergences: DivergenceEvent[] = [];

  constructor(
    private readonly scenario: Scenario,
    private readonly backend: Backend,
    private readonly options: RunnerOptions = {},
  ) {
    this.view = new BackendView(backend, scenario.namespace);
    this.monitors = scenario.expect.map((expectation) => ({ expectation }));
    backend.log.subscribe(
      (line) => {
        if (line.type === 'sample') this.recordSample(line);
      },
      ['sample'],
      {
        // A standing sample has no pods: its seconds count as 0, which a missing second reads as,
        // but a tick with one standing is a second sampled (the series runs to the last).
        tick: (t) => {
          if (this.standing === 0) return;
          this.sampled(Math.round(t / 1000));
        },
        stand: () => {
          this.standing++;
        },
        sit: () => {
          this.standing--;
        },
      },
    );
    backend.log.subscribe(
      (line) => {
        if (line.type === 'divergence') this.divergences.push(line);
      },
      ['divergence'],
    );
  }

  /** Prints the divergences seen since the last step (never inside a step's output). */
  private printDivergences(): void {
    for (const d of this.divergences) {
      this.print(commentLine(d.t, divergenceSays(d.kind, d.name, d.from, d.to, d.rule)));
      this.print('\n');
    }
    this.divergences = [];
  }

  private recordSample(s: SampleEvent): void {
    const second = Math.round(s.t / 1000);
    this.sampled(second);
    this.podSeries[second]! += s.ready + s.pending + s.terminating;
  }

  /** `second` is in the series (0 until a sample adds to it). */
  private sampled(second: number): void {
    const series = this.podSeries;
    // Filled in order, no holes: the seconds between are 0 (and a holey array is slower to read).
    while (series.length <= second) series.push(0);
    if (second > this.lastSecond) this.lastSecond = second;
  }

  /** The transcript written so far (all of it once the run is over). */
  transcript(): string {
    return this.out.join('');
  }

  private print(text: string): void {
    this.out.push(text);
    this.options.write?.(text);
  }

  async run(): Promise<RunOutcome> {
    const { scenario, backend } = this;
    this.print(`# ${scenario.name}${scenario.description ? `: ${scenario.description.trim()}` : ''}\n`);
    this.print(`# ${backend.kind === 'sim' ? 'simulated' : 'live'} run\n\n`);
    if (Object.keys(scenario.config).length > 0) {
      await backend.configure(scenario.config);
      for (const name of Object.keys(scenario.config)) {
        this.print(commentLine(backend.now(), `configmap knative-serving/${name} set`));
      }
      this.print('\n');
    }
    if (scenario.load.length > 0) {
      this.load = await backend.startLoad(
        scenario.load.map((l) => l.spec),
        dirname(scenario.source.file),
      );
    }
    for (const step of scenario.steps) {
      if (step.atMs !== undefined && step.atMs > backend.now()) await this.advanceTo(step.atMs);
      await this.runStep(step);
    }
    await this.finishMonitors();
    this.printDivergences();
    this.summary();
    await backend.close();
    return { ok: this.failures.length === 0, failures: this.failures, transcript: this.out.join('') };
  }

  /** Lets time pass to `t`, checking `by` expectations on the way. */
  private async advanceTo(t: number): Promise<void> {
    while (this.backend.now() < t) {
      // Time passes in small steps only while a `by` expectation is still waiting to be seen.
      const step = this.watching() ? MONITOR_RESOLUTION_MS : Number.POSITIVE_INFINITY;
      await this.backend.sleepUntil(Math.min(t, this.backend.now() + step));
      this.checkMonitors();
    }
  }

  /** Whether some `by` expectation has not held yet and its deadline has not passed. */
  private watching(): boolean {
    const now = this.backend.now();
    return this.monitors.some((m) => !m.met && m.expectation.byMs !== undefined && now <= m.expectation.byMs);
  }

  private async waitFor(done: () => boolean, deadline: number): Promise<boolean> {
    return this.backend.waitUntil(() => {
      this.checkMonitors();
      return done();
    }, deadline);
  }

  private checkMonitors(): void {
    const now = this.backend.now();
    for (const m of this.monitors) {
      if (m.met) continue;
      const { byMs, afterMs } = m.expectation;
      if (afterMs !== undefined && now < afterMs) continue;
      if (byMs !== undefined && now > byMs) continue;
      const e = evaluate(m.expectation, this.view);
      m.last = e;
      if (e.ok && byMs !== undefined) m.met = { ...e, at: now };
    }
  }

  private async finishMonitors(): Promise<void> {
    const latest = Math.max(0, ...this.monitors.map((m) => (m.met ? 0 : (m.expectation.byMs ?? 0))));
    if (latest > this.backend.now()) {
      await this.waitFor(
        () =>
          this.monitors.every(
            (m) => m.met || m.expectation.byMs === undefined || m.expectation.byMs < this.backend.now(),
          ),
        latest,
      );
    }
  }

  private fail(message: string): void {
    this.failures.push(message);
  }

  /** Runs one step, and records it in the event log with its output. */
  private async runStep(step: Step): Promise<void> {
    this.printDivergences();
    const at = this.backend.now();
    const start = this.out.length;
    const failuresBefore = this.failures.length;
    await this.executeStep(step);
    const lines = this.out.slice(start).join('').split('\n');
    // Logged when the step ends, so the log stays in time order (a wait may take minutes).
    this.backend.log.event({
      t: this.backend.now(),
      startedAt: at,
      type: 'step',
      index: step.index,
      command: stepCommand(step),
      output: lines
        .filter((l) => !l.startsWith('['))
        .join('\n')
        .replace(/\n+$/, ''),
      ok: this.failures.length === failuresBefore,
    });
  }

  private async executeStep(step: Step): Promise<void> {
    const { backend } = this;
    const at = backend.now();
    switch (step.kind) {
      case 'apply':
        for (const source of step.sources) {
          this.print(commandLine(at, `kubectl apply -f ${source.label}`));
          const expected = step.refused;
          try {
            const results = await backend.apply(source.manifests, source.label);
            this.print(results.map((r) => `${r.reference} ${r.outcome}\n`).join(''));
            if (expected !== undefined) {
              this.print(commentLine(backend.now(), '✗ the apply was not refused'));
              this.fail(`step ${step.index + 1}: kubectl apply -f ${source.label} was not refused`);
            }
          } catch (e) {
            const message = (e as Error).message;
            this.print(`${message}\n`);
            if (!(e instanceof BackendError)) throw e;
            if (expected === undefined) {
              this.fail(`step ${step.index + 1}: kubectl apply -f ${source.label} was rejected`);
            } else if (message.includes(expected)) {
              this.print(commentLine(backend.now(), '✓ refused as expected'));
            } else {
              this.print(commentLine(backend.now(), `✗ refused, but without ${JSON.stringify(expected)}`));
              this.fail(
                `step ${step.index + 1}: kubectl apply -f ${source.label} was refused without ${JSON.stringify(expected)}`,
              );
            }
          }
        }
        break;
      case 'kubectl': {
        this.print(
          commandLine(at, step.command.text.startsWith('kubectl') ? step.command.text : `kubectl ${step.command.text}`),
        );
        try {
          const result = await runKubectl(step.command, backend, this.scenario.namespace, step.manifests);
          this.print(result.text.endsWith('\n') || result.text === '' ? result.text : `${result.text}\n`);
        } catch (e) {
          if (!(e instanceof BackendError)) throw e;
          this.print(`${e.message}\n`);
        }
        break;
      }
      case 'kn': {
        this.print(commandLine(at, step.command.text));
        const result = await runKn(step.command, backend, this.scenario.namespace);
        this.print(result.text);
        break;
      }
      case 'curl':
        await this.curl(step);
        break;
      case 'wait': {
        const deadline = at + step.timeoutMs;
        const met = await this.waitFor(() => evaluate(step.until, this.view).ok, deadline);
        const took = backend.now() - at;
        if (met) {
          this.print(commentLine(at, `waited until ${step.until.text}: ${formatSeconds(took)}`));
        } else {
          const e = evaluate(step.until, this.view);
          this.print(
            commentLine(at, `✗ ${step.until.text} did not hold within ${formatSeconds(step.timeoutMs)}: ${e.actual}`),
          );
          this.fail(`step ${step.index + 1}: wait ${step.until.text}: ${e.actual}`);
        }
        break;
      }
      case 'sleep':
        this.print(commentLine(at, `${formatSeconds(step.ms)} pass`));
        await this.advanceTo(at + step.ms);
        break;
      case 'expect': {
        const e = evaluate(step.expectation, this.view);
        this.print(commentLine(at, `${e.ok ? '✓' : '✗'} expect ${e.actual}`));
        if (!e.ok) this.fail(`step ${step.index + 1}: expect ${e.actual}`);
        break;
      }
      case 'note':
        this.print(commentLine(at, step.text));
        break;
    }
    this.print('\n');
  }

  private async curl(step: CurlStep): Promise<void> {
    const { backend } = this;
    const at = backend.now();
    this.print(commandLine(at, step.command.text));
    const response = await backend.request({
      url: step.command.url,
      method: step.command.method,
      headers: step.command.headers,
      ...(step.command.body !== undefined ? { body: step.command.body } : {}),
      ...(step.command.flags.maxTimeMs ? { timeoutMs: step.command.flags.maxTimeMs } : {}),
    });
    this.curlLatencies.push({ at, latency: response.latencyMs, cold: response.cold ?? false });
    this.view.lastCurl = {
      latencyMs: response.latencyMs,
      status: response.status,
      ...(step.expect?.status !== undefined ? { expectedStatus: step.expect.status } : {}),
    };
    const flags = step.command.flags;
    const timedOut = response.status === 0 && flags.maxTimeMs !== undefined && flags.maxTimeMs > 0;
    if (timedOut) {
      // curl's own words on stderr (shown unless -s without -S), and its exit code.
      if (!flags.silent || flags.showError)
        this.print(`curl: (28) Operation timed out after ${flags.maxTimeMs} milliseconds with 0 bytes received\n`);
      this.print(
        commentLine(backend.now(), `no answer within ${formatSeconds(flags.maxTimeMs!)}: curl gave up (exit code 28)`),
      );
    }
    if (flags.includeHeaders && !timedOut) this.print(`HTTP/1.1 ${response.status}\n\n`);
    if (response.body !== '' && !timedOut)
      this.print(response.body.endsWith('\n') ? response.body : `${response.body}\n`);
    const how = response.cold
      ? `held by the activator while ${response.revision ?? 'the revision'} started a pod`
      : response.status === 504 && response.revision
        ? `timed out before ${response.pod ?? response.revision} answered`
        : response.revision
          ? `served by ${response.pod ?? response.revision}`
          : 'no route matched';
    if (!timedOut)
      this.print(
        commentLine(backend.now(), `HTTP ${response.status} after ${formatSeconds(response.latencyMs)} (${how})`),
      );
    const expect = step.expect;
    if (expect) {
      const problems: string[] = [];
      if (expect.status !== undefined && response.status !== expect.status)
        problems.push(`status ${response.status}, wanted ${expect.status}`);
      // Without a status to expect, an error status is not an answer that meets expectations.
      if (expect.status === undefined && !(response.status > 0 && response.status < 400))
        problems.push(`status ${response.status}, wanted a success (below 400)`);
      if (expect.body !== undefined && response.body.trim() !== expect.body.trim())
        problems.push(`body ${JSON.stringify(response.body)}, wanted ${JSON.stringify(expect.body)}`);
      if (expect.bodyContains !== undefined && !response.body.includes(expect.bodyContains))
        problems.push(`body does not contain ${JSON.stringify(expect.bodyContains)}`);
      if (expect.withinMs !== undefined && !(response.latencyMs <= expect.withinMs))
        problems.push(`took ${formatSeconds(response.latencyMs)}, wanted at most ${formatSeconds(expect.withinMs)}`);
      for (const p of problems) this.fail(`step ${step.index + 1}: curl: ${p}`);
      this.print(
        commentLine(backend.now(), problems.length === 0 ? '✓ response as expected' : `✗ ${problems.join('; ')}`),
      );
    }
  }

  private summary(): void {
    const now = this.backend.now();
    // Requests still waiting now get no answer in this run: they count as errors from here on.
    this.backend.results.finish();
    this.print(`Summary (run time ${formatRunTime(now)})\n`);
    const cut = this.load && loadCut(this.load, now);
    if (cut) this.print(`  ! ${cut}\n`);
    for (const m of this.monitors) {
      const { byMs } = m.expectation;
      let ok: boolean;
      let detail: string;
      if (byMs !== undefined) {
        ok = m.met !== undefined;
        detail = ok
          ? `held at ${formatRunTime(m.met!.at)}`
          : `never held by ${formatRunTime(byMs)}: ${m.last?.actual ?? 'not checked'}`;
      } else {
        const e = evaluate(m.expectation, this.view);
        ok = e.ok;
        detail = e.actual;
      }
      this.print(`  ${ok ? '✓' : '✗'} ${m.expectation.text}${ok ? '' : ` (${detail})`}\n`);
      this.backend.log.event({ t: now, type: 'expect', text: m.expectation.text, ok, actual: detail });
      if (!ok) this.fail(`expect ${m.expectation.text}: ${detail}`);
    }
    const cold = this.curlLatencies.filter((c) => c.cold);
    if (cold.length > 0) {
      this.print(`  cold-start latency of curl: ${cold.map((c) => formatSeconds(c.latency)).join(', ')}\n`);
    }
    const results = formatResults(this.backend.results.results());
    this.print(results.replace(/^/gm, '  ').replace(/ +$/, ''));
    const last = this.lastSecond;
    if (last >= 0) {
      const series = this.podSeries.slice(0, last + 1);
      const max = series.reduce((a, b) => Math.max(a, b), 0);
      this.print(`  pods over time (max ${max}): |${sparkline(series)}|\n`);
    }
    this.print(
      this.failures.length === 0
        ? '  all expectations met\n'
        : `  ${this.failures.length} expectation${this.failures.length === 1 ? '' : 's'} not met:\n${this.failures.map((f) => `    - ${f}\n`).join('')}`,
    );
  }
}

/**
 * Says which load phases the run's end cut short, or undefined if every phase sent its last
 * request: the run ends at its last step, not when its load does, and a phase that never ran
 * would otherwise pass unnoticed.
 */
export function loadCut(load: LoadProgress, now: number): string | undefined {
  const next = load.nextUnsentMs();
  if (next === undefined) return undefined;
  const cut = load.phases.filter((p) => p.endMs > now);
  const names = cut.map((p) => (p.startMs > now ? `${p.name} (not started)` : p.name));
  const end = Math.max(...cut.map((p) => p.endMs));
  const due = next > now ? `, the next request was due at ${formatRunTime(next)}` : '';
  const fix = Number.isFinite(end)
    ? `add a step at or after ${formatRunTime(end)} to run all of it`
    : 'add a later step to run more of it';
  return `the run ended before its load: ${names.length > 0 ? names.join(', ') : 'a load phase'} cut short${due}; requests after ${formatRunTime(now)} were not sent (${fix})`;
}

/** A step as the user would type it (for the event log). */
function stepCommand(step: Step): string {
  switch (step.kind) {
    case 'apply':
      return step.sources.map((s) => `kubectl apply -f ${s.label}`).join('; ');
    case 'kubectl':
      return step.command.text.startsWith('kubectl') ? step.command.text : `kubectl ${step.command.text}`;
    case 'kn':
    case 'curl':
      return step.command.text;
    case 'wait':
      return `# wait until ${step.until.text}`;
    case 'sleep':
      return `# sleep ${step.ms} ms`;
    case 'expect':
      return `# expect ${step.expectation.text}`;
    case 'note':
      return `# ${step.text}`;
  }
}
