import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../src/scenario/parse.js';
import { validateLoadPhase } from '../../src/sim/load/spec.js';

/** The real load schema plugged into the scenario parser: errors come out with file:line:column. */
describe('load phases validated by src/sim/load/spec.ts', () => {
  it('accepts a valid phase and keeps it as written', () => {
    const s = parseScenario('load:\n  - { at: 2m, for: 30s, poisson: { rps: 50 } }\n', 'l.yaml', {
      validateLoad: validateLoadPhase,
    });
    expect(s.load).toEqual([
      {
        index: 0,
        spec: { at: '2m', for: '30s', poisson: { rps: 50 } },
        location: { file: 'l.yaml', line: 2, column: 5 },
      },
    ]);
  });

  it('reports a bad phase at its line', () => {
    let err: unknown;
    try {
      parseScenario(
        'load:\n  - at: 2m\n    for: 30\n    poisson: { rps: 50 }\n  - { for: 1s, poison: { rps: 1 } }\n',
        'l.yaml',
        {
          validateLoad: validateLoadPhase,
        },
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    const lines = (err as ScenarioError).message.split('\n');
    expect(lines[0]).toMatch(/^l\.yaml:3:10: load\[0\]\.for: /);
    expect(lines.some((l) => /^l\.yaml:5:\d+: load\[1\]/.test(l))).toBe(true);
  });
});
