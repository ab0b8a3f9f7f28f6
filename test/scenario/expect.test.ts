import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/model/api/types.js';
import { type ClusterView, evaluate } from '../../src/scenario/evaluate.js';
import { ExpectationError, parseExpectation } from '../../src/scenario/expect.js';

interface FakePod {
  revision: string;
  service: string;
  state: 'ready' | 'terminating' | 'pending';
}

function fakeView(opts: {
  pods?: FakePod[];
  objects?: Record<string, KubeObject>;
  metrics?: Record<string, number>;
  now?: number;
}): ClusterView {
  return {
    nowMs: () => opts.now ?? 0,
    countPods: (f) =>
      (opts.pods ?? []).filter(
        (p) =>
          (f.revision === undefined || p.revision === f.revision) &&
          (f.service === undefined || p.service === f.service) &&
          (f.state === 'all' || p.state === f.state),
      ).length,
    getObject: (resource, name) => opts.objects?.[`${resource}/${name}`],
    metric: (name, revision) => opts.metrics?.[revision ? `${name}(${revision})` : name],
  };
}

const obj = (kind: string, name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'serving.knative.dev/v1',
  kind,
  metadata: { name },
  ...extra,
});
const cond = (type: string, status: string, reason?: string) => ({ type, status, ...(reason ? { reason } : {}) });

describe('parseExpectation', () => {
  it.each([
    ['pods == 0', { type: 'pods', state: 'all', op: '==', value: 0 }],
    ['ready pods >= 3', { type: 'pods', state: 'ready', op: '>=', value: 3 }],
    ['Terminating Pods == 1', { type: 'pods', state: 'terminating', op: '==', value: 1 }],
    ['pods(knservice-00001) == 1', { type: 'pods', revision: 'knservice-00001', value: 1 }],
    ['pods of knservice == 0', { type: 'pods', service: 'knservice', value: 0 }],
    ['pods of revision knservice-00002 == 0', { type: 'pods', revision: 'knservice-00002' }],
    [
      'desired(knservice-00001) == 3',
      { type: 'metric', name: 'desired', revision: 'knservice-00001', value: 3, latency: false },
    ],
    ['p95 < 2s', { type: 'metric', name: 'p95', op: '<', value: 2000, latency: true }],
    ['metric p99 <= 1500', { type: 'metric', name: 'p99', value: 1500, latency: true }],
    ['metric my-custom-gauge > 0.5', { type: 'metric', name: 'my-custom-gauge', value: 0.5 }],
    ['panic(knservice-00001) == false', { type: 'metric', name: 'panic', value: 0 }],
    ['503 == 0', { type: 'metric', name: '503', value: 0 }],
    [
      'activator-queue of knservice-00001 == 0',
      { type: 'metric', name: 'activator-queue', revision: 'knservice-00001' },
    ],
    [
      'revision knservice-00001 Ready',
      {
        type: 'condition',
        resource: 'revision',
        name: 'knservice-00001',
        condition: 'Ready',
        op: '==',
        status: 'True',
      },
    ],
    ['ksvc knservice Ready=False', { type: 'condition', resource: 'ksvc', condition: 'Ready', status: 'False' }],
    ['ksvc knservice Ready != true', { type: 'condition', condition: 'Ready', op: '!=', status: 'True' }],
    ['kpa knservice-00001 Active=False', { type: 'condition', resource: 'kpa', condition: 'Active', status: 'False' }],
    [
      'ksvc knservice reason == RevisionMissing',
      { type: 'field', field: 'reason', op: '==', value: 'RevisionMissing' },
    ],
    ['sks knservice-00001 mode == Proxy', { type: 'field', resource: 'sks', field: 'mode', value: 'Proxy' }],
    [
      'revision knservice-00001 status.actualReplicas >= 1',
      { type: 'field', field: 'status.actualReplicas', op: '>=', value: 1 },
    ],
    [
      'ksvc knservice url == "http://knservice.default.example.com"',
      { type: 'field', field: 'url', value: 'http://knservice.default.example.com' },
    ],
    ['revision knservice-00002 exists', { type: 'exists', exists: true }],
    ['revision knservice-00002 absent', { type: 'exists', exists: false }],
    ['curl answered within 10s', { type: 'curl-answered', withinMs: 10_000 }],
    ['curl answered', { type: 'curl-answered' }],
    ['curl status == 200', { type: 'metric', name: 'last-curl-status', value: 200 }],
    ['curl latency < 500ms', { type: 'metric', name: 'last-curl-latency', value: 500, latency: true }],
  ])('%s', (text, clause) => {
    const e = parseExpectation(text);
    expect(e.text).toBe(text);
    expect(e.clauses).toHaveLength(1);
    expect(e.clauses[0]).toMatchObject({ ...clause, text });
  });

  it('parses and, by and after', () => {
    const e = parseExpectation('pods == 0 AND ksvc knservice Ready by 5m after 1m30s');
    expect(e.clauses.map((c) => c.text)).toEqual(['pods == 0', 'ksvc knservice Ready']);
    expect(e.byMs).toBe(300_000);
    expect(e.afterMs).toBe(90_000);
    expect(
      parseExpectation('ready pods >= 1 and p95 < 2s and curl answered within 10s').clauses.map((c) => c.type),
    ).toEqual(['pods', 'metric', 'curl-answered']);
  });

  it.each([
    ['', 'empty expectation', 1],
    [
      'podz == 0',
      'unknown expectation subject "podz" (did you mean "pods"?); expected pods, a metric, curl, or a resource such as ksvc or revision',
      1,
    ],
    ['pods = 0', 'use "==" to compare pods', 6],
    ['pods ==', 'expected a number for the number of pods, got end of expectation', 8],
    ['pods == many', 'expected a number for the number of pods, got "many"', 9],
    ['pods 0', 'expected a comparison (== != < <= > >=) after pods, got "0"', 6],
    ['p95 < fast', 'invalid duration "fast": expected a number at "fast"', 7],
    ['rps > 10s', 'expected a number for rps, got "10s"', 7],
    ['pods == 0 by', 'expected a duration after "by" (e.g. by 5m), got end of expectation', 13],
    ['pods == 0 by 5m by 6m', '"by" given twice', 17],
    ['pods == 0 or pods == 1', 'unexpected "or"; expected "and", "by <duration>", "after <duration>" or the end', 11],
    ['pods == 0 after 5m by 1m', '"after 5m" is later than "by 1m"', 25],
    ['ksvc', 'expected the name of the ksvc after "ksvc", got end of expectation', 5],
    [
      'ksvc knservice',
      'expected a condition (e.g. Ready), a field comparison (e.g. reason == X), "exists" or "absent" after "ksvc knservice", got end of expectation',
      15,
    ],
    ['ksvc knservice Ready=Maybe', 'use "==" to compare Ready (Cond=True|False|Unknown is for conditions)', 21],
    ['sks knservice-00001 mode=Proxy', 'use "==" to compare mode (Cond=True|False|Unknown is for conditions)', 25],
    ['pods(knservice == 1', 'expected ")", got "=="', 16],
    ['curl fetched', 'expected "answered", "status" or "latency" after "curl", got "fetched"', 6],
    ['pods == "0', 'unterminated string', 9],
    ['pods == 0 !', 'unexpected character "!"', 11],
  ])('rejects %j', (text, message, column) => {
    let err: unknown;
    try {
      parseExpectation(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExpectationError);
    expect((err as ExpectationError).message).toBe(message);
    expect((err as ExpectationError).column).toBe(column);
  });

  it('never crashes on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parseExpectation(s);
        } catch (e) {
          expect(e).toBeInstanceOf(ExpectationError);
        }
      }),
      { seed: 3, numRuns: 500 },
    );
  });

  it('keeps every clause text as written for any combination', () => {
    const clause = fc.constantFrom(
      'pods == 0',
      'ready pods >= 2',
      'p95 < 2s',
      'ksvc a Ready',
      'sks b mode == Proxy',
      'curl answered',
    );
    fc.assert(
      fc.property(fc.array(clause, { minLength: 1, maxLength: 4 }), (cs) => {
        const e = parseExpectation(cs.join(' and '));
        expect(e.clauses.map((c) => c.text)).toEqual(cs);
      }),
      { seed: 5 },
    );
  });
});

describe('evaluate', () => {
  const view = fakeView({
    pods: [
      { revision: 'knservice-00001', service: 'knservice', state: 'ready' },
      { revision: 'knservice-00001', service: 'knservice', state: 'terminating' },
      { revision: 'other-00001', service: 'other', state: 'pending' },
    ],
    objects: {
      'ksvc/knservice': obj('Service', 'knservice', {
        status: {
          url: 'http://knservice.default.example.com',
          conditions: [cond('Ready', 'False', 'RevisionMissing')],
        },
      }),
      'revision/knservice-00001': obj('Revision', 'knservice-00001', {
        status: { actualReplicas: 1, conditions: [cond('Ready', 'True'), cond('Active', 'True')] },
      }),
      'sks/knservice-00001': obj('ServerlessService', 'knservice-00001', { spec: { mode: 'Proxy' } }),
    },
    metrics: {
      'desired(knservice-00001)': 3,
      p95: 2300,
      rps: 12.5,
      'last-curl-status': 200,
      'last-curl-latency': 3200,
    },
  });

  it.each([
    ['pods == 3', true, 'pods == 3 (was 3)'],
    ['pods == 0', false, 'pods == 0 (was 3)'],
    ['ready pods >= 1', true, 'ready pods >= 1 (was 1)'],
    ['terminating pods == 1', true, 'terminating pods == 1 (was 1)'],
    ['pending pods == 0', false, 'pending pods == 0 (was 1)'],
    ['pods(knservice-00001) == 2', true, 'pods(knservice-00001) == 2 (was 2)'],
    ['pods of other == 1', true, 'pods of other == 1 (was 1)'],
    ['desired(knservice-00001) == 3', true, 'desired(knservice-00001) == 3 (was 3)'],
    ['p95 < 2s', false, 'p95 < 2s (was 2.3s)'],
    ['rps > 10', true, 'rps > 10 (was 12.5)'],
    ['p50 < 1s', false, 'p50 < 1s (no value for p50)'],
    ['revision knservice-00001 Ready', true, 'revision knservice-00001 Ready (was Ready=True)'],
    ['ksvc knservice Ready', false, 'ksvc knservice Ready (was Ready=False: RevisionMissing)'],
    ['ksvc knservice Ready=False', true, 'ksvc knservice Ready=False (was Ready=False: RevisionMissing)'],
    ['ksvc knservice ready != true', true, 'ksvc knservice ready != true (was Ready=False: RevisionMissing)'],
    [
      'ksvc knservice reason == RevisionMissing',
      true,
      'ksvc knservice reason == RevisionMissing (was "RevisionMissing")',
    ],
    [
      'ksvc knservice Ready.reason == revisionmissing',
      true,
      'ksvc knservice Ready.reason == revisionmissing (was "RevisionMissing")',
    ],
    ['sks knservice-00001 mode == Serve', false, 'sks knservice-00001 mode == Serve (was "Proxy")'],
    ['revision knservice-00001 actualReplicas >= 1', true, 'revision knservice-00001 actualReplicas >= 1 (was 1)'],
    [
      'ksvc knservice url == "http://knservice.default.example.com"',
      true,
      'ksvc knservice url == "http://knservice.default.example.com" (was "http://knservice.default.example.com")',
    ],
    ['kpa knservice-00001 Active=False', false, 'kpa knservice-00001 Active=False (kpa knservice-00001 not found)'],
    [
      'revision knservice-00001 ContainerHealthy',
      false,
      'revision knservice-00001 ContainerHealthy (no ContainerHealthy condition)',
    ],
    ['revision knservice-00002 absent', true, 'revision knservice-00002 absent (not found)'],
    ['revision knservice-00001 exists', true, 'revision knservice-00001 exists (exists)'],
    ['curl answered within 10s', true, 'curl answered within 10s (was 200 after 3.2s)'],
    ['curl answered within 1s', false, 'curl answered within 1s (was 200 after 3.2s)'],
    ['curl status == 200', true, 'curl status == 200 (was 200)'],
    ['pods == 3 and p95 < 2s', false, 'pods == 3 (was 3) and p95 < 2s (was 2.3s)'],
  ])('%s', (text, ok, actual) => {
    expect(evaluate(text, view)).toEqual({ ok, actual, text });
  });

  it('does not count an error status as an answer, unless the curl step expected it', () => {
    const notFound = fakeView({ metrics: { 'last-curl-status': 404, 'last-curl-latency': 1 } });
    expect(evaluate('curl answered within 10s', notFound)).toEqual({
      ok: false,
      actual: 'curl answered within 10s (was 404 after 1ms: an error status)',
      text: 'curl answered within 10s',
    });
    const refused = fakeView({ metrics: { 'last-curl-status': 503, 'last-curl-latency': 1 } });
    expect(evaluate('curl answered', refused).ok).toBe(false);
    const expected = fakeView({
      metrics: { 'last-curl-status': 404, 'last-curl-latency': 1, 'last-curl-expected-status': 404 },
    });
    expect(evaluate('curl answered within 10s', expected).ok).toBe(true);
    const redirect = fakeView({ metrics: { 'last-curl-status': 302, 'last-curl-latency': 1 } });
    expect(evaluate('curl answered within 10s', redirect).ok).toBe(true);
  });

  it('reports no curl answer yet', () => {
    expect(evaluate('curl answered within 10s', fakeView({}))).toEqual({
      ok: false,
      actual: 'curl answered within 10s (no answer yet)',
      text: 'curl answered within 10s',
    });
  });

  it('ignores by/after (the runner applies them) and keeps the full text', () => {
    expect(evaluate('pods == 0 by 5m', fakeView({}))).toEqual({
      ok: true,
      actual: 'pods == 0 (was 0)',
      text: 'pods == 0 by 5m',
    });
  });

  it('agrees with plain arithmetic for every operator', () => {
    fc.assert(
      fc.property(fc.nat(20), fc.constantFrom('==', '!=', '<', '<=', '>', '>='), fc.nat(20), (n, op, k) => {
        const pods = Array.from({ length: n }, () => ({ revision: 'r', service: 's', state: 'ready' as const }));
        const expected = { '==': n === k, '!=': n !== k, '<': n < k, '<=': n <= k, '>': n > k, '>=': n >= k }[op];
        expect(evaluate(`pods ${op} ${k}`, fakeView({ pods })).ok).toBe(expected);
      }),
      { seed: 11 },
    );
  });
});
