import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { z } from 'zod';
import { loadScenarioFile, type ParseOptions, parseScenario, ScenarioError } from '../../src/scenario/parse.js';
import { imageCrash, imageHang, settingsFromScenario } from '../../src/sim/settings.js';

const FIXTURE = new URL('./fixtures/seed.yaml', import.meta.url).pathname;

function errorOf(text: string, options?: ParseOptions, file = 'scn.yaml'): ScenarioError {
  try {
    parseScenario(text, file, options);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('parseScenario: a valid scenario', () => {
  it('parses the seed walk-through', () => {
    const s = loadScenarioFile(FIXTURE);
    expect(s.name).toBe('seed-walkthrough');
    expect(s.seed).toBe(1);
    expect(s.namespace).toBe('default');
    expect(s.settings).toEqual({
      podStartup: { kind: 'median', medianMs: 2000, spread: 0.3 },
      networking: 'kourier',
      app: { response: 'Hello Knative!', serviceTime: { kind: 'fixed', ms: 5 } },
    });
    expect(s.config['config-domain']).toEqual({ 'example.com': '' });
    expect(s.config['config-autoscaler']).toEqual({
      'stable-window': '60s',
      'scale-to-zero-grace-period': '30s',
      'container-concurrency-target-default': '100',
    });
    expect(s.files['article.yaml']?.[0]?.metadata.name).toBe('knservice');
    expect(s.steps.map((st) => st.kind)).toEqual([
      'apply',
      'kubectl',
      'kubectl',
      'kubectl',
      'kubectl',
      'wait',
      'kubectl',
      'note',
      'wait',
      'kubectl',
      'curl',
      'kubectl',
      'expect',
    ]);
    const apply = s.steps[0]!;
    expect(apply).toMatchObject({ kind: 'apply', label: 'article.yaml', index: 0 });
    expect(apply.location).toEqual({ file: FIXTURE, line: 25, column: 5 });
    if (apply.kind === 'apply') expect(apply.manifests[0]?.kind).toBe('Service');
    const wait = s.steps[8]!;
    expect(wait).toMatchObject({ kind: 'wait', timeoutMs: 300_000 });
    if (wait.kind === 'wait')
      expect(wait.until.clauses[0]).toMatchObject({ type: 'pods', state: 'all', op: '==', value: 0 });
    expect(s.steps[5]).toMatchObject({ kind: 'wait', timeoutMs: 600_000 });
    const curl = s.steps[10]!;
    expect(curl).toMatchObject({
      kind: 'curl',
      command: { host: 'knservice.default.example.com', path: '/', method: 'GET' },
      expect: { status: 200, body: 'Hello Knative!', withinMs: 10_000 },
    });
    expect(s.load).toEqual([
      {
        index: 0,
        spec: { at: '2m', for: '30s', poisson: { rps: 50 } },
        location: { file: FIXTURE, line: 40, column: 5 },
      },
    ]);
    expect(s.expect.map((e) => [e.text, e.byMs])).toEqual([
      ['pods == 1 by 5m', 300_000],
      ['curl answered within 10s', undefined],
    ]);
    expect(s.expect[0]?.location).toEqual({ file: FIXTURE, line: 42, column: 5 });
    expect(s.source).toEqual({ file: FIXTURE });
  });

  it('accepts every step form', () => {
    const s = parseScenario(
      lines(
        'name: forms',
        'files:',
        '  two.yaml:',
        '    - { apiVersion: v1, kind: ConfigMap, metadata: { name: a } }',
        '    - { apiVersion: v1, kind: ConfigMap, metadata: { name: b } }',
        'steps:',
        '  - kubectl: apply -f two.yaml',
        '  - apply: { manifest: { apiVersion: v1, kind: ConfigMap, metadata: { name: c } } }',
        '  - apply: [two.yaml, { apiVersion: v1, kind: ConfigMap, metadata: { name: d } }]',
        '  - at: 2m',
        '    sleep: 30s',
        '  - at: 3m',
        '    kubectl: delete -f two.yaml',
        `  - curl: "-H 'Host: knservice.default.example.com' http://127.0.0.1:8080/"`,
        '  - wait: { until: ksvc knservice Ready }',
        '  - note: 42',
      ),
      'forms.yaml',
    );
    expect(s.steps[0]).toMatchObject({ kind: 'apply', label: 'two.yaml' });
    if (s.steps[0]?.kind === 'apply') expect(s.steps[0].manifests.map((m) => m.metadata.name)).toEqual(['a', 'b']);
    expect(s.steps[1]).toMatchObject({ kind: 'apply', label: '-' });
    expect(s.steps[2]).toMatchObject({ kind: 'apply', label: 'two.yaml, -' });
    if (s.steps[2]?.kind === 'apply') expect(s.steps[2].manifests).toHaveLength(3);
    expect(s.steps[3]).toMatchObject({ kind: 'sleep', ms: 30_000, atMs: 120_000 });
    expect(s.steps[4]).toMatchObject({
      kind: 'kubectl',
      atMs: 180_000,
      command: { verb: 'delete', files: ['two.yaml'] },
    });
    if (s.steps[4]?.kind === 'kubectl') expect(s.steps[4].manifests).toHaveLength(2);
    expect(s.steps[5]).toMatchObject({ kind: 'curl', command: { host: 'knservice.default.example.com', port: 8080 } });
    expect(s.steps[6]).toMatchObject({ kind: 'wait', timeoutMs: 600_000 });
    expect(s.steps[7]).toMatchObject({ kind: 'note', text: '42' });
    expect(s.namespace).toBe('default');
    expect(s.description).toBe('');
  });

  it('defaults the name to the file name and accepts an empty step list', () => {
    const s = parseScenario('description: nothing\n', 'dir/empty-one.yaml');
    expect(s).toMatchObject({
      name: 'empty-one',
      steps: [],
      load: [],
      expect: [],
      config: {},
      files: {},
      settings: {},
    });
  });

  it('reads manifest files next to the scenario (loadScenarioFile)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'knsim-scn-'));
    writeFileSync(
      join(dir, 'svc.yaml'),
      lines('apiVersion: serving.knative.dev/v1', 'kind: Service', 'metadata:', '  name: hello', '---', ''),
    );
    writeFileSync(join(dir, 'broken.yaml'), lines('apiVersion: v1', 'kind: Service', 'metadata: {}'));
    writeFileSync(join(dir, 's.yaml'), lines('steps:', '  - apply: svc.yaml', '  - kubectl: apply -f ./svc.yaml'));
    const s = loadScenarioFile(join(dir, 's.yaml'));
    expect(s.steps[0]).toMatchObject({ kind: 'apply', label: 'svc.yaml' });
    expect(s.files['./svc.yaml']?.[0]?.metadata.name).toBe('hello');
    writeFileSync(join(dir, 'b.yaml'), lines('steps:', '  - apply: broken.yaml'));
    expect(() => loadScenarioFile(join(dir, 'b.yaml'))).toThrow(
      `${join(dir, 'broken.yaml')}:3:1: documents[0].metadata.name: manifest is missing metadata.name (e.g. metadata: { name: knservice })`,
    );
    expect(() => loadScenarioFile(join(dir, 'nope.yaml'))).toThrow(
      `${join(dir, 'nope.yaml')}: cannot read the scenario file: no such file`,
    );
  });

  it('accepts extra settings through settingsExtensions', () => {
    const s = parseScenario('settings: { speed: 10 }\n', 'x.yaml', {
      settingsExtensions: { speed: z.number().positive() },
    });
    expect(s.settings.speed).toBe(10);
    expect(errorOf('settings: { speed: -1 }\n', { settingsExtensions: { speed: z.number().positive() } }).message).toBe(
      'scn.yaml:1:20: settings.speed: must be > 0, got -1',
    );
  });

  it('parses the pod start-up forms', () => {
    const ps = (v: string) => parseScenario(`settings: { podStartup: ${v} }\n`, 'x.yaml').settings.podStartup;
    expect(ps('2s')).toEqual({ kind: 'fixed', ms: 2000 });
    expect(ps('{ min: 1s, max: 3s }')).toEqual({ kind: 'range', minMs: 1000, maxMs: 3000 });
    expect(ps('{ imagePull: 0, appStart: 400ms, spread: 0.2 }')).toEqual({
      kind: 'phases',
      imagePullMs: 0,
      appStartMs: 400,
      spread: 0.2,
    });
  });
});

describe('parseScenario: errors name the file, line, column and field', () => {
  it('wrong type', () => {
    const e = errorOf(lines('name: x', 'seed: "one"'));
    expect(e.message).toBe('scn.yaml:2:7: seed: expected an integer, got the string "one"');
    expect(e).toMatchObject({ file: 'scn.yaml', line: 2, column: 7, field: 'seed' });
    expect(errorOf(lines('steps: { a: 1 }')).message).toBe('scn.yaml:1:8: steps: expected a list, got a mapping');
    expect(errorOf(lines('steps:', '  - sleep: 1s', '  - note: [a]')).message).toBe(
      'scn.yaml:3:11: steps[1].note: expected text, got a list',
    );
  });

  it("crashImages: the defaults (exit code 1, no message, at start) and the simulator's settings from them", () => {
    const s = parseScenario(
      lines(
        'settings:',
        '  crashImages:',
        '    - image: a',
        '    - { image: b, exitCode: 0, message: done, after: 2s, unlessEnv: DB }',
      ),
      'x.yaml',
    );
    expect(s.settings.crashImages).toEqual([
      { image: 'a', exitCode: 1, message: '', afterMs: 0 },
      { image: 'b', exitCode: 0, message: 'done', afterMs: 2000, unlessEnv: 'DB' },
    ]);
    const sim = settingsFromScenario(s.settings);
    expect(imageCrash(sim, { image: 'a' })?.exitCode).toBe(1);
    expect(imageCrash(sim, { image: 'b' })?.afterMs).toBe(2000);
    expect(imageCrash(sim, { image: 'b', env: [{ name: 'DB' }] })).toBeUndefined();
    expect(imageCrash(sim, { image: 'c' })).toBeUndefined();
    expect(errorOf(lines('settings:', '  crashImages: [{ image: a, exitcode: 1 }]')).message).toMatch(
      /settings\.crashImages\[0\]\.exitcode: unknown field "exitcode" \(did you mean "exitCode"\?\)/,
    );
  });

  it("hangImages: the defaults (at start, ends at SIGTERM) and the simulator's settings from them; a wrong value names its line and field", () => {
    const s = parseScenario(
      lines(
        'settings:',
        '  hangImages:',
        '    - image: a',
        '    - { image: b, after: { min: 60s, max: 90s }, unlessEnv: FIX, onSigterm: ignore }',
      ),
      'x.yaml',
    );
    expect(s.settings.hangImages).toEqual([
      { image: 'a', afterMs: 0, onSigterm: 'exit' },
      {
        image: 'b',
        afterMs: 75_000,
        afterSpread: { kind: 'range', minMs: 60_000, maxMs: 90_000 },
        unlessEnv: 'FIX',
        onSigterm: 'ignore',
      },
    ]);
    const sim = settingsFromScenario(s.settings);
    expect(imageHang(sim, { image: 'a' })?.onSigterm).toBe('exit');
    expect(imageHang(sim, { image: 'b', env: [{ name: 'FIX' }] })).toBeUndefined();
    expect(imageHang(sim, { image: 'c' })).toBeUndefined();
    expect(errorOf(lines('settings:', '  hangImages:', '    - { image: a, onSigterm: stop }')).message).toBe(
      'scn.yaml:3:30: settings.hangImages[0].onSigterm: expected one of exit, ignore, got the string "stop"',
    );
    expect(errorOf(lines('settings:', '  hangImages: [{ image: a, afterr: 1s }]')).message).toMatch(
      /settings\.hangImages\[0\]\.afterr: unknown field "afterr" \(did you mean "after"\?\)/,
    );
  });

  it('activators: a whole number of activator replicas from 1 to 20 (the activator HPA), default 1', () => {
    expect(
      settingsFromScenario(parseScenario(lines('settings: { activators: 3 }'), 'x.yaml').settings).activators,
    ).toBe(3);
    expect(settingsFromScenario(parseScenario(lines('name: x'), 'x.yaml').settings).activators).toBe(1);
    expect(errorOf(lines('settings:', '  activators: 0')).message).toBe(
      'scn.yaml:2:15: settings.activators: must be >= 1, got 0',
    );
    expect(errorOf(lines('settings:', '  activators: 21')).message).toBe(
      'scn.yaml:2:15: settings.activators: must be <= 20, got 21',
    );
    expect(errorOf(lines('settings:', '  activators: 2.5')).message).toBe(
      'scn.yaml:2:15: settings.activators: expected an integer, got the number 2.5',
    );
  });

  it('unknown keys, with a suggestion when close', () => {
    expect(errorOf(lines('name: x', 'steps:', '  - sleeep: 30s')).message).toBe(
      'scn.yaml:3:5: steps[0].sleeep: unknown field "sleeep" (did you mean "sleep"?)',
    );
    expect(errorOf(lines('nmae: x')).message).toBe('scn.yaml:1:1: nmae: unknown field "nmae" (did you mean "name"?)');
    expect(errorOf(lines('zzzzzz: x')).message).toBe('scn.yaml:1:1: zzzzzz: unknown field "zzzzzz"');
    expect(errorOf(lines('settings:', '  app: { respnse: hi }')).message).toBe(
      'scn.yaml:2:10: settings.app.respnse: unknown field "respnse" (did you mean "response"?)',
    );
    expect(errorOf(lines('settings:', '  networking: kurier')).message).toBe(
      'scn.yaml:2:15: settings.networking: expected one of kourier, istio, contour, gloo, ambassador, got the string "kurier" (did you mean "kourier"?)',
    );
    expect(errorOf(lines('config:', '  config-autoscaller: {}')).message).toBe(
      'scn.yaml:2:3: config.config-autoscaller: unknown ConfigMap "config-autoscaller" (did you mean "config-autoscaler"?)',
    );
  });

  it('an empty file (or only comments) says so', () => {
    for (const text of ['', '\n\n', '# nothing yet\n---\n']) {
      expect(errorOf(text).message).toMatch(
        /^scn\.yaml:\d+:\d+: \(document\): a scenario must be a YAML mapping \(name:, steps:, …\), got an empty file$/,
      );
    }
    expect(errorOf('null\n').message).toMatch(/got null$/);
  });

  it('ConfigMap values that Knative cannot parse, at their line (not when the run applies them)', () => {
    expect(
      errorOf(lines('config:', '  config-autoscaler: { container-concurrency-target-default: abc }')).message,
    ).toBe(
      'scn.yaml:2:62: config.config-autoscaler.container-concurrency-target-default: failed to parse "container-concurrency-target-default": invalid float "abc"',
    );
    expect(errorOf(lines('config:', '  config-autoscaler:', '    max-scale-up-rate: "0.5"')).message).toBe(
      'scn.yaml:3:24: config.config-autoscaler.max-scale-up-rate: max-scale-up-rate = 0.5, must be greater than 1.0',
    );
    expect(errorOf(lines('config:', '  config-deployment: { progress-deadline: soon }')).message).toBe(
      'scn.yaml:2:43: config.config-deployment.progress-deadline: failed to parse "progress-deadline": invalid duration "soon"',
    );
    expect(errorOf(lines('config:', '  config-defaults: { container-concurrency: "-3" }')).message).toMatch(
      /^scn\.yaml:2:45: config\.config-defaults\.container-concurrency: /,
    );
  });

  it('a missing apiVersion inside a | block, at the line of that document in the scenario file', () => {
    const text = lines(
      'name: x', // 1
      'files:', // 2
      '  article.yaml: |', // 3
      '    apiVersion: serving.knative.dev/v1', // 4
      '    kind: Service', // 5
      '    metadata:', // 6
      '      name: a', // 7
      '    ---', // 8
      '', // 9
      '    kind: Service', // 10
      '    metadata:', // 11
      '      name: b', // 12
      '    ---', // 13
      '    apiVersion: v1', // 14
      '    kind: ConfigMap', // 15
      '    metadata:', // 16
      '      name: 7', // 17
      'steps:', // 18
      '  - apply: article.yaml', // 19
    );
    expect(errorOf(text).message).toBe(
      [
        'scn.yaml:10:5: files["article.yaml"][1].apiVersion: manifest is missing apiVersion (e.g. apiVersion: serving.knative.dev/v1)',
        'scn.yaml:17:13: files["article.yaml"][2].metadata.name: expected a string, got the number 7',
      ].join('\n'),
    );
  });

  it('a YAML syntax error inside a | block, at its line in the scenario file', () => {
    const text = lines('files:', '  a.yaml: |', '    apiVersion: v1', '    kind: [Service', '    metadata: {}');
    expect(errorOf(text).message).toMatch(/^scn\.yaml:5:5: files\["a\.yaml"\]\[0\]: YAML syntax error: /);
  });

  it('missing kind and name in inline manifests', () => {
    expect(
      errorOf(
        lines('steps:', '  - apply:', '      manifest:', '        apiVersion: v1', '        metadata: { name: a }'),
      ).message,
    ).toBe('scn.yaml:4:9: steps[0].apply.manifest.kind: manifest is missing kind (e.g. kind: Service)');
    expect(errorOf(lines('files:', '  a.yaml: [{ apiVersion: v1, kind: X }]')).message).toBe(
      'scn.yaml:2:12: files["a.yaml"][0].metadata.name: manifest is missing metadata.name (e.g. metadata: { name: knservice })',
    );
  });

  it('a bad duration', () => {
    expect(errorOf(lines('steps:', '  - sleep: 30')).message).toBe(
      'scn.yaml:2:12: steps[0].sleep: invalid duration 30: missing unit (write e.g. "30s" or "30ms")',
    );
    expect(errorOf(lines('steps:', '  - at: 2 min', '    note: x')).message).toBe(
      'scn.yaml:2:9: steps[0].at: invalid duration "2 min": unknown unit " min" (units: ns, us, ms, s, m, h)',
    );
    expect(errorOf(lines('config:', '  config-autoscaler:', '    stable-window: 60')).message).toBe(
      'scn.yaml:3:20: config.config-autoscaler.stable-window: invalid duration "60": missing unit (e.g. "60s"; units: ns, us, ms, s, m, h)',
    );
    expect(errorOf(lines('steps:', '  - { at: 2m, note: a }', '  - { at: 1m, note: b }')).message).toBe(
      "scn.yaml:3:11: steps[1].at: at 1m is earlier than a previous step's at 2m (steps run in order)",
    );
  });

  it('a bad kubectl command', () => {
    expect(errorOf(lines('steps:', '  - kubectl: gett ksvc')).message).toBe(
      'scn.yaml:2:14: steps[0].kubectl: error: unknown command "gett" for "kubectl"; did you mean "get"?',
    );
    expect(errorOf(lines('steps:', '  - kubectl: apply -f nothere.yaml')).message).toBe(
      'scn.yaml:2:14: steps[0].kubectl: no file "nothere.yaml" in files:',
    );
  });

  it('a bad curl command', () => {
    expect(errorOf(lines('steps:', '  - curl: http://a.com --colour')).message).toBe(
      'scn.yaml:2:11: steps[0].curl: curl: option --colour: is unknown',
    );
    expect(errorOf(lines('steps:', '  - curl: "http://"')).message).toBe(
      'scn.yaml:2:11: steps[0].curl: curl: (3) URL rejected: Malformed input to a URL function: "http://"',
    );
    expect(errorOf(lines('steps:', '  - curl: http://a.com', '    expect: { status: 2000 }')).message).toBe(
      'scn.yaml:3:23: steps[0].expect.status: must be <= 599, got 2000',
    );
  });

  it('a bad expectation, pointing at the column inside the text', () => {
    expect(errorOf(lines('steps:', '  - wait: podz == 0')).message).toBe(
      'scn.yaml:2:11: steps[0].wait: unknown expectation subject "podz" (did you mean "pods"?); expected pods, a metric, curl, or a resource such as ksvc or revision (in "podz == 0" at column 1)',
    );
    expect(errorOf(lines('expect:', '  - "pods == 0 by 5"')).message).toBe(
      'scn.yaml:2:19: expect[0]: invalid duration "5": missing unit (e.g. "5s"; units: ns, us, ms, s, m, h) (in "pods == 0 by 5" at column 14)',
    );
    expect(errorOf(lines('steps:', '  - wait: { timeout: 5m }')).message).toBe(
      'scn.yaml:2:11: steps[0].wait.until: missing required field (e.g. until: "pods == 0")',
    );
  });

  it('a YAML syntax error', () => {
    const e = errorOf(lines('name: x', 'steps: [', 'note: y'));
    expect(e.line).toBe(3);
    expect(e.field).toBe('(yaml)');
    expect(e.message).toMatch(/^scn\.yaml:3:1: \(yaml\): YAML syntax error: /);
    expect(errorOf(lines('name: x', 'name: y')).message).toBe(
      'scn.yaml:2:1: (yaml): YAML syntax error: Map keys must be unique',
    );
  });

  it('step shape problems', () => {
    expect(errorOf(lines('steps:', '  - get ksvc')).message).toBe(
      'scn.yaml:2:5: steps[0]: a step must be a mapping such as "- kubectl: get ksvc", got the string "get ksvc" (write e.g. "- kubectl: get ksvc" or "- note: get ksvc")',
    );
    expect(errorOf(lines('steps:', '  - { kubectl: get pods, sleep: 1s }')).message).toBe(
      'scn.yaml:2:26: steps[0].sleep: a step does one thing; found both "kubectl" and "sleep" (split them into two steps)',
    );
    expect(errorOf(lines('steps:', '  - at: 1m')).message).toBe(
      'scn.yaml:2:5: steps[0]: a step needs one of apply, kubectl, kn, curl, wait, sleep, expect, note',
    );
    expect(errorOf(lines('files: { a.yaml: [] }', 'steps:', '  - apply: b.yaml')).message).toBe(
      'scn.yaml:3:12: steps[0].apply: no file "b.yaml" in files: (did you mean "a.yaml"?)',
    );
  });

  it('collects several errors, one per line, sorted by line', () => {
    const e = errorOf(lines('steps:', '  - sleep: x', '  - kubectl: gett', 'seed: 1.5', 'nam: x'));
    expect(e.message.split('\n')).toEqual([
      'scn.yaml:2:12: steps[0].sleep: invalid duration "x": expected a number at "x"',
      'scn.yaml:3:14: steps[1].kubectl: error: unknown command "gett" for "kubectl"; did you mean "get"?',
      'scn.yaml:4:7: seed: expected an integer, got the number 1.5',
      'scn.yaml:5:1: nam: unknown field "nam" (did you mean "name"?)',
    ]);
    expect(e.issues).toHaveLength(4);
    expect(e.line).toBe(2);
  });

  it('reports load errors through the injected validator, at their line', () => {
    const phase = z.strictObject({
      at: z.string().optional(),
      for: z.string(),
      poisson: z.object({ rps: z.number() }),
    });
    const validateLoad = (v: unknown) => phase.safeParse(v).error?.issues ?? [];
    const text = lines(
      'load:',
      '  - { at: 2m, for: 30s, poisson: { rps: 50 } }',
      '  - at: 1m',
      '    poisson: { rps: fast }',
      '    forr: 1s',
    );
    expect(errorOf(text, { validateLoad }).message.split('\n')).toEqual([
      'scn.yaml:3:5: load[1].for: missing required field',
      'scn.yaml:4:21: load[1].poisson.rps: expected a number, got the string "fast"',
      'scn.yaml:5:5: load[1].forr: unknown field "forr"',
    ]);
    const ok = parseScenario(lines('load:', '  - { for: 30s, poisson: { rps: 5 } }'), 'x.yaml', { validateLoad });
    expect(ok.load[0]?.spec).toEqual({ for: '30s', poisson: { rps: 5 } });
  });

  it('a missing metadata.name points at the metadata: line inside the block', () => {
    const text = lines(
      'files:',
      '  a.yaml: |',
      '    apiVersion: v1',
      '    kind: Service',
      '    metadata:',
      '      namespace: default',
    );
    expect(errorOf(text).message).toBe(
      'scn.yaml:5:5: files["a.yaml"][0].metadata.name: manifest is missing metadata.name (e.g. metadata: { name: knservice })',
    );
  });

  it('a wait with by/after is refused (it has a timeout)', () => {
    expect(errorOf(lines('steps:', '  - wait: pods == 0 by 5m')).message).toBe(
      'scn.yaml:2:11: steps[0].wait: a wait step cannot use "by" or "after"; write { until: "pods == 0", timeout: 5m } (timeout is counted from the start of the step)',
    );
  });

  it('accepts a single final expectation as a string', () => {
    expect(parseScenario('expect: pods == 0 by 5m\n', 'x.yaml').expect[0]).toMatchObject({
      text: 'pods == 0 by 5m',
      byMs: 300_000,
    });
  });

  it('never throws anything but ScenarioError on random YAML', () => {
    const scalar = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom('30s', 'get ksvc', 'pods == 0', 'http://a.b'),
    );
    const key = fc.constantFrom(
      'name',
      'steps',
      'files',
      'config',
      'load',
      'expect',
      'settings',
      'apply',
      'kubectl',
      'curl',
      'wait',
      'sleep',
      'note',
      'at',
      'until',
      'manifest',
      'apiVersion',
      'kind',
      'metadata',
      'x',
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        scalar,
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(key, tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(key, tree, { maxKeys: 6 }), (doc) => {
        const text = stringify(doc);
        try {
          parseScenario(text, 'fuzz.yaml');
        } catch (e) {
          expect(e).toBeInstanceOf(ScenarioError);
          expect((e as Error).message).toMatch(/^fuzz\.yaml:\d+:\d+: \S/);
        }
      }),
      { seed: 99, numRuns: 250 },
    );
  });

  it('never throws anything but ScenarioError on odd documents', () => {
    for (const text of [
      '',
      '42',
      '- a',
      'steps: 3',
      'steps: [null]',
      'files: 3',
      'files: { a: null }',
      'expect: [3]',
      '{{',
      'steps: [{ note: *nope }]',
      'files: { a.yaml: "x: *nope" }',
      'a: &a [1, 1]\nb: [*a, *a]\nsteps: [{ <<: *a }]',
      'a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
    ]) {
      try {
        parseScenario(text, 'odd.yaml');
      } catch (e) {
        expect(e, text).toBeInstanceOf(ScenarioError);
        expect((e as Error).message, text).toMatch(/^odd\.yaml:\d+:\d+: /);
      }
    }
  });
});
