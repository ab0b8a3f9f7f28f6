/**
 * The Revision's lifecycle machine: fed what the reconciler observed (simulator) it computes the
 * conditions with the model's rules and moves through the modes Knative reports; fed what a
 * cluster reported (live mode) it moves the same way and names the rule a forbidden move breaks.
 * Model-based tests (fc.commands) check it against a deliberately simple model of both.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { Condition, PodAutoscaler } from '../../src/model/api/types.js';
import {
  RULE_INITIALIZED_NEVER_GOES_BACK,
  RULE_PA_CONDITIONS_STAY,
  revisionLifecycleMachine,
} from '../../src/model/machines/revision.js';
import { getCondition } from '../../src/model/rules/conditions.js';
import { assertWithSeed, at, type PaFacts, pa } from './helpers.js';

type Told =
  | { type: 'status'; ready: string | undefined; active: string | undefined }
  | { type: 'milestone'; text: string }
  | { type: 'divergence'; from: string; to: string; rule: string };

/** A revision machine whose emitted events are recorded in order, and which feeds back its own status. */
function revision(name = 'hello-00001') {
  const actor = createActor(revisionLifecycleMachine, { input: { name } });
  const told: Told[] = [];
  let conditions: Condition[] | undefined;
  actor.on('status', (e) => {
    conditions = e.conditions;
    told.push({
      type: 'status',
      ready: getCondition(e.conditions, 'Ready')?.status,
      active: getCondition(e.conditions, 'Active')?.status,
    });
  });
  actor.on('milestone', (e) => told.push({ type: 'milestone', text: e.text }));
  actor.on('divergence', (e) => told.push({ type: 'divergence', from: e.from, to: e.to, rule: e.rule }));
  actor.start();
  let second = 0;
  return {
    actor,
    told,
    conditions: () => conditions,
    /** One reconcile, as the Revision reconciler does it, one simulated second after the last. */
    reconcile(autoscaler: PodAutoscaler | undefined, readyReplicas = 0, unresolvedImage = false) {
      second++;
      actor.send({
        type: 'revision.reconcile',
        previous: conditions,
        observed: {
          readyReplicas,
          autoscaler,
          ...(unresolvedImage ? { unresolvedImage: { image: 'ghcr.io/x/nope', error: 'MANIFEST_UNKNOWN' } } : {}),
        },
        nowIso: at(second),
      });
    },
    report(ready: Condition['status'] | undefined, active?: { status: Condition['status']; reason?: string }) {
      actor.send({
        type: 'revision.reported',
        conditions: [
          ...(ready ? [{ type: 'Ready', status: ready }] : []),
          ...(active ? [{ type: 'Active', ...active }] : []),
        ],
      });
    },
    state: () => actor.getSnapshot().value,
  };
}

const milestones = (told: readonly Told[]) => told.filter((t) => t.type === 'milestone').map((t) => t.text);

describe('revision machine, fed by the reconciler', () => {
  it('deploys, serves, scales to zero (still Ready) and wakes up, telling each step after its status', () => {
    const r = revision();
    r.reconcile(undefined);
    expect(r.state()).toEqual({ readiness: 'deploying', activity: 'deploying' });
    expect(getCondition(r.conditions(), 'Ready')).toMatchObject({ status: 'Unknown', reason: 'Deploying' });
    r.reconcile(pa({ ready: { status: 'Unknown', reason: 'Queued' }, initialized: false }));
    expect(r.state()).toEqual({ readiness: 'deploying', activity: 'activating' });
    r.reconcile(pa({ ready: { status: 'True' }, initialized: true, actualScale: 1 }), 1);
    expect(r.state()).toEqual({ readiness: 'ready', activity: 'active' });
    r.reconcile(pa({ ready: { status: 'False', reason: 'NoTraffic' }, initialized: true, actualScale: 0 }));
    expect(r.state()).toEqual({ readiness: 'ready', activity: 'inactive' });
    expect(getCondition(r.conditions(), 'Ready')?.status).toBe('True');
    r.reconcile(pa({ ready: { status: 'Unknown', reason: 'Queued' }, initialized: true, actualScale: 0 }));
    expect(r.state()).toEqual({ readiness: 'ready', activity: 'waking' });
    r.reconcile(pa({ ready: { status: 'True' }, initialized: true, actualScale: 1 }), 1);
    expect(r.state()).toEqual({ readiness: 'ready', activity: 'active' });
    expect(milestones(r.told)).toEqual([
      'revision hello-00001 is Ready: its first pod passed readiness',
      'no traffic for a whole stable window: revision hello-00001 becomes inactive and will scale to zero (it stays Ready)',
      'revision hello-00001 is activating: the activator buffers its requests until a pod is ready',
      'revision hello-00001 is active again: a pod is serving',
    ]);
    // Each milestone follows the status that caused it: the log shows the object, then the words.
    const readyAt = r.told.findIndex((t) => t.type === 'milestone');
    expect(r.told[readyAt - 1]).toEqual({ type: 'status', ready: 'True', active: 'True' });
    expect(r.told.filter((t) => t.type === 'divergence')).toEqual([]);
  });

  it('fails when the image cannot be resolved, with the reason and message of ContainerMissing', () => {
    const r = revision();
    r.reconcile(undefined, 0, true);
    expect(r.state()).toEqual({ readiness: 'failed', activity: 'deploying' });
    expect(milestones(r.told)).toEqual([
      'revision hello-00001 failed (ContainerMissing): Unable to fetch image "ghcr.io/x/nope": failed to resolve image to digest: MANIFEST_UNKNOWN',
    ]);
  });

  it('fails when the PodAutoscaler times out before initial scale was reached', () => {
    const r = revision();
    r.reconcile(pa({ ready: { status: 'Unknown', reason: 'Queued' }, initialized: false }));
    // The PA reports a service name before initialization only once the SKS exists.
    const timedOut = pa({ ready: { status: 'False', reason: 'TimedOut' }, initialized: false });
    timedOut.status!.serviceName = 'hello-00001';
    r.reconcile(timedOut);
    expect(r.state()).toEqual({ readiness: 'failed', activity: 'inactive' });
    expect(getCondition(r.conditions(), 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: 'Initial scale was never achieved',
    });
  });
});

describe('revision machine, fed by a cluster (live mode)', () => {
  it('names the rule when a Ready revision goes back to Deploying, and follows the cluster', () => {
    const r = revision();
    r.report('True', { status: 'True' });
    r.report('Unknown', { status: 'True' });
    expect(r.told.filter((t) => t.type === 'divergence')).toEqual([
      { type: 'divergence', from: 'Ready', to: 'Deploying', rule: RULE_INITIALIZED_NEVER_GOES_BACK },
    ]);
    expect(r.state()).toEqual({ readiness: 'deploying', activity: 'active' });
    // Said once: the next report in the same mode is no move at all.
    r.report('Unknown', { status: 'True' });
    expect(r.told.filter((t) => t.type === 'divergence')).toHaveLength(1);
  });

  it('names the rule when Active goes back to Deploying after the PA had conditions', () => {
    const r = revision();
    r.report('True', { status: 'False', reason: 'NoTraffic' });
    r.report('True', { status: 'Unknown', reason: 'Deploying' });
    expect(r.told.filter((t) => t.type === 'divergence')).toEqual([
      { type: 'divergence', from: 'Active Inactive', to: 'Active Deploying', rule: RULE_PA_CONDITIONS_STAY },
    ]);
  });
});

// ---- model-based: the machine against a deliberately simple model ----

interface SimModel {
  imageMissing: boolean;
  paReady: PaFacts['ready'];
  initialized: boolean;
  /**
   * The PA timed out before initialization: ResourcesAvailable False until the PA serves again
   * (Knative's PropagateAutoscalerStatus marks resources available when the PA is Ready).
   */
  neverInitialized: boolean;
  readiness: 'deploying' | 'ready' | 'failed';
  activity: 'deploying' | 'activating' | 'active' | 'inactive' | 'waking';
}

interface SimReal {
  r: ReturnType<typeof revision>;
}

/** The model's activity after the PA reports `ready` (its Active), from where it was. */
function nextActivity(from: SimModel['activity'], ready: PaFacts['ready']): SimModel['activity'] {
  if (!ready) return from;
  if (ready.status === 'True') return 'active';
  if (ready.status === 'False') return 'inactive';
  return from === 'inactive' || from === 'waking' ? 'waking' : 'activating';
}

function activityWords(name: string, from: SimModel['activity'], to: SimModel['activity'], reason?: string) {
  if (from === to) return [];
  if (to === 'inactive' && from !== 'deploying') {
    return [
      reason === 'NoTraffic'
        ? `no traffic for a whole stable window: revision ${name} becomes inactive and will scale to zero (it stays Ready)`
        : `revision ${name} becomes inactive (${reason})`,
    ];
  }
  if (to === 'waking')
    return [`revision ${name} is activating: the activator buffers its requests until a pod is ready`];
  if (to === 'active' && (from === 'inactive' || from === 'waking'))
    return [`revision ${name} is active again: a pod is serving`];
  return [];
}

/** The PA moves (as the KPA may move it) and the Revision reconciler runs. */
class PaMoves implements fc.Command<SimModel, SimReal> {
  constructor(readonly ready: NonNullable<PaFacts['ready']>) {}
  check(m: Readonly<SimModel>): boolean {
    // The KPA times out an activation only before initial scale was reached.
    return !(this.ready.reason === 'TimedOut' && m.initialized);
  }
  run(m: SimModel, { r }: SimReal): void {
    const before = r.told.length;
    const from = { ...m };
    m.paReady = this.ready;
    if (this.ready.status === 'True') m.initialized = true;
    reconcileBoth(m, r, from, before);
  }
  toString(): string {
    return `PA Ready ${this.ready.status}${this.ready.reason ? ` ${this.ready.reason}` : ''}`;
  }
}

/** Nothing moved; the reconciler runs again (a resync, a Deployment change): nothing may change. */
class Resync implements fc.Command<SimModel, SimReal> {
  check(): boolean {
    return true;
  }
  run(m: SimModel, { r }: SimReal): void {
    const before = r.told.length;
    reconcileBoth(m, r, { ...m }, before);
  }
  toString(): string {
    return 'resync';
  }
}

function reconcileBoth(m: SimModel, r: ReturnType<typeof revision>, from: SimModel, before: number): void {
  const autoscaler = m.imageMissing
    ? undefined
    : pa({ ...(m.paReady ? { ready: m.paReady } : {}), initialized: m.initialized });
  // A timed-out PA that never initialized still knows its SKS service.
  if (autoscaler && m.paReady?.reason === 'TimedOut') autoscaler.status!.serviceName = 'hello-00001';
  r.reconcile(autoscaler, m.initialized && m.paReady?.status === 'True' ? 1 : 0, m.imageMissing);

  // The simple model: readiness.
  if (m.imageMissing) m.readiness = 'failed';
  else if (m.paReady?.reason === 'TimedOut' && !m.initialized) m.neverInitialized = true;
  else if (m.paReady?.status === 'True') m.neverInitialized = false;
  if (!m.imageMissing) {
    m.readiness = m.neverInitialized ? 'failed' : m.initialized ? 'ready' : 'deploying';
    m.activity = nextActivity(from.activity, m.paReady);
  }

  const expected: string[] = [];
  if (from.readiness !== m.readiness) {
    if (m.readiness === 'ready') {
      expected.push(
        from.readiness === 'failed'
          ? 'revision hello-00001 is Ready again'
          : 'revision hello-00001 is Ready: its first pod passed readiness',
      );
    }
    if (m.readiness === 'failed') {
      expected.push(
        m.imageMissing
          ? 'revision hello-00001 failed (ContainerMissing): Unable to fetch image "ghcr.io/x/nope": failed to resolve image to digest: MANIFEST_UNKNOWN'
          : 'revision hello-00001 failed (ProgressDeadlineExceeded): Initial scale was never achieved',
      );
    }
  }
  expected.push(...activityWords('hello-00001', from.activity, m.activity, m.paReady?.reason));

  const told = r.told.slice(before);
  expect(r.state()).toEqual({ readiness: m.readiness, activity: m.activity });
  // The status written says what the state says: Ready True, False or Unknown.
  const status = told.find((t) => t.type === 'status');
  expect(status).toMatchObject({
    ready: { ready: 'True', failed: 'False', deploying: 'Unknown' }[m.readiness],
  });
  expect(told[0]?.type).toBe('status');
  expect(milestones(told)).toEqual(expected);
  expect(told.filter((t) => t.type === 'divergence')).toEqual([]);
}

const paReadyArb = fc.constantFrom<NonNullable<PaFacts['ready']>>(
  { status: 'Unknown', reason: 'Queued' },
  { status: 'True' },
  { status: 'False', reason: 'NoTraffic' },
  { status: 'False', reason: 'TimedOut' },
);

describe('revision machine against a simple model (fc.commands)', () => {
  it('in the simulator: modes, status and milestones follow the PodAutoscaler; no move ever diverges', () => {
    const commands = fc.commands([paReadyArb.map((ready) => new PaMoves(ready)), fc.constant(new Resync())], {
      maxCommands: 30,
    });
    assertWithSeed(
      fc.property(fc.boolean(), commands, (imageMissing, cmds) => {
        const model: SimModel = {
          imageMissing,
          paReady: undefined,
          initialized: false,
          neverInitialized: false,
          readiness: 'deploying',
          activity: 'deploying',
        };
        const setup = () => ({ model, real: { r: revision() } });
        fc.modelRun(setup, cmds);
      }),
      300,
      20261206,
    );
  });

  it('in live mode: a divergence exactly when the cluster makes a move the model forbids', () => {
    type Reported = { ready: Condition['status']; active: 'Deploying' | Condition['status'] };
    interface LiveModel {
      readiness: 'deploying' | 'ready' | 'failed';
      active: Reported['active'];
    }
    class Report implements fc.Command<LiveModel, SimReal> {
      constructor(readonly reported: Reported) {}
      check(): boolean {
        return true;
      }
      run(m: LiveModel, { r }: SimReal): void {
        const before = r.told.length;
        const { ready, active } = this.reported;
        r.report(
          ready,
          active === 'Deploying' ? { status: 'Unknown', reason: 'Deploying' } : { status: active, reason: 'X' },
        );
        // Forbidden: Ready back to Unknown (Deploying), and Active back to Deploying.
        const expected: string[] = [];
        if (m.readiness === 'ready' && ready === 'Unknown') expected.push(RULE_INITIALIZED_NEVER_GOES_BACK);
        if (m.active !== 'Deploying' && active === 'Deploying') expected.push(RULE_PA_CONDITIONS_STAY);
        m.readiness = ready === 'True' ? 'ready' : ready === 'False' ? 'failed' : 'deploying';
        m.active = active;
        const diverged = r.told.slice(before).filter((t) => t.type === 'divergence');
        expect(diverged.map((d) => (d.type === 'divergence' ? d.rule : ''))).toEqual(expected);
        expect(r.state()).toMatchObject({ readiness: m.readiness });
      }
      toString(): string {
        return `reported Ready ${this.reported.ready}, Active ${this.reported.active}`;
      }
    }
    const reportArb = fc
      .record({
        ready: fc.constantFrom<Condition['status']>('True', 'False', 'Unknown'),
        active: fc.constantFrom<Reported['active']>('Deploying', 'True', 'False', 'Unknown'),
      })
      .map((reported) => new Report(reported));
    assertWithSeed(
      fc.property(fc.commands([reportArb], { maxCommands: 25 }), (cmds) => {
        fc.modelRun(
          () => ({
            model: { readiness: 'deploying', active: 'Deploying' } satisfies LiveModel,
            real: { r: revision() },
          }),
          cmds,
        );
      }),
      300,
      4711,
    );
  });
});
