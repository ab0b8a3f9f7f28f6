/**
 * The store indexes the simulated controllers look objects up by, as Knative's informers keep
 * indexers and listers: a change reaches the objects it concerns, and a reconcile reads what it
 * needs, without listing a namespace of thousands of Services.
 */
import type { Revision, Route } from '../model/api/types.js';
import { ANNOTATION_ROUTES, LABEL_CONFIGURATION, LABEL_REVISION } from '../model/rules/labels.js';
import { routesIn } from '../model/rules/routing.js';
import type { ObjectStore } from './store.js';
import {
  BY_OWNER,
  BY_ROUTES_ANNOTATION,
  PODS_BY_REVISION,
  REVISIONS_BY_CONFIGURATION,
  ROUTES_BY_TARGET,
  T,
} from './types.js';

export function addControllerIndexes(store: ObjectStore, ownedTypes: readonly string[]): void {
  store.addIndex(T.revision, REVISIONS_BY_CONFIGURATION, (obj) => {
    const config = (obj as Revision).metadata.labels?.[LABEL_CONFIGURATION];
    return config ? [`${obj.metadata.namespace ?? ''}/${config}`] : [];
  });
  store.addIndex(T.route, ROUTES_BY_TARGET, (obj) => {
    const ns = obj.metadata.namespace ?? '';
    const keys: string[] = [];
    for (const t of (obj as Route).spec.traffic ?? []) {
      if (t.configurationName) keys.push(`${ns}/configuration/${t.configurationName}`);
      if (t.revisionName) keys.push(`${ns}/revision/${t.revisionName}`);
    }
    return keys;
  });
  // What the labeler lists to take a Route off the objects it no longer references.
  for (const type of [T.revision, T.configuration]) {
    store.addIndex(type, BY_ROUTES_ANNOTATION, (obj) =>
      routesIn(obj.metadata.annotations?.[ANNOTATION_ROUTES]).map((r) => `${obj.metadata.namespace ?? ''}/${r}`),
    );
  }
  store.addIndex(T.pod, PODS_BY_REVISION, (obj) => {
    const revision = obj.metadata.labels?.[LABEL_REVISION];
    return revision ? [`${obj.metadata.namespace ?? ''}/${revision}`] : [];
  });
  for (const type of ownedTypes) {
    store.addIndex(type, BY_OWNER, (obj) => (obj.metadata.ownerReferences ?? []).map((o) => o.uid));
  }
}

/** The Routes of a namespace whose traffic names this revision or its configuration, by name. */
export function routesTargeting(store: ObjectStore, revision: Revision): Route[] {
  const ns = revision.metadata.namespace ?? '';
  const config = revision.metadata.labels?.[LABEL_CONFIGURATION];
  const byRevision = store.byIndex<Route>(T.route, ROUTES_BY_TARGET, `${ns}/revision/${revision.metadata.name}`);
  if (!config) return byRevision;
  const byConfig = store.byIndex<Route>(T.route, ROUTES_BY_TARGET, `${ns}/configuration/${config}`);
  if (byRevision.length === 0) return byConfig;
  const all = new Map<string, Route>();
  for (const r of [...byConfig, ...byRevision]) all.set(r.metadata.name, r);
  return [...all.values()].sort((a, b) =>
    a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0,
  );
}
