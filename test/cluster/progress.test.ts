/**
 * The Deployment controller's progress deadline (src/model/cluster/progress.ts), with rows
 * transcribed from kubernetes pkg/controller/deployment/util/deployment_util_test.go
 * (TestDeploymentProgressing, TestDeploymentTimedOut), and a stalled revision's Deployment in a run:
 * Progressing False `ProgressDeadlineExceeded` a second after the deadline, and Knative's revision
 * reconciler taking the first pod's waiting reason then (reconcile_resources.go).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  hasDeploymentTimedOut,
  progressTimedOutMessage,
  rolloutProgressed,
  rolloutTimedOut,
} from '../../src/model/cluster/progress.js';
import { runScenario } from '../scenarios/helpers.js';

const counts = (replicas: number, updated: number, ready: number, available: number) => ({
  replicas,
  updated,
  ready,
  available,
});

describe('progress deadline', () => {
  it('TestDeploymentProgressing: progress is more updated, ready or available pods, or fewer old ones', () => {
    const rows: [string, ReturnType<typeof counts>, ReturnType<typeof counts>, boolean][] = [
      ['progressing: updated pods', counts(10, 4, 4, 4), counts(10, 6, 4, 4), true],
      ['not progressing', counts(10, 4, 4, 4), counts(10, 4, 4, 4), false],
      ['progressing: old pods removed', counts(10, 4, 6, 6), counts(8, 4, 6, 6), true],
      ['not progressing: less new pods', counts(10, 7, 3, 3), counts(10, 6, 3, 3), false],
      ['progressing: less overall but more new pods', counts(10, 4, 7, 7), counts(8, 8, 5, 5), true],
      ['progressing: more ready pods', counts(10, 10, 9, 8), counts(10, 10, 10, 8), true],
      ['progressing: more available pods', counts(10, 10, 10, 9), counts(10, 10, 10, 10), true],
    ];
    for (const [name, before, after, want] of rows) expect(rolloutProgressed(before, after), name).toBe(want);
  });

  it('TestDeploymentTimedOut: 10 s after the last progress, strictly', () => {
    const at = (min: number, sec: number) => (min * 60 + sec) * 1000;
    // "progressDeadlineSeconds: 10s, now - started => 00:01:20 - 00:01:09 => 11s"
    expect(rolloutTimedOut(at(1, 9), 10, at(1, 20))).toBe(true);
    // "... 00:01:20 - 00:01:11 => 9s"
    expect(rolloutTimedOut(at(1, 11), 10, at(1, 20))).toBe(false);
    expect(rolloutTimedOut(at(1, 10), 10, at(1, 20))).toBe(false);
  });

  it('hasDeploymentTimedOut reads Progressing False ProgressDeadlineExceeded only', () => {
    expect(hasDeploymentTimedOut([{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }])).toBe(
      true,
    );
    expect(hasDeploymentTimedOut([{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' }])).toBe(false);
    expect(hasDeploymentTimedOut([{ type: 'Available', status: 'False', reason: 'ProgressDeadlineExceeded' }])).toBe(
      false,
    );
    expect(hasDeploymentTimedOut(undefined)).toBe(false);
    expect(progressTimedOutMessage('rs')).toBe('ReplicaSet "rs" has timed out progressing.');
  });

  it('a revision whose image takes 15 min to pull: its Deployment times out a second past 600 s, the revision fails ContainerCreating', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'knsim-progress-'));
    const file = join(dir, 'slow-pull.yaml');
    writeFileSync(
      file,
      [
        'name: slow-pull',
        'seed: 3',
        'settings:',
        '  images:',
        '    docker.io/knsim/demo:huge: { pull: 15m }',
        'files:',
        '  service.yaml: |',
        '    apiVersion: serving.knative.dev/v1',
        '    kind: Service',
        '    metadata: { name: shop }',
        '    spec:',
        '      template:',
        '        spec:',
        '          containers:',
        '            - image: docker.io/knsim/demo:huge',
        'steps:',
        '  - apply: service.yaml',
        '  - sleep: 600500ms',
        '  - kubectl: describe deployment shop-00001-deployment',
        '  - kubectl: get revisions',
        '  - sleep: 1s',
        '  - kubectl: describe deployment shop-00001-deployment',
        '  - kubectl: get revisions',
        '',
      ].join('\n'),
    );
    const run = await runScenario(file);
    expect(run.exitCode, run.transcript).toBe(0);
    const cut = run.transcript.indexOf('[10:01.500]');
    const before = run.transcript.slice(0, cut);
    const after = run.transcript.slice(cut);
    expect(before).toMatch(/Progressing +True +ReplicaSetUpdated/);
    expect(before).toMatch(/shop-00001 +shop +1 +Unknown +Deploying/);
    expect(after).toMatch(/Progressing +False +ProgressDeadlineExceeded/);
    expect(after).toMatch(/shop-00001 +shop +1 +False +ContainerCreating/);
  });
});
