/**
 * The `steps:` section: each step a mapping with one action key (apply, kubectl, kn, curl, wait, sleep,
 * expect, note) and an optional `at`. Command lines and expectations are parsed here, so a typo
 * is reported at its line before the run starts.
 */

import * as z from 'zod';
import type { KubeObject } from '../model/api/types.js';
import type { ParseContext } from './context.js';
import { parseCurl } from './curl.js';
import type { Expectation } from './expect.js';
import {
  conv,
  duration,
  expectation,
  expectationFrom,
  isPlainObject,
  PathError,
  PathErrors,
  type PathSeg,
  requiredDuration,
  strict,
  stringFrom,
  unknownKey,
} from './fields.js';
import { describeValue } from './issues.js';
import { parseKn } from './kn.js';
import { type KubectlCommand, parseKubectl } from './kubectl.js';
import type { Manifests } from './manifests.js';
import type { ApplySource, CurlExpect, SourceLocation, Step, StepKind } from './types.js';

const STEP_KINDS: readonly StepKind[] = ['apply', 'kubectl', 'kn', 'curl', 'wait', 'sleep', 'expect', 'note'];
export const DEFAULT_WAIT_TIMEOUT_MS = 10 * 60_000;

type StepBaseFields = { index: number; location: SourceLocation; atMs?: number };

/**
 * A step's shape: a mapping with `at` and exactly one action (`expect` beside `curl` or `apply`
 * is theirs).
 */
const stepShape = conv((s): { kind: StepKind; step: Record<string, unknown> } => {
  if (!isPlainObject(s)) {
    const example = typeof s === 'string' ? ` (write e.g. "- kubectl: ${s}" or "- note: ${s}")` : '';
    throw new PathError(
      [],
      `a step must be a mapping such as "- kubectl: get ksvc", got ${describeValue(s)}${example}`,
    );
  }
  const keys = Object.keys(s);
  const allowed = ['at', ...STEP_KINDS];
  const unknown = keys.filter((k) => !allowed.includes(k)).map((k) => unknownKey([k], k, allowed));
  const actions = actionsOf(s);
  if (actions.length === 0) {
    throw new PathErrors(
      unknown.length > 0 ? unknown : [new PathError([], `a step needs one of ${STEP_KINDS.join(', ')}`)],
    );
  }
  if (actions.length > 1) {
    throw new PathErrors([
      ...unknown,
      new PathError(
        [actions[1]!],
        `a step does one thing; found both ${JSON.stringify(actions[0])} and ${JSON.stringify(actions[1])} (split them into two steps)`,
        { at: [actions[1]!], key: true },
      ),
    ]);
  }
  if (unknown.length > 0) throw new PathErrors(unknown);
  return { kind: actions[0] as StepKind, step: s };
});

function actionsOf(s: Record<string, unknown>): StepKind[] {
  return Object.keys(s).filter(
    (k): k is StepKind =>
      (STEP_KINDS as readonly string[]).includes(k) && !(k === 'expect' && ('curl' in s || 'apply' in s)),
  );
}

const curlExpectSchema = strict({
  status: z.number().int().min(100).max(599).optional(),
  body: conv(stringFrom('a string')).optional(),
  bodyContains: conv(stringFrom('a string')).optional(),
  within: duration.optional(),
});

/**
 * `expect:` beside `apply:`: the API server must refuse the apply with an error containing
 * `refused` (an empty text: any refusal), as a webhook or the schema refuses it on a cluster.
 */
const applyExpectSchema = strict({
  refused: conv(stringFrom('the text the error must contain ("" for any refusal)')),
});

const waitSchema = strict({
  until: conv((x) => {
    if (x === undefined) throw new PathError([], 'missing required field (e.g. until: "pods == 0")');
    return expectationFrom(x);
  }),
  timeout: duration.optional(),
});

const noteText = conv((x) => {
  if (typeof x === 'string') return x;
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  throw new PathError([], `expected text, got ${describeValue(x)}`);
});

function commandFrom<T>(program: string, parse: (line: string) => T) {
  return conv((v: unknown): T => {
    if (typeof v !== 'string') throw new PathError([], `expected a ${program} command line, got ${describeValue(v)}`);
    if (v.trim() === '') throw new PathError([], `empty ${program} command`);
    return parse(v);
  });
}
const kubectlCommand = commandFrom('kubectl', parseKubectl);
const knCommand = commandFrom('kn', parseKn);
const curlCommand = commandFrom('curl', parseCurl);

function applyFields(sources: ApplySource[]) {
  return {
    manifests: sources.flatMap((s) => s.manifests),
    label: sources.map((s) => s.label).join(', '),
    sources,
  };
}

export class Steps {
  constructor(
    private readonly ctx: ParseContext,
    private readonly manifests: Manifests,
  ) {}

  parse(raw: unknown[]): Step[] {
    const steps: Step[] = [];
    let lastAt: { ms: number; text: string } | undefined;
    raw.forEach((s, index) => {
      const path: PathSeg[] = ['steps', index];
      const location = this.ctx.loc(path);
      const shape = this.ctx.check(stepShape, s, path);
      // A step with an unknown key but one action is still checked, to report all at once.
      const actions = isPlainObject(s) ? actionsOf(s) : [];
      if (!shape && actions.length !== 1) return;
      const kind = shape?.kind ?? actions[0]!;
      const step = s as Record<string, unknown>;
      let atMs: number | undefined;
      if (step.at !== undefined) {
        atMs = this.ctx.check(duration, step.at, [...path, 'at']);
        if (atMs !== undefined) {
          if (lastAt && atMs < lastAt.ms) {
            this.ctx.add(
              this.ctx.main,
              [...path, 'at'],
              `at ${String(step.at)} is earlier than a previous step's at ${lastAt.text} (steps run in order)`,
            );
          }
          lastAt = { ms: atMs, text: String(step.at) };
        }
      }
      const parsed = this.step(kind, step, path, { index, location, ...(atMs !== undefined ? { atMs } : {}) });
      if (parsed && shape) steps.push(parsed);
    });
    return steps;
  }

  private step(kind: StepKind, s: Record<string, unknown>, path: PathSeg[], base: StepBaseFields): Step | undefined {
    const { ctx } = this;
    const v = s[kind];
    const vp = [...path, kind];
    switch (kind) {
      case 'apply': {
        const sources = this.applySources(v, vp);
        if (s.expect === undefined) return sources ? { kind, ...base, ...applyFields(sources) } : undefined;
        const e = ctx.check(applyExpectSchema, s.expect, [...path, 'expect']);
        if (!e || !sources) return undefined;
        return { kind, ...base, ...applyFields(sources), refused: e.refused };
      }
      case 'kubectl': {
        const cmd = ctx.check(kubectlCommand, v, vp);
        return cmd ? this.kubectlStep(cmd, vp, base) : undefined;
      }
      case 'kn': {
        const command = ctx.check(knCommand, v, vp);
        return command ? { kind, ...base, command } : undefined;
      }
      case 'curl': {
        const command = ctx.check(curlCommand, v, vp);
        let expect: CurlExpect | undefined;
        if (s.expect !== undefined) {
          const e = ctx.check(curlExpectSchema, s.expect, [...path, 'expect']);
          if (!e) return undefined;
          const { within, ...rest } = e;
          expect = { ...(rest as CurlExpect), ...(within !== undefined ? { withinMs: within } : {}) };
        }
        if (!command) return undefined;
        return { kind, ...base, command, ...(expect ? { expect } : {}) };
      }
      case 'wait': {
        if (!isPlainObject(v)) {
          const until = ctx.check(expectation, v, vp);
          if (!until || !this.noDeadline(until, vp)) return undefined;
          return { kind, ...base, until: { ...until, location: ctx.loc(vp) }, timeoutMs: DEFAULT_WAIT_TIMEOUT_MS };
        }
        const w = ctx.check(waitSchema, v, vp);
        if (!w || !this.noDeadline(w.until, [...vp, 'until'])) return undefined;
        return {
          kind,
          ...base,
          until: { ...w.until, location: ctx.loc([...vp, 'until']) },
          timeoutMs: w.timeout ?? DEFAULT_WAIT_TIMEOUT_MS,
        };
      }
      case 'sleep': {
        const ms = ctx.check(requiredDuration, v, vp);
        return ms === undefined ? undefined : { kind, ...base, ms };
      }
      case 'expect': {
        const e = ctx.check(expectation, v, vp);
        return e ? { kind, ...base, expectation: { ...e, location: ctx.loc(vp) } } : undefined;
      }
      case 'note': {
        const text = ctx.check(noteText, v, vp);
        return text === undefined ? undefined : { kind, ...base, text };
      }
    }
  }

  /** `by`/`after` make no sense in a wait (it has a timeout); say so. */
  private noDeadline(e: Expectation, path: PathSeg[]): boolean {
    if (e.byMs === undefined && e.afterMs === undefined) return true;
    this.ctx.add(
      this.ctx.main,
      path,
      `a wait step cannot use "by" or "after"; write { until: "${e.clauses.map((c) => c.text).join(' and ')}", timeout: 5m } (timeout is counted from the start of the step)`,
    );
    return false;
  }

  private kubectlStep(cmd: KubectlCommand, vp: PathSeg[], base: StepBaseFields): Step | undefined {
    if (cmd.verb === 'apply') {
      const sources: ApplySource[] = [];
      for (const f of cmd.files) {
        if (f === '-') {
          this.ctx.add(
            this.ctx.main,
            vp,
            'apply -f - (stdin) is not available in a scenario; use "apply: { manifest: … }"',
          );
          return undefined;
        }
        const m = this.manifests.resolve(f, vp);
        if (!m) return undefined;
        sources.push({ label: f, manifests: m });
      }
      return { kind: 'apply', ...base, ...applyFields(sources) };
    }
    if (cmd.verb === 'delete' && cmd.files.length > 0) {
      const manifests: KubeObject[] = [];
      for (const f of cmd.files) {
        const m = this.manifests.resolve(f, vp);
        if (!m) return undefined;
        manifests.push(...m);
      }
      return { kind: 'kubectl', ...base, command: cmd, manifests };
    }
    return { kind: 'kubectl', ...base, command: cmd };
  }

  /** `apply:` value: a file reference, `{ manifest: … }` / `{ manifests: [...] }`, a manifest, or a list of these. */
  private applySources(v: unknown, vp: PathSeg[]): ApplySource[] | undefined {
    const { ctx } = this;
    if (typeof v === 'string') {
      const ref = v.trim();
      if (ref === '') {
        ctx.add(ctx.main, vp, 'expected a file name (a key of files: or a path)');
        return undefined;
      }
      const m = this.manifests.resolve(ref, vp);
      return m ? [{ label: ref, manifests: m }] : undefined;
    }
    if (Array.isArray(v)) {
      const out: ApplySource[] = [];
      let ok = true;
      v.forEach((item, i) => {
        const r = this.applySources(item, [...vp, i]);
        if (r) out.push(...r);
        else ok = false;
      });
      if (ok && out.length === 0) {
        ctx.add(ctx.main, vp, 'nothing to apply (empty list)');
        return undefined;
      }
      return ok ? out : undefined;
    }
    if (isPlainObject(v)) {
      if ('apiVersion' in v || 'kind' in v) {
        const m = this.manifests.fromValue(v, vp);
        return m ? [{ label: '-', manifests: m }] : undefined;
      }
      const wrapper = ctx.check(applyWrapper, v, vp);
      if (!wrapper) return undefined;
      if (wrapper.key === 'file') return this.applySources(v.file, [...vp, 'file']);
      const m = this.manifests.fromValue(v[wrapper.key], [...vp, wrapper.key]);
      return m ? [{ label: '-', manifests: m }] : undefined;
    }
    ctx.add(ctx.main, vp, `expected a file name, { manifest: … } or a list, got ${describeValue(v)}`);
    return undefined;
  }
}

const APPLY_KEYS = ['manifest', 'manifests', 'file'] as const;

/** `{ manifest: … }`, `{ manifests: [...] }` or `{ file: name }`: exactly one key. */
const applyWrapper = conv((v): { key: (typeof APPLY_KEYS)[number] } => {
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  const unknown = keys.find((k) => !(APPLY_KEYS as readonly string[]).includes(k));
  if (unknown !== undefined) throw unknownKey([unknown], unknown, APPLY_KEYS);
  if (keys.length !== 1) throw new PathError([], 'expected exactly one of manifest, manifests or file');
  const key = keys[0] as (typeof APPLY_KEYS)[number];
  if (key === 'file' && typeof o.file !== 'string') {
    throw new PathError(['file'], `expected a file name, got ${describeValue(o.file)}`);
  }
  return { key };
});
