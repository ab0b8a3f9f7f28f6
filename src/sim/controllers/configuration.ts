/**
 * The Configuration reconciler: every generation stamps out one Revision (`<config>-%05d`, or
 * the template's own name), and the status follows the latest created and latest ready ones.
 */
import type { Configuration, Revision } from '../../model/api/types.js';
import {
  type ConfigurationLifecycleEmitted,
  configurationLifecycleMachine,
} from '../../model/machines/configuration.js';
import { getCondition, latestReadyRevision, READY } from '../../model/rules/conditions.js';
import { type DefaultsConfig, defaultRevisionSpec } from '../../model/rules/defaults.js';
import {
  LABEL_CONFIGURATION,
  LABEL_CONFIGURATION_GENERATION,
  LABEL_CONFIGURATION_UID,
  LABEL_ROUTING_STATE,
  LABEL_SERVICE,
  LABEL_SERVICE_UID,
} from '../../model/rules/labels.js';
import { byoRevisionNameTaken, configurationRevisionName } from '../../model/rules/naming.js';
import type { SimContext } from '../context.js';
import { ownerRef } from '../context.js';
import { REVISIONS_BY_CONFIGURATION, T } from '../types.js';
import { divergeAt, MachinesByObject, narrate } from './lifecycle.js';

/**
 * The Configuration reconciler: stamps out the generation's revision when it does not exist yet,
 * finds the latest ready one, and hands what it found to the Configuration's lifecycle machine,
 * which decides the Ready condition; the reconciler writes the status the machine emits.
 */
export class ConfigurationController {
  private readonly machines = new MachinesByObject(
    configurationLifecycleMachine,
    () => this.ctx.engine,
    ({ namespace, name }) =>
      (e) =>
        this.told(namespace, name, e),
  );

  constructor(
    private readonly ctx: SimContext,
    private readonly defaults: () => DefaultsConfig,
  ) {}

  reconcile(namespace: string, name: string): void {
    const { ctx } = this;
    const config = ctx.store.get<Configuration>(T.configuration, namespace, name);
    if (!config || config.metadata.deletionTimestamp) {
      if (!config) this.machines.forget(namespace, name);
      return;
    }
    const defaults = this.defaults();
    const generation = config.metadata.generation ?? 1;
    const template = config.spec.template;
    const revName = configurationRevisionName(name, generation, template.metadata?.name);

    let revision = ctx.store.get<Revision>(T.revision, namespace, revName);
    // An admitted template is defaulted already; defaulting it again (the webhook's own rule, which
    // changes nothing the second time) fills in a template written without the webhook.
    // A BYO name another template already took: Knative reports it and creates nothing.
    const taken =
      revision && template.metadata?.name
        ? byoRevisionNameTaken(config, revision, () => defaultRevisionSpec(template.spec, defaults))
        : undefined;
    if (!revision) {
      const serviceName = config.metadata.labels?.[LABEL_SERVICE];
      const svcOwner = config.metadata.ownerReferences?.find((o) => o.kind === 'Service');
      revision = ctx.store.create<Revision>({
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Revision',
        metadata: {
          name: revName,
          namespace,
          labels: {
            ...(template.metadata?.labels ?? {}),
            [LABEL_CONFIGURATION]: name,
            [LABEL_CONFIGURATION_GENERATION]: String(generation),
            [LABEL_CONFIGURATION_UID]: config.metadata.uid ?? '',
            ...(serviceName ? { [LABEL_SERVICE]: serviceName, [LABEL_SERVICE_UID]: svcOwner?.uid ?? '' } : {}),
            [LABEL_ROUTING_STATE]: 'pending',
          },
          annotations: { ...(template.metadata?.annotations ?? {}) },
          ownerReferences: [ownerRef(config)],
        },
        spec: defaultRevisionSpec(template.spec, defaults),
      });
    }

    // On a taken name Knative stops before looking at revisions: the status keeps what it had.
    const latestCreatedName = taken === undefined ? revName : config.status?.latestCreatedRevisionName;
    let latestReadyName = config.status?.latestReadyRevisionName;
    let latestReadyDeleted = false;
    let failed: ReturnType<typeof getCondition>;
    if (taken === undefined) {
      const revisions = ctx.store.byIndex<Revision>(T.revision, REVISIONS_BY_CONFIGURATION, `${namespace}/${name}`);
      const previousReady = latestReadyName;
      const latestReady = latestReadyRevision(revisions, generation, template.metadata?.name, previousReady);
      latestReadyName = latestReady?.metadata.name ?? previousReady;
      latestReadyDeleted =
        latestReady === undefined &&
        previousReady !== undefined &&
        !ctx.store.get(T.revision, namespace, previousReady);
      failed = getCondition(revision.status?.conditions, READY);
    }
    // The facts are all the send and the status write depend on besides the Configuration itself.
    const facts = {
      ...(latestCreatedName ? { latestCreatedRevisionName: latestCreatedName } : {}),
      ...(latestReadyName ? { latestReadyRevisionName: latestReadyName } : {}),
      ...(failed?.status === 'False' ? { latestCreatedFailedMessage: failed.message ?? '' } : {}),
      ...(taken !== undefined ? { revisionCreationFailedMessage: taken } : {}),
      latestReadyDeleted,
    };
    if (!this.machines.repeats(config, facts)) {
      this.machines.send(
        config,
        () => ({ name }),
        { type: 'configuration.reconcile', previous: config.status?.conditions, facts, nowIso: ctx.timestamp() },
        (e) => {
          if (e.type !== 'status') {
            this.told(namespace, name, e);
            return;
          }
          ctx.store.updateStatus(T.configuration, namespace, name, {
            observedGeneration: generation,
            conditions: e.conditions,
            ...(latestCreatedName ? { latestCreatedRevisionName: latestCreatedName } : {}),
            ...(latestReadyName && !latestReadyDeleted ? { latestReadyRevisionName: latestReadyName } : {}),
          });
        },
      );
      this.machines.sent(config, ctx.store.get<Configuration>(T.configuration, namespace, name), facts);
    }
    this.machines.reconciled(config, this.ctx.now());
  }

  /** What the Configuration's machine tells besides its status (which only a reconcile's send writes). */
  private told(namespace: string, name: string, e: ConfigurationLifecycleEmitted): void {
    if (e.type === 'milestone') narrate(this.ctx, e);
    else if (e.type === 'divergence') divergeAt(this.ctx, 'Configuration', namespace, name, e);
  }
}
