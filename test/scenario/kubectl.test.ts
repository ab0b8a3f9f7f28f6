import { describe, expect, it } from 'vitest';
import { KubectlParseError, parseKubectl } from '../../src/scenario/kubectl.js';

describe('parseKubectl', () => {
  it('parses the seed commands', () => {
    expect(parseKubectl('get ksvc')).toEqual({
      verb: 'get',
      argv: ['get', 'ksvc'],
      text: 'kubectl get ksvc',
      resources: ['ksvc'],
      names: [],
      refs: [],
      allNamespaces: false,
      showLabels: false,
      noHeaders: false,
    });
    for (const r of ['configurations', 'routes', 'revision', 'pods']) {
      const c = parseKubectl(`kubectl get ${r}`);
      expect(c.verb).toBe('get');
      if (c.verb === 'get') expect(c.resources).toEqual([r]);
    }
  });

  it('parses get flags in their usual spellings', () => {
    const c = parseKubectl('get ksvc,rev knservice -n default -o wide -l app=x --show-labels');
    expect(c).toMatchObject({
      verb: 'get',
      resources: ['ksvc', 'rev'],
      names: ['knservice'],
      namespace: 'default',
      output: 'wide',
      selector: 'app=x',
      showLabels: true,
    });
    expect(parseKubectl('get pods -owide --namespace=kn')).toMatchObject({ output: 'wide', namespace: 'kn' });
    expect(parseKubectl('get pods -o=yaml -A')).toMatchObject({ output: 'yaml', allNamespaces: true });
    expect(parseKubectl('-n kn get pods')).toMatchObject({ namespace: 'kn', text: 'kubectl get pods -n kn' });
    expect(parseKubectl('get ksvc/knservice rev/knservice-00001')).toMatchObject({
      resources: [],
      refs: [
        { resource: 'ksvc', name: 'knservice' },
        { resource: 'rev', name: 'knservice-00001' },
      ],
    });
  });

  it('handles shell quoting', () => {
    const c = parseKubectl(`get pods -l 'serving.knative.dev/service=knservice' -o "name"`);
    expect(c).toMatchObject({ selector: 'serving.knative.dev/service=knservice', output: 'name' });
    expect(c.text).toBe('kubectl get pods -l serving.knative.dev/service=knservice -o name');
  });

  it('parses apply, delete and describe', () => {
    expect(parseKubectl('apply -f article.yaml')).toMatchObject({ verb: 'apply', files: ['article.yaml'] });
    expect(parseKubectl('apply -f a.yaml --filename=b.yaml')).toMatchObject({ files: ['a.yaml', 'b.yaml'] });
    expect(parseKubectl('delete ksvc knservice')).toMatchObject({
      verb: 'delete',
      resources: ['ksvc'],
      names: ['knservice'],
      files: [],
    });
    expect(parseKubectl('delete -f article.yaml')).toMatchObject({ verb: 'delete', files: ['article.yaml'] });
    expect(parseKubectl('logs deploy/hello-00001-deployment -c queue-proxy --tail 5 --timestamps')).toMatchObject({
      verb: 'logs',
      target: 'deploy/hello-00001-deployment',
      container: 'queue-proxy',
      tail: 5,
      timestamps: true,
    });
    expect(parseKubectl('describe revision knservice-00001')).toMatchObject({
      verb: 'describe',
      resources: ['revision'],
      names: ['knservice-00001'],
    });
  });

  it.each([
    ['gett ksvc', 'error: unknown command "gett" for "kubectl"; did you mean "get"?'],
    ['frobnicate', 'error: unknown command "frobnicate" for "kubectl"'],
    [
      'exec knservice',
      'error: "kubectl exec" is not supported in scenarios (supported: get, apply, delete, describe, logs)',
    ],
    ['', 'error: no kubectl command given (supported: get, apply, delete, describe, logs)'],
    [
      'logs',
      "error: expected POD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples",
    ],
    [
      'get',
      'error: You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.',
    ],
    ['get pods --foo', 'error: unknown flag: --foo'],
    ['get pods --show-label', 'error: unknown flag: --show-label (did you mean --show-labels?)'],
    ['get pods -x', "error: unknown shorthand flag: 'x' in -x"],
    ['get pods -n', "error: flag needs an argument: 'n' in -n"],
    [
      'get pods -o table',
      'error: unable to match a printer suitable for the output format "table", allowed formats are: custom-columns,json,jsonpath,name,wide,yaml',
    ],
    ['get pods -o jsonpath', 'error: template format specified but no template given'],
    ['get pods -o custom-columns=', 'error: custom-columns format specified but no custom columns given'],
    ["get pods -o 'jsonpath={.x'", 'error: error parsing jsonpath {.x, unclosed action'],
    [
      'get pods -o custom-columns=NAME',
      'error: unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>',
    ],
    [
      'get pods -w',
      'error: --watch is not supported in a scenario step (it never returns); use a `wait:` step instead',
    ],
    ['apply article.yaml', 'error: must specify one of -f and -k'],
    ['delete ksvc', 'error: resource(s) were provided, but no name was specified'],
    ["get pods -l 'app=x", 'error: unterminated single quote at column 13'],
    ['get pods | grep x', 'error: shell operator "|" is not supported; a step runs one command'],
  ])('rejects %j', (line, message) => {
    let err: unknown;
    try {
      parseKubectl(line);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KubectlParseError);
    expect((err as Error).message).toBe(message);
  });
});
