/**
 * The `config:` section: ConfigMaps of knative-serving, checked by Knative's own parsers (as its
 * config webhook does), so a bad value is reported at its line rather than when the run applies it.
 */
import { ConfigError, parseAutoscalerConfig, parseDefaultsConfig, parseDeploymentConfig } from '../model/kpa/config.js';
import { parseDomainConfig, parseNetworkConfig } from '../model/rules/domain.js';
import { featuresConfigProblems } from '../model/rules/features.js';
import { parseDuration } from './duration.js';
import { conv, isPlainObject, PathError, PathErrors } from './fields.js';
import { describeValue } from './issues.js';
import { didYouMean } from './shell.js';

export const KNOWN_CONFIGMAPS = [
  'config-autoscaler',
  'config-defaults',
  'config-deployment',
  'config-domain',
  'config-features',
  'config-gc',
  'config-network',
  'config-observability',
  'config-logging',
  'config-tracing',
  'config-leader-election',
  'config-certmanager',
] as const;

const AUTOSCALER_DURATIONS = [
  'stable-window',
  'scale-to-zero-grace-period',
  'scale-to-zero-pod-retention-period',
  'scale-down-delay',
];

/** The ConfigMaps whose data the simulator parses (the same functions the run uses). */
const CONFIG_PARSERS: Record<string, (data: Record<string, string>) => unknown> = {
  'config-autoscaler': parseAutoscalerConfig,
  'config-defaults': parseDefaultsConfig,
  'config-deployment': parseDeploymentConfig,
  'config-domain': parseDomainConfig,
  'config-network': parseNetworkConfig,
};

/** One ConfigMap's data: values as strings (numbers and booleans stringified, as in a real ConfigMap). */
function configData(name: string, data: Record<string, unknown>, errors: PathError[]): Record<string, string> {
  const d: Record<string, string> = {};
  for (const [k, val] of Object.entries(data)) {
    if (val === null) d[k] = '';
    else if (typeof val === 'string' || typeof val === 'number' || typeof val === 'boolean') d[k] = String(val);
    else {
      errors.push(new PathError([name, k], `ConfigMap values must be strings, got ${describeValue(val)}`));
      continue;
    }
    if (name === 'config-autoscaler' && AUTOSCALER_DURATIONS.includes(k)) {
      try {
        parseDuration(d[k]!);
      } catch (e) {
        errors.push(new PathError([name, k], (e as Error).message));
      }
    }
  }
  return d;
}

export const configSchema = conv((v): Record<string, Record<string, string>> => {
  if (v === null) return {};
  if (!isPlainObject(v)) {
    throw new PathError([], `expected a mapping of ConfigMap names to data, got ${describeValue(v)}`);
  }
  const out: Record<string, Record<string, string>> = {};
  const errors: PathError[] = [];
  for (const [name, data] of Object.entries(v)) {
    if (!(KNOWN_CONFIGMAPS as readonly string[]).includes(name)) {
      const hint = didYouMean(name, KNOWN_CONFIGMAPS);
      errors.push(
        new PathError(
          [name],
          `unknown ConfigMap ${JSON.stringify(name)}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ` (known: ${KNOWN_CONFIGMAPS.join(', ')})`}`,
          { unknownKey: true },
        ),
      );
      continue;
    }
    if (data === null) {
      out[name] = {};
      continue;
    }
    if (!isPlainObject(data)) {
      errors.push(
        new PathError(
          [name],
          `expected the ConfigMap's data as a mapping of keys to strings, got ${describeValue(data)}`,
        ),
      );
      continue;
    }
    const d = configData(name, data, errors);
    // Knative ignores a flag it cannot read (the default stays): almost always a typo, so say so.
    if (name === 'config-features') {
      for (const p of featuresConfigProblems(d)) errors.push(new PathError([name, p.key], p.message));
    }
    const parse = CONFIG_PARSERS[name];
    if (parse !== undefined && !errors.some((e) => e.path[0] === name)) {
      // Knative's own parser, as its config webhook runs it.
      try {
        parse(d);
      } catch (e) {
        // The key the message names (`domain-template: …`), else the ConfigMap.
        const named = Object.keys(d).find(
          (k) => (e as Error).message.startsWith(`${k}:`) || (e as Error).message.startsWith(`${k} `),
        );
        const key = e instanceof ConfigError && e.key in d ? [e.key] : named !== undefined ? [named] : [];
        errors.push(new PathError([name, ...key], (e as Error).message));
      }
    }
    out[name] = d;
  }
  if (errors.length > 0) throw new PathErrors(errors);
  return out;
});
