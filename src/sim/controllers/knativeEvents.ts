/**
 * The events Knative's Service and Configuration reconcilers record, in their words, recorded
 * by watching what they do to the store (the reconcilers themselves stay about behaviour):
 *
 * - service-controller, on the Service: `Created` "Created Configuration \"x\"", "Created Route \"x\"";
 * - configuration-controller, on the Configuration: `Created` "Created Revision \"x-00001\"",
 *   `ConfigurationReady` "Configuration becomes ready" (its first ready revision),
 *   `LatestReadyUpdate` "LatestReadyRevisionName updated to \"x-00002\"", and the warning
 *   `LatestCreatedFailed` "Latest created revision \"x-00002\" has failed".
 */
import type { Configuration, KubeObject } from '../../model/api/types.js';
import type { EventRecorder } from '../recorder.js';
import type { StoreEvent } from '../store.js';
import { T } from '../types.js';

const SERVICE_CONTROLLER = { component: 'service-controller' };
const CONFIGURATION_CONTROLLER = { component: 'configuration-controller' };

export class KnativeEvents {
  /** What each Configuration's status said last: latest ready revision, failed latest created. */
  private readonly configurations = new Map<string, { ready: string; failed: string }>();

  constructor(
    private readonly recorder: EventRecorder,
    private readonly get: (type: string, namespace: string | undefined, name: string) => KubeObject | undefined,
  ) {}

  observe(e: StoreEvent, type: string): void {
    const obj = e.object;
    if (e.op === 'added') this.created(obj, type);
    if (type === T.configuration) {
      const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
      if (e.op === 'deleted') this.configurations.delete(key);
      else this.configurationStatus(key, obj as Configuration);
    }
  }

  /** A child made by its controller: the owner's controller says so. */
  private created(obj: KubeObject, type: string): void {
    const owner = obj.metadata.ownerReferences?.find((o) => o.controller);
    if (!owner) return;
    const ns = obj.metadata.namespace;
    if ((type === T.configuration || type === T.route) && owner.kind === 'Service') {
      const service = this.get(T.service, ns, owner.name);
      if (!service) return;
      const what = type === T.configuration ? 'Configuration' : 'Route';
      this.recorder.record(service, 'Normal', 'Created', `Created ${what} "${obj.metadata.name}"`, SERVICE_CONTROLLER);
    } else if (type === T.revision && owner.kind === 'Configuration') {
      const configuration = this.get(T.configuration, ns, owner.name);
      if (!configuration) return;
      this.recorder.record(
        configuration,
        'Normal',
        'Created',
        `Created Revision "${obj.metadata.name}"`,
        CONFIGURATION_CONTROLLER,
      );
    }
  }

  private configurationStatus(key: string, config: Configuration): void {
    const seen = this.configurations.get(key) ?? { ready: '', failed: '' };
    const status = config.status;
    const ready = status?.latestReadyRevisionName ?? '';
    if (ready !== '' && ready !== seen.ready) {
      if (seen.ready === '') {
        this.recorder.record(
          config,
          'Normal',
          'ConfigurationReady',
          'Configuration becomes ready',
          CONFIGURATION_CONTROLLER,
        );
      }
      this.recorder.record(
        config,
        'Normal',
        'LatestReadyUpdate',
        `LatestReadyRevisionName updated to "${ready}"`,
        CONFIGURATION_CONTROLLER,
      );
    }
    const readyCondition = status?.conditions?.find((c) => c.type === 'Ready');
    const created = status?.latestCreatedRevisionName ?? '';
    const failed = readyCondition?.status === 'False' && created !== '' && created !== ready ? created : '';
    if (failed !== '' && failed !== seen.failed) {
      this.recorder.record(
        config,
        'Warning',
        'LatestCreatedFailed',
        `Latest created revision "${failed}" has failed`,
        CONFIGURATION_CONTROLLER,
      );
    }
    this.configurations.set(key, { ready, failed });
  }
}
