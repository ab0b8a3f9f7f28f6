import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import type { KubeObject } from '../../src/model/api/types.js';
import { RESOURCE_TYPES, resolveResourceName } from '../../src/model/rules/resources.js';
import { BackendView } from '../../src/runner/view.js';
import { evaluate } from '../../src/scenario/evaluate.js';
import { ExpectationError, parseExpectation } from '../../src/scenario/expect.js';
import { EventLog } from '../../src/sim/log.js';

/** A backend that holds one object of each resource type, named `x`. */
function backendWithOneOfEach(): Backend {
  const log = new EventLog();
  return {
    log,
    now: () => 0,
    snapshot: (id: string) => {
      const r = RESOURCE_TYPES.find((t) => t.id === id);
      return r
        ? [{ apiVersion: r.apiVersion, kind: r.kind, metadata: { name: 'x', namespace: 'default' } } as KubeObject]
        : [];
    },
  } as unknown as Backend;
}

const WORDS = RESOURCE_TYPES.flatMap((r) => [r.plural, r.singular, ...r.shortNames, `${r.plural}.${r.group}`]).filter(
  (w) => !w.endsWith('.'),
);

describe('resource words in expectations come from the model resource list', () => {
  it('every name of every resource type parses, and `<word> x exists` holds when the cluster has x', () => {
    const view = new BackendView(backendWithOneOfEach(), 'default');
    for (const word of WORDS) {
      if (word === 'metric' || word === 'pods') continue; // keywords of their own (`metric p95 …`, `pods == 0`)
      const e = parseExpectation(`${word} x exists`);
      expect(e.clauses[0], word).toMatchObject({ type: 'exists', resource: word.toLowerCase() });
      expect(evaluate(e, view).ok, word).toBe(true);
      expect(evaluate(parseExpectation(`${word} y exists`), view).ok, word).toBe(false);
    }
  });

  it('a word the model does not know is refused at parse time, not a check that can never pass', () => {
    for (const word of ['kingress', 'ingress', 'king', 'certificate', 'widget']) {
      if (resolveResourceName(word).ok) continue; // the model learned it: the test above covers it
      let err: unknown;
      try {
        parseExpectation(`${word} x exists`);
      } catch (e) {
        err = e;
      }
      expect(err, word).toBeInstanceOf(ExpectationError);
      expect((err as Error).message, word).toMatch(new RegExp(`^unknown expectation subject "${word}"`));
    }
  });
});
