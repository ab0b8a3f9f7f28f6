/**
 * kn command lines are read with the scenario: kn's (cobra and pflag) words for what it refuses,
 * at the step's file and line, before anything runs.
 */
import { describe, expect, it } from 'vitest';
import { parseKn } from '../../src/scenario/kn.js';
import { parseScenario, ScenarioError } from '../../src/scenario/parse.js';

function refusal(step: string): string {
  try {
    parseScenario(`name: t\nsteps:\n  - note: first\n  - kn: ${step}\n`, 'kn.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
  throw new Error('not refused');
}

describe('kn command lines', () => {
  it("are refused at their line with kn's words", () => {
    expect(refusal('service create hello --image x --imgae y')).toContain(
      "kn.yaml:4:9: steps[1].kn: Error: unknown flag: --imgae (did you mean --image?)\nRun 'kn service create --help' for usage.",
    );
    expect(refusal('service create hello')).toContain(
      "Error: 'service create' requires the image name to run provided with the --image option",
    );
    expect(refusal('service create --image x')).toContain(
      "Error: 'service create' requires the service name given as single argument",
    );
    expect(refusal('service update hello --scale-min two')).toContain(
      'Error: invalid argument "two" for "--scale-min" flag: strconv.ParseInt: parsing "two": invalid syntax',
    );
    expect(refusal('service update hello --scale 1 --scale-max 3')).toContain(
      'Error: only --scale or --scale-max can be specified',
    );
    expect(refusal('service update hello --scale-window 10')).toContain(
      'Error: invalid duration for \'scale-window\': time: invalid duration "10"',
    );
    expect(refusal('service update hello --env NOEQUALS')).toContain(
      'Error: Invalid --env: argument requires a value that contains the "=" character; got "NOEQUALS"',
    );
    expect(refusal('service delete')).toContain("Error: 'service delete' requires the service name(s)");
    expect(refusal('broker list')).toContain('knsim simulates Knative Serving');
    expect(refusal('servce list')).toContain(
      'Error: unknown command "servce" for "kn"\n\nDid you mean this?\n\tservice',
    );
    expect(refusal('service update hello')).toContain('Error: flag(s) not set');
    expect(refusal("service create hello --image x --revision-name '{{.Service}}-{{.Random 5}}'")).toContain(
      '{{.Random n}}',
    );
  });

  it('read flags as pflag does: = or a separate word, shorthands, repeats, -- ends the flags', () => {
    const c = parseKn('kn service update hello -e A=1 --env=B=2 -eC=3 -n prod --scale 1..5 --no-wait -a x/y=z -a old-');
    expect(c.verb).toBe('service update');
    if (c.verb !== 'service update') return;
    expect(c.namespace).toBe('prod');
    expect(c.edits.env).toEqual([
      ['A', '1'],
      ['B', '2'],
      ['C', '3'],
    ]);
    expect(c.edits.annotations).toEqual([
      ['x/y', 'z'],
      ['old', undefined],
    ]);
    expect([c.edits.scaleMin, c.edits.scaleMax, c.wait]).toEqual([1, 5, false]);
    const d = parseKn('service delete a -- --b');
    expect(d.verb === 'service delete' && d.names).toEqual(['a', '--b']);
  });

  it('take the aliases kn takes', () => {
    expect(parseKn('ksvc ls -A').verb).toBe('service list');
    expect(parseKn('revisions list -s hello').verb).toBe('revision list');
    expect(parseKn('kn routes list').verb).toBe('route list');
  });
});
