/**
 * Parsing of the kubectl command lines used in scenarios: get, apply, delete, describe, logs.
 * Resource names stay as typed (`ksvc`, `rev`, `pods` …); resolving them to kinds is done elsewhere.
 * Errors use kubectl's own words where there is one.
 */
import { JsonPathError, parseCustomColumns, parseJsonPath, relaxedJsonPath } from '../model/rules/jsonpath.js';
import { parseLabelSelector, SelectorError } from '../model/rules/selectors.js';
import { lastValue, PflagError, type PflagSpec, readPflags } from './pflag.js';
import { CommandLineError, didYouMean, quoteWord, splitCommandLine } from './shell.js';

export type OutputFormat = 'wide' | 'yaml' | 'json' | 'name' | 'jsonpath' | 'custom-columns';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['custom-columns', 'json', 'jsonpath', 'name', 'wide', 'yaml'];
/** The formats that take a template after `=`: `-o jsonpath='{.status.url}'`. */
const TEMPLATED_FORMATS: readonly OutputFormat[] = ['jsonpath', 'custom-columns'];

interface KubectlBase {
  /** The words after `kubectl`, unquoted. */
  argv: string[];
  /** The command as it would be typed, starting with `kubectl `. */
  text: string;
  /** `-n`/`--namespace`, if given. */
  namespace?: string;
}

/** A `type/name` reference such as `ksvc/knservice`. */
export interface ResourceRef {
  resource: string;
  name: string;
}

export interface KubectlGet extends KubectlBase {
  verb: 'get';
  /** Resource types as typed, split on commas: `get ksvc,rev` → ['ksvc', 'rev']. Empty with `refs`. */
  resources: string[];
  /** Object names after the type. */
  names: string[];
  /** `get ksvc/a rev/b` form. */
  refs: ResourceRef[];
  allNamespaces: boolean;
  output?: OutputFormat;
  /** The template of `-o jsonpath=…` or `-o custom-columns=…`. */
  template?: string;
  /** `--sort-by`: a JSONPath the objects are ordered by. */
  sortBy?: string;
  /** `--field-selector`: the fields the API server selects by (`type=Warning`, `metadata.name=x`). */
  fieldSelector?: string;
  selector?: string;
  showLabels: boolean;
  noHeaders: boolean;
}

export interface KubectlApply extends KubectlBase {
  verb: 'apply';
  files: string[];
}

export interface KubectlDelete extends KubectlBase {
  verb: 'delete';
  resources: string[];
  names: string[];
  refs: ResourceRef[];
  files: string[];
  all: boolean;
  selector?: string;
}

export interface KubectlDescribe extends KubectlBase {
  verb: 'describe';
  resources: string[];
  names: string[];
  refs: ResourceRef[];
  selector?: string;
}

export interface KubectlLogs extends KubectlBase {
  verb: 'logs';
  /** A pod name, or `pod/x`, `deployment/x`, `replicaset/x` (kubectl then picks one of its pods). */
  target: string;
  container?: string;
  tail?: number;
  timestamps: boolean;
}

export type KubectlCommand = KubectlGet | KubectlApply | KubectlDelete | KubectlDescribe | KubectlLogs;
export type KubectlVerb = KubectlCommand['verb'];

export class KubectlParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubectlParseError';
  }
}

const SUPPORTED: readonly KubectlVerb[] = ['get', 'apply', 'delete', 'describe', 'logs'];
const OTHER_KUBECTL_COMMANDS = [
  'create',
  'expose',
  'run',
  'set',
  'explain',
  'edit',
  'rollout',
  'scale',
  'autoscale',
  'certificate',
  'cluster-info',
  'top',
  'cordon',
  'uncordon',
  'drain',
  'taint',
  'attach',
  'exec',
  'port-forward',
  'proxy',
  'cp',
  'auth',
  'debug',
  'events',
  'diff',
  'patch',
  'replace',
  'wait',
  'kustomize',
  'label',
  'annotate',
  'completion',
  'api-resources',
  'api-versions',
  'config',
  'plugin',
  'version',
];

type FlagSpec = PflagSpec;

const COMMON_FLAGS: FlagSpec[] = [
  { long: 'namespace', short: 'n', takesValue: true },
  { long: 'selector', short: 'l', takesValue: true },
];
const FLAGS: Record<KubectlVerb, FlagSpec[]> = {
  get: [
    ...COMMON_FLAGS,
    { long: 'all-namespaces', short: 'A', takesValue: false },
    { long: 'output', short: 'o', takesValue: true },
    { long: 'show-labels', takesValue: false },
    { long: 'no-headers', takesValue: false },
    { long: 'sort-by', takesValue: true },
    { long: 'field-selector', takesValue: true },
    { long: 'watch', short: 'w', takesValue: false },
  ],
  apply: [
    { long: 'namespace', short: 'n', takesValue: true },
    { long: 'filename', short: 'f', takesValue: true },
  ],
  delete: [
    ...COMMON_FLAGS,
    { long: 'filename', short: 'f', takesValue: true },
    { long: 'all', takesValue: false },
    { long: 'wait', takesValue: false },
  ],
  describe: [...COMMON_FLAGS],
  logs: [
    { long: 'namespace', short: 'n', takesValue: true },
    { long: 'container', short: 'c', takesValue: true },
    { long: 'tail', takesValue: true },
    { long: 'timestamps', takesValue: false },
  ],
};

interface ParsedFlags {
  values: Map<string, string[]>;
  positionals: string[];
}

function parseFlags(verb: KubectlVerb, args: string[]): ParsedFlags {
  try {
    const { values, positionals } = readPflags(args, FLAGS[verb]);
    return { values, positionals };
  } catch (e) {
    if (!(e instanceof PflagError)) throw e;
    const p = e.problem;
    throw new KubectlParseError(
      p.kind === 'notABool'
        ? `error: invalid argument "${p.value}" for "--${p.name}" flag: expected true or false`
        : `error: ${e.message}`,
    );
  }
}

const last = lastValue;
function flag(values: Map<string, string[]>, key: string): boolean {
  return last(values, key) === 'true';
}

function splitTargets(positionals: string[], verb: KubectlVerb) {
  const resources: string[] = [];
  const names: string[] = [];
  const refs: ResourceRef[] = [];
  if (positionals.length === 0) return { resources, names, refs };
  const first = positionals[0]!;
  if (first.includes('/')) {
    for (const p of positionals) {
      const slash = p.indexOf('/');
      if (slash <= 0 || slash === p.length - 1) {
        throw new KubectlParseError(
          `error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl ${verb} resource/<resource_name>' instead of 'kubectl ${verb} resource resource/<resource_name>')`,
        );
      }
      refs.push({ resource: p.slice(0, slash), name: p.slice(slash + 1) });
    }
    return { resources, names, refs };
  }
  for (const r of first.split(',')) {
    if (r === '') throw new KubectlParseError(`error: invalid resource type list "${first}"`);
    resources.push(r);
  }
  for (const n of positionals.slice(1)) {
    if (n.includes('/')) {
      throw new KubectlParseError(
        `error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl ${verb} resource/<resource_name>' instead of 'kubectl ${verb} resource resource/<resource_name>')`,
      );
    }
    names.push(n);
  }
  return { resources, names, refs };
}

/**
 * Parse a kubectl command line (with or without the leading `kubectl`).
 * Throws KubectlParseError with a kubectl-like message.
 */
export function parseKubectl(commandLine: string): KubectlCommand {
  let words: string[];
  try {
    words = splitCommandLine(commandLine);
  } catch (e) {
    if (e instanceof CommandLineError) throw new KubectlParseError(`error: ${e.message}`);
    throw e;
  }
  if (words[0] === 'kubectl') words = words.slice(1);
  // Global flags before the verb: only -n/--namespace is meaningful here.
  let preNamespace: string | undefined;
  while (words.length > 0 && words[0]!.startsWith('-')) {
    const w = words[0]!;
    if (w === '-n' || w === '--namespace') {
      if (words[1] === undefined) throw new KubectlParseError(`error: flag needs an argument: ${w}`);
      preNamespace = words[1];
      words = words.slice(2);
    } else if (w.startsWith('--namespace=')) {
      preNamespace = w.slice('--namespace='.length);
      words = words.slice(1);
    } else {
      throw new KubectlParseError(`error: unknown flag: ${w}`);
    }
  }
  const verbWord = words[0];
  if (verbWord === undefined) {
    throw new KubectlParseError(`error: no kubectl command given (supported: ${SUPPORTED.join(', ')})`);
  }
  if (!(SUPPORTED as readonly string[]).includes(verbWord)) {
    if (OTHER_KUBECTL_COMMANDS.includes(verbWord)) {
      throw new KubectlParseError(
        `error: "kubectl ${verbWord}" is not supported in scenarios (supported: ${SUPPORTED.join(', ')})`,
      );
    }
    const hint = didYouMean(verbWord, SUPPORTED);
    throw new KubectlParseError(
      `error: unknown command "${verbWord}" for "kubectl"${hint ? `; did you mean "${hint}"?` : ''}`,
    );
  }
  const verb = verbWord as KubectlVerb;
  const argv = preNamespace !== undefined ? [...words, '-n', preNamespace] : words;
  const text = `kubectl ${argv.map(quoteWord).join(' ')}`;
  const { values, positionals } = parseFlags(verb, words.slice(1));
  const namespace = last(values, 'namespace') ?? preNamespace;
  const base = { argv, text, ...(namespace !== undefined ? { namespace } : {}) };
  if (namespace === '') throw new KubectlParseError('error: a namespace must not be empty');
  const selector = last(values, 'selector');
  if (selector !== undefined) {
    try {
      parseLabelSelector(selector);
    } catch (e) {
      if (e instanceof SelectorError) throw new KubectlParseError(`error: ${e.message}`);
      throw e;
    }
  }
  const sel = selector !== undefined ? { selector } : {};

  switch (verb) {
    case 'get': {
      if (flag(values, 'watch')) {
        throw new KubectlParseError(
          'error: --watch is not supported in a scenario step (it never returns); use a `wait:` step instead',
        );
      }
      if (positionals.length === 0) {
        throw new KubectlParseError(
          'error: You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.',
        );
      }
      const given = last(values, 'output');
      const eq = given?.indexOf('=') ?? -1;
      const output = given !== undefined && eq >= 0 ? given.slice(0, eq) : given;
      const template = given !== undefined && eq >= 0 ? given.slice(eq + 1) : undefined;
      if (output !== undefined && !(OUTPUT_FORMATS as readonly string[]).includes(output)) {
        throw new KubectlParseError(
          `error: unable to match a printer suitable for the output format "${output}", allowed formats are: ${OUTPUT_FORMATS.join(',')}`,
        );
      }
      if (output !== undefined && TEMPLATED_FORMATS.includes(output as OutputFormat) && !template) {
        throw new KubectlParseError(
          output === 'jsonpath'
            ? 'error: template format specified but no template given'
            : 'error: custom-columns format specified but no custom columns given',
        );
      }
      const sortBy = last(values, 'sort-by');
      const fieldSelector = last(values, 'field-selector');
      if (template || sortBy) {
        try {
          if (sortBy) parseJsonPath(relaxedJsonPath(sortBy));
          if (template && output === 'jsonpath') parseJsonPath(template);
          else if (template && output === 'custom-columns') parseCustomColumns(template);
        } catch (e) {
          if (e instanceof JsonPathError) throw new KubectlParseError(`error: ${e.message}`);
          throw e;
        }
      }
      return {
        verb,
        ...base,
        ...splitTargets(positionals, verb),
        allNamespaces: flag(values, 'all-namespaces'),
        ...(output !== undefined ? { output: output as OutputFormat } : {}),
        ...(template !== undefined && TEMPLATED_FORMATS.includes(output as OutputFormat) ? { template } : {}),
        ...(sortBy ? { sortBy } : {}),
        ...(fieldSelector ? { fieldSelector } : {}),
        ...sel,
        showLabels: flag(values, 'show-labels'),
        noHeaders: flag(values, 'no-headers'),
      };
    }
    case 'apply': {
      const files = values.get('filename') ?? [];
      if (files.length === 0) throw new KubectlParseError('error: must specify one of -f and -k');
      if (positionals.length > 0) {
        throw new KubectlParseError(`error: Unexpected args: [${positionals.join(' ')}]`);
      }
      return { verb, ...base, files };
    }
    case 'delete': {
      const files = values.get('filename') ?? [];
      const all = flag(values, 'all');
      const targets = splitTargets(positionals, verb);
      if (files.length > 0 && positionals.length > 0) {
        throw new KubectlParseError(`error: Unexpected args: [${positionals.join(' ')}]`);
      }
      if (files.length === 0) {
        if (positionals.length === 0) {
          throw new KubectlParseError('error: You must provide one or more resources by argument or filename.');
        }
        if (targets.refs.length === 0 && targets.names.length === 0 && !all && selector === undefined) {
          throw new KubectlParseError('error: resource(s) were provided, but no name was specified');
        }
      }
      return { verb, ...base, ...targets, files, all, ...sel };
    }
    case 'logs': {
      if (positionals.length === 0) {
        throw new KubectlParseError(
          "error: expected POD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples",
        );
      }
      if (positionals.length > 2) {
        throw new KubectlParseError(`error: Unexpected args: [${positionals.slice(2).join(' ')}]`);
      }
      const tailText = last(values, 'tail');
      const tail = tailText === undefined ? undefined : Number(tailText);
      if (tail !== undefined && !Number.isInteger(tail)) {
        throw new KubectlParseError(
          `error: invalid argument "${tailText}" for "--tail" flag: strconv.ParseInt: parsing "${tailText}": invalid syntax`,
        );
      }
      // `kubectl logs POD CONTAINER` is the old form of `-c CONTAINER`.
      const container = last(values, 'container') ?? positionals[1];
      return {
        verb,
        ...base,
        target: positionals[0]!,
        ...(container !== undefined ? { container } : {}),
        ...(tail !== undefined && tail >= 0 ? { tail } : {}),
        timestamps: flag(values, 'timestamps'),
      };
    }
    case 'describe': {
      if (positionals.length === 0) {
        throw new KubectlParseError(
          'error: You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.',
        );
      }
      return { verb, ...base, ...splitTargets(positionals, verb), ...sel };
    }
  }
}
