/**
 * `kn` command lines in scenarios (knative/client): `kn service create|update|delete|list`,
 * `kn revision list`, `kn route list`. Parsed when the scenario is read, with kn's own (cobra and
 * pflag) words for what it refuses, so a typo is reported at its line before the run starts.
 */
import { KN_WAIT_TIMEOUT_S, type KnServiceEdits, type KnSetting } from '../model/rules/knClient.js';
import type { KnTrafficFlags } from '../model/rules/knTraffic.js';
import { DurationError, parseDuration } from './duration.js';
import { lastValue, PflagError, type PflagsRead, readPflags } from './pflag.js';
import { CommandLineError, didYouMean, splitCommandLine } from './shell.js';

export class KnParseError extends Error {}

interface KnBase {
  /** The command line as written, with a leading `kn`. */
  text: string;
  namespace?: string;
}

export interface KnWaitFlags {
  wait: boolean;
  waitTimeoutS: number;
  /** `--wait-window`: seconds Ready may stay False before the wait fails. */
  waitWindowS: number;
}

export type KnCommand =
  | (KnBase & {
      verb: 'service create';
      name: string;
      edits: KnServiceEdits;
      force: boolean;
      traffic: KnTrafficFlags;
    } & KnWaitFlags)
  | (KnBase & { verb: 'service update'; name: string; edits: KnServiceEdits; traffic: KnTrafficFlags } & KnWaitFlags)
  | (KnBase & { verb: 'service delete'; names: string[]; all: boolean } & KnWaitFlags)
  | (KnBase & { verb: 'service wait'; name: string } & KnWaitFlags)
  | (KnBase & { verb: 'service list'; name?: string; allNamespaces: boolean })
  | (KnBase & { verb: 'revision list'; name?: string; service?: string; allNamespaces: boolean })
  | (KnBase & { verb: 'route list'; name?: string; allNamespaces: boolean });

type FlagKind = 'string' | 'int' | 'bool' | 'array';
interface FlagSpec {
  kind: FlagKind;
  short?: string;
}

const NAMESPACE: Record<string, FlagSpec> = { namespace: { kind: 'string', short: 'n' } };
const ALL_NAMESPACES: Record<string, FlagSpec> = { 'all-namespaces': { kind: 'bool', short: 'A' } };
const WAIT: Record<string, FlagSpec> = {
  wait: { kind: 'bool' },
  'no-wait': { kind: 'bool' },
  'wait-timeout': { kind: 'int' },
  'wait-window': { kind: 'int' },
};
const EDIT: Record<string, FlagSpec> = {
  image: { kind: 'string' },
  env: { kind: 'array', short: 'e' },
  port: { kind: 'string', short: 'p' },
  annotation: { kind: 'array', short: 'a' },
  label: { kind: 'array', short: 'l' },
  scale: { kind: 'string' },
  'scale-min': { kind: 'int' },
  'scale-max': { kind: 'int' },
  'scale-init': { kind: 'int' },
  'scale-target': { kind: 'int' },
  'scale-utilization': { kind: 'int' },
  'scale-window': { kind: 'string' },
  'scale-metric': { kind: 'string' },
  'scale-activation': { kind: 'int' },
  'concurrency-limit': { kind: 'int' },
  timeout: { kind: 'int' },
  'revision-name': { kind: 'string' },
  'cluster-local': { kind: 'bool' },
  'no-cluster-local': { kind: 'bool' },
  'lock-to-digest': { kind: 'bool' },
  'no-lock-to-digest': { kind: 'bool' },
  request: { kind: 'array' },
  limit: { kind: 'array' },
};

const COMMANDS: Record<string, Record<string, Record<string, FlagSpec>>> = {
  service: {
    create: { ...NAMESPACE, ...WAIT, ...EDIT, force: { kind: 'bool' }, tag: { kind: 'array' } },
    update: {
      ...NAMESPACE,
      ...WAIT,
      ...EDIT,
      traffic: { kind: 'array' },
      tag: { kind: 'array' },
      untag: { kind: 'array' },
    },
    delete: { ...NAMESPACE, ...WAIT, all: { kind: 'bool' } },
    wait: { ...NAMESPACE, 'wait-timeout': { kind: 'int' }, 'wait-window': { kind: 'int' } },
    list: { ...NAMESPACE, ...ALL_NAMESPACES },
  },
  revision: { list: { ...NAMESPACE, ...ALL_NAMESPACES, service: { kind: 'string', short: 's' } } },
  route: { list: { ...NAMESPACE, ...ALL_NAMESPACES } },
};

const GROUP_ALIASES: Record<string, string> = {
  service: 'service',
  services: 'service',
  ksvc: 'service',
  revision: 'revision',
  revisions: 'revision',
  route: 'route',
  routes: 'route',
};

type Values = Map<string, string[]>;

/** pflag's reading of `args` against `specs`: flags anywhere, `--` ends them. */
function readFlags(
  args: string[],
  specs: Record<string, FlagSpec>,
  usage: string,
): { positional: string[]; values: Values } {
  const fail = (message: string): never => {
    throw new KnParseError(`Error: ${message}\nRun '${usage} --help' for usage.`);
  };
  let read: PflagsRead;
  try {
    read = readPflags(
      args,
      Object.entries(specs).map(([long, s]) => ({
        long,
        ...(s.short ? { short: s.short } : {}),
        takesValue: s.kind !== 'bool',
      })),
    );
  } catch (e) {
    if (!(e instanceof PflagError)) throw e;
    return fail(e.message);
  }
  for (const [name, vs] of read.values) {
    if (specs[name]!.kind !== 'int') continue;
    for (const v of vs) {
      if (!/^[+-]?\d+$/.test(v)) {
        fail(`invalid argument "${v}" for "--${name}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
      }
    }
  }
  return { positional: read.positionals, values: read.values };
}

const last = lastValue;
const lastInt = (values: Values, name: string) => {
  const v = last(values, name);
  return v === undefined ? undefined : Number.parseInt(v, 10);
};
const flag = (values: Values, name: string) => last(values, name) === 'true';

/** `K=V` sets, `K-` unsets; a list value may hold several, comma-separated (StringSlice flags). */
function settings(values: Values, name: string, split: boolean, usage: string): KnSetting[] {
  const out: KnSetting[] = [];
  for (const raw of values.get(name) ?? []) {
    for (const item of split ? raw.split(',') : [raw]) {
      if (item.endsWith('-') && !item.includes('=')) {
        out.push([item.slice(0, -1), undefined]);
        continue;
      }
      const eq = item.indexOf('=');
      if (eq <= 0) {
        throw new KnParseError(
          `Error: Invalid --${name}: argument requires a value that contains the "=" character; got "${item}"\nRun '${usage} --help' for usage.`,
        );
      }
      out.push([item.slice(0, eq), item.slice(eq + 1)]);
    }
  }
  return out;
}

function editsFrom(values: Values, usage: string): KnServiceEdits {
  const fail = (message: string): never => {
    throw new KnParseError(`Error: ${message}\nRun '${usage} --help' for usage.`);
  };
  let scaleMin = lastInt(values, 'scale-min');
  let scaleMax = lastInt(values, 'scale-max');
  const scale = last(values, 'scale');
  if (scale !== undefined) {
    if (scaleMax !== undefined) fail('only --scale or --scale-max can be specified');
    if (scaleMin !== undefined) fail('only --scale or --scale-min can be specified');
    const range = /^(\d*)\.\.(\d*)$/.exec(scale);
    if (range) {
      if (range[1] !== '') scaleMin = Number.parseInt(range[1]!, 10);
      if (range[2] !== '') scaleMax = Number.parseInt(range[2]!, 10);
    } else if (/^\d+$/.test(scale)) {
      scaleMin = scaleMax = Number.parseInt(scale, 10);
    } else {
      fail('Scale must be of the format x..y or x');
    }
  }
  const scaleWindow = last(values, 'scale-window');
  if (scaleWindow !== undefined) {
    try {
      parseDuration(scaleWindow);
    } catch (e) {
      if (!(e instanceof DurationError)) throw e;
      fail(`invalid duration for 'scale-window': time: invalid duration "${scaleWindow}"`);
    }
  }
  const concurrencyLimit = lastInt(values, 'concurrency-limit');
  if (concurrencyLimit !== undefined && concurrencyLimit < 0) {
    fail(`invalid concurrency-limit ${concurrencyLimit} (must not be less than 0)`);
  }
  const portText = last(values, 'port');
  let port: KnServiceEdits['port'];
  if (portText !== undefined) {
    const m = /^(?:([^:]*):)?(\d+)$/.exec(portText);
    if (!m) {
      fail(
        `the port specification '${portText}' is not valid. Please provide in the format 'NAME:PORT', where 'NAME' is optional. Examples: '--port h2c:8080' , '--port 8080'.`,
      );
    }
    port = { containerPort: Number.parseInt(m![2]!, 10), ...(m![1] ? { name: m![1] } : {}) };
  }
  const revisionName = last(values, 'revision-name');
  if (revisionName?.includes('.Random')) {
    fail(
      `--revision-name ${revisionName}: knsim does not draw {{.Random n}} (a run must be the same for the same seed); give the name, or {{.Service}} and {{.Generation}}`,
    );
  }
  const clusterLocal = values.has('no-cluster-local')
    ? !flag(values, 'no-cluster-local')
    : values.has('cluster-local')
      ? flag(values, 'cluster-local')
      : undefined;
  const lockToDigest = values.has('no-lock-to-digest')
    ? !flag(values, 'no-lock-to-digest')
    : values.has('lock-to-digest')
      ? flag(values, 'lock-to-digest')
      : true;
  const edits: KnServiceEdits = {
    env: settings(values, 'env', false, usage),
    annotations: settings(values, 'annotation', false, usage),
    labels: settings(values, 'label', false, usage),
    requests: settings(values, 'request', true, usage),
    limits: settings(values, 'limit', true, usage),
    lockToDigest,
    ...defined('image', last(values, 'image')),
    ...defined('port', port),
    ...defined('scaleMin', scaleMin),
    ...defined('scaleMax', scaleMax),
    ...defined('scaleInit', lastInt(values, 'scale-init')),
    ...defined('scaleTarget', lastInt(values, 'scale-target')),
    ...defined('scaleUtilization', lastInt(values, 'scale-utilization')),
    ...defined('scaleWindow', scaleWindow),
    ...defined('scaleMetric', last(values, 'scale-metric')),
    ...defined('scaleActivation', lastInt(values, 'scale-activation')),
    ...defined('concurrencyLimit', concurrencyLimit),
    ...defined('timeoutSeconds', lastInt(values, 'timeout')),
    ...defined('revisionName', revisionName),
    ...defined('clusterLocal', clusterLocal),
  };
  return edits;
}

function defined<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [k in K]?: V };
}

/** --traffic, --tag and --untag: string slices (comma-separated, repeatable), in the order given. */
function trafficFlags(values: Values): KnTrafficFlags {
  const slice = (name: string) => (values.get(name) ?? []).flatMap((v) => v.split(','));
  return { traffic: slice('traffic'), tags: slice('tag'), untags: slice('untag') };
}

function waitFlags(values: Values): KnWaitFlags {
  const noWait = values.has('no-wait') ? flag(values, 'no-wait') : values.has('wait') ? !flag(values, 'wait') : false;
  return {
    wait: !noWait,
    waitTimeoutS: lastInt(values, 'wait-timeout') ?? KN_WAIT_TIMEOUT_S,
    waitWindowS: lastInt(values, 'wait-window') ?? 2,
  };
}

/** Parses a kn command line (with or without the leading `kn`); throws KnParseError in kn's words. */
export function parseKn(commandLine: string): KnCommand {
  let words: string[];
  try {
    words = splitCommandLine(commandLine);
  } catch (e) {
    if (e instanceof CommandLineError) throw new KnParseError(`Error: ${e.message}`);
    throw e;
  }
  if (words[0] === 'kn') words = words.slice(1);
  const text = `kn ${words.join(' ')}`;
  const groupWord = words[0];
  if (groupWord === undefined) throw new KnParseError('Error: a kn command is needed, e.g. "kn service list"');
  const group = GROUP_ALIASES[groupWord];
  if (!group && EVENTING.includes(groupWord)) {
    throw new KnParseError(
      `Error: "kn ${groupWord}" is Knative Eventing's; knsim simulates Knative Serving (kn service, revision and route)`,
    );
  }
  if (!group) {
    const hint = didYouMean(groupWord, Object.keys(GROUP_ALIASES));
    throw new KnParseError(
      `Error: unknown command "${groupWord}" for "kn"${hint ? `\n\nDid you mean this?\n\t${hint}` : ''}\nRun 'kn --help' for usage.`,
    );
  }
  const subWord = words[1] === 'ls' ? 'list' : words[1];
  const subs = COMMANDS[group]!;
  if (subWord === undefined || !(subWord in subs)) {
    const real = ['create', 'update', 'delete', 'list', 'describe', 'apply', 'export', 'import', 'wait'];
    const known = subWord !== undefined && real.includes(subWord);
    throw new KnParseError(
      subWord === undefined
        ? `Error: 'kn ${group}' needs a sub-command: ${Object.keys(subs).join(', ')}`
        : known
          ? `Error: knsim runs kn ${group} ${Object.keys(subs).join(', ')}; "kn ${group} ${subWord}" is not simulated (use kubectl for it)`
          : `Error: unknown sub-command '${subWord}' for 'kn ${group}'\nRun 'kn ${group} --help' for usage.`,
    );
  }
  const usage = `kn ${group} ${subWord}`;
  const { positional, values } = readFlags(words.slice(2), subs[subWord]!, usage);
  const namespace = last(values, 'namespace');
  const base = { text, ...(namespace !== undefined ? { namespace } : {}) };
  const fail = (message: string): never => {
    throw new KnParseError(`Error: ${message}\nRun '${usage} --help' for usage.`);
  };
  switch (`${group} ${subWord}`) {
    case 'service create': {
      if (positional.length !== 1) fail("'service create' requires the service name given as single argument");
      const edits = editsFrom(values, usage);
      if (edits.image === undefined)
        fail("'service create' requires the image name to run provided with the --image option");
      return {
        verb: 'service create',
        ...base,
        name: positional[0]!,
        edits,
        force: flag(values, 'force'),
        traffic: trafficFlags(values),
        ...waitFlags(values),
      };
    }
    case 'service update': {
      if (positional.length !== 1) fail("'service update' requires the service name given as single argument");
      if (values.size === 0) throw new KnParseError(`Error: flag(s) not set\nUsage: update NAME`);
      return {
        verb: 'service update',
        ...base,
        name: positional[0]!,
        edits: editsFrom(values, usage),
        traffic: trafficFlags(values),
        ...waitFlags(values),
      };
    }
    case 'service wait': {
      if (positional.length !== 1) fail("'service wait' requires the service name given as single argument");
      return { verb: 'service wait', ...base, name: positional[0]!, ...waitFlags(values) };
    }
    case 'service delete': {
      const all = flag(values, 'all');
      if (positional.length < 1 && !all) fail("'service delete' requires the service name(s)");
      if (positional.length > 0 && all) fail("'service delete' with --all flag requires no arguments");
      return { verb: 'service delete', ...base, names: positional, all, ...waitFlags(values) };
    }
    case 'service list':
    case 'route list': {
      if (positional.length > 1) fail(`'kn ${group} list' accepts maximum 1 argument`);
      const verb = group === 'service' ? ('service list' as const) : ('route list' as const);
      return { verb, ...base, ...defined('name', positional[0]), allNamespaces: flag(values, 'all-namespaces') };
    }
    default: {
      if (positional.length > 1) {
        fail(`'kn revision list' accepts maximum 1 argument, not ${positional.length} arguments as given`);
      }
      return {
        verb: 'revision list',
        ...base,
        ...defined('name', positional[0]),
        ...defined('service', last(values, 'service')),
        allNamespaces: flag(values, 'all-namespaces'),
      };
    }
  }
}

const EVENTING = ['broker', 'trigger', 'source', 'channel', 'subscription', 'eventtype'];
