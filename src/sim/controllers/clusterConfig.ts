/**
 * The cluster-wide configuration the simulated controllers read: Knative's ConfigMaps in
 * knative-serving, parsed by the model's own parsers.
 */
import {
  type AutoscalerConfig,
  type DefaultsConfig,
  type DeploymentConfig,
  defaultAutoscalerConfig,
  defaultDefaultsConfig,
  defaultDeploymentConfig,
  parseAutoscalerConfig,
  parseDefaultsConfig,
  parseDeploymentConfig,
} from '../../model/kpa/index.js';
import {
  type DomainConfig,
  type NetworkConfig,
  parseDomainConfig,
  parseNetworkConfig,
} from '../../model/rules/domain.js';
import { DEFAULT_FEATURES_CONFIG, type FeaturesConfig, parseFeaturesConfig } from '../../model/rules/features.js';

export interface ClusterConfig {
  autoscaler: AutoscalerConfig;
  deployment: DeploymentConfig;
  defaults: DefaultsConfig;
  /** What the webhook lets into a revision template (config-features). */
  features: FeaturesConfig;
  domain: DomainConfig;
  network: NetworkConfig;
}

export function defaultClusterConfig(): ClusterConfig {
  return {
    autoscaler: defaultAutoscalerConfig(),
    deployment: defaultDeploymentConfig(),
    defaults: defaultDefaultsConfig(),
    features: DEFAULT_FEATURES_CONFIG,
    domain: parseDomainConfig({}),
    network: parseNetworkConfig({}),
  };
}

/** The ConfigMaps that change the simulation (others are accepted and stored only). */
export const KNOWN_CONFIG_MAPS = [
  'config-autoscaler',
  'config-deployment',
  'config-defaults',
  'config-domain',
  'config-features',
  'config-network',
];

/** A new config with one ConfigMap's data applied; throws the parser's error for bad values. */
export function withConfigMap(config: ClusterConfig, name: string, data: Record<string, string>): ClusterConfig {
  switch (name) {
    case 'config-autoscaler':
      return { ...config, autoscaler: parseAutoscalerConfig(data) };
    case 'config-deployment':
      return { ...config, deployment: parseDeploymentConfig(data) };
    case 'config-defaults':
      return { ...config, defaults: parseDefaultsConfig(data) };
    case 'config-domain':
      return { ...config, domain: parseDomainConfig(data) };
    case 'config-features':
      return { ...config, features: parseFeaturesConfig(data) };
    case 'config-network':
      return { ...config, network: parseNetworkConfig(data) };
    default:
      return config;
  }
}
