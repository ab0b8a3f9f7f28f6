/**
 * kn's `--traffic`, `--tag` and `--untag` (knative/client pkg/traffic/compute.go): how
 * `kn service update` turns them into the Service's spec.traffic. Untags first, then tags
 * (`@latest` on the target that follows the latest revision), then, when --traffic is given, every
 * percent reset and the given ones set, by tag before revision name, new targets appended; targets
 * with neither a tag nor a percent are dropped. Percents that sum to less than 100 leave the rest to
 * the one revision not named (or to @latest when the update makes a new revision).
 */
import type { KubeObject, Service, TrafficTarget } from '../api/types.js';
import { KnError } from './knClient.js';

const LATEST = '@latest';

export interface KnTrafficFlags {
  /** `--traffic` pairs `ref=percent` (a bare percent is @latest's), in the order given. */
  readonly traffic: readonly string[];
  /** `--tag` pairs `revision=tag` (a bare tag is @latest's). */
  readonly tags: readonly string[];
  readonly untags: readonly string[];
}

/** Whether any traffic flag was given (kn computes traffic only then). */
export function knTrafficChanged(flags: KnTrafficFlags): boolean {
  return flags.traffic.length > 0 || flags.tags.length > 0 || flags.untags.length > 0;
}

function splitPair(pair: string): [string, string] {
  const parts = pair.split('=');
  if (parts.length === 1) return [LATEST, parts[0]!];
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    throw new KnError(`expecting the value format in value1=value2, given ${pair}`);
  }
  return [parts[0]!, parts[1]!.replace(/%$/, '')];
}

function target(tag: string, revision: string, percent: number, latest: boolean): TrafficTarget {
  return {
    ...(tag ? { tag } : {}),
    ...(latest ? {} : { revisionName: revision }),
    latestRevision: latest,
    percent,
  };
}

function repeated(flag: string, name: string): KnError {
  const what = name === LATEST ? `identifier ${LATEST}` : `revision reference ${name}`;
  return new KnError(`repetition of ${what} is not allowed, use only once with ${flag} flag`);
}

function distributionError(sum: number, countWrong: boolean): KnError {
  const why = countWrong
    ? 'incorrect number of revisions specified. Only 1 revision should be missing'
    : 'cannot determine the missing revision';
  return new KnError(`unable to allocate the remaining traffic: ${100 - sum}%. Reason: ${why}`);
}

/**
 * kn's checks of the flags against the Service, and the remainder of a split under 100: returns
 * the traffic pairs with the remainder's pair appended where kn appends it.
 */
function verified(
  flags: KnTrafficFlags,
  service: Service,
  revisions: readonly KubeObject[],
  mutation: boolean,
): string[] {
  const pairs = [...flags.traffic];
  let latestTagged = false;
  for (const t of flags.tags) {
    const [revision] = splitPair(t);
    if (latestTagged && revision === LATEST) throw repeated('--tag', LATEST);
    if (revision === LATEST) latestTagged = true;
  }
  const refs = new Map<string, number>();
  let sum = 0;
  pairs.forEach((pair, i) => {
    const [ref, percent] = splitPair(pair);
    if (refs.has(ref)) throw repeated('--traffic', ref);
    refs.set(ref, i);
    if (!/^[+-]?\d+$/.test(percent)) {
      throw new KnError(`error converting given ${percent} to integer value for traffic distribution`);
    }
    const n = Number.parseInt(percent, 10);
    if (n < 0 || n > 100) throw new KnError(`invalid value for traffic percent ${n}, expected 0 <= percent <= 100`);
    sum += n;
  });
  if (sum === 100) return pairs;
  if (sum > 100) throw new KnError(`given traffic percents sum to ${sum}, want <=100`);
  const existing = service.status?.traffic ?? [];
  if (pairs.length === 0) return pairs;
  if (pairs.length < existing.length - 1) throw distributionError(sum, true);
  if (mutation) {
    if (pairs.length !== existing.length) throw distributionError(sum, true);
    if (!refs.has(LATEST)) return [...pairs, `${LATEST}=${100 - sum}`];
  } else {
    if (pairs.length !== existing.length - 1) throw distributionError(sum, true);
    if (refs.has(LATEST)) refs.set(service.status?.latestReadyRevisionName ?? '', 0);
  }
  for (const t of existing) {
    const revision = revisions.find((r) => r.metadata.name === (t.revisionName ?? ''));
    if (!revision) break;
    // A revision counts as named by its name, or by the tags kn's revision list notes on it.
    const tags = revision.metadata.annotations?.['client.knative.dev/tags'];
    const named = refs.has(revision.metadata.name) || (tags !== undefined && refs.has(tags));
    if (!named) return [...pairs, `${revision.metadata.name}=${100 - sum}`];
  }
  throw distributionError(sum, false);
}

/**
 * The Service's new spec.traffic for kn's traffic flags. `revisions` are the Service's revisions
 * (for the remainder of a split); `mutation`: the update also makes a new revision; `create`:
 * `kn service create --tag`, where the tags go on a traffic block of @latest=100.
 */
export function knComputeTraffic(
  service: Service,
  revisions: readonly KubeObject[],
  flags: KnTrafficFlags,
  mutation: boolean,
  create = false,
): TrafficTarget[] {
  const given = create && flags.tags.length > 0 ? { ...flags, traffic: [`${LATEST}=100`] } : flags;
  const pairs = verified(given, service, revisions, mutation);
  let traffic: TrafficTarget[] = (service.spec.traffic ?? []).map((t) => ({ ...t }));
  const isLatest = (t: TrafficTarget) => t.latestRevision === true;
  const tagPresent = (tag: string) => traffic.some((t) => t.tag === tag);

  const missing = given.untags.filter((tag) => {
    const t = traffic.find((x) => x.tag === tag);
    if (!t) return true;
    delete t.tag;
    return false;
  });
  if (missing.length > 0) {
    throw new KnError(`tag(s) ${missing.join(', ')} not present for any revisions of service ${service.metadata.name}`);
  }

  for (const pair of given.tags) {
    const [revision, tag] = splitPair(pair);
    if (revision === LATEST) {
      const onLatest = traffic.find(isLatest)?.tag ?? '';
      if (onLatest === tag) continue;
      if (tagPresent(tag)) throw overwriting(tag);
      if (onLatest !== '') {
        throw new KnError(
          `tag '${onLatest}' exists on latest ready revision of service, refusing to overwrite existing tag with '${tag}', add flag '--untag ${onLatest}' in command to untag it`,
        );
      }
      const latest = traffic.find(isLatest);
      if (latest) latest.tag = tag;
      else traffic.push(target(tag, '', 0, true));
      continue;
    }
    if (traffic.some((t) => t.tag === tag && t.revisionName === revision)) continue;
    if (tagPresent(tag)) throw overwriting(tag);
    const named = traffic.find((t) => t.revisionName === revision);
    // A revision already tagged gets a second target for its second tag.
    if (named && !named.tag) named.tag = tag;
    else traffic.push(target(tag, revision, 0, false));
  }

  if (given.traffic.length > 0) {
    for (const t of traffic) t.percent = 0;
    for (const pair of pairs) {
      const [ref, text] = splitPair(pair);
      const percent = Number.parseInt(text, 10);
      if (ref === LATEST) {
        const latest = traffic.find(isLatest);
        if (latest) latest.percent = percent;
        else traffic.push(target('', '', percent, true));
        continue;
      }
      const byTag = traffic.find((t) => t.tag === ref);
      if (byTag) {
        byTag.percent = percent;
        continue;
      }
      const byName = traffic.find((t) => t.revisionName === ref);
      if (byName) {
        byName.percent = percent;
        continue;
      }
      traffic.push(target('', ref, percent, false));
    }
  }
  traffic = traffic.filter((t) => (t.tag ?? '') !== '' || (t.percent ?? 0) !== 0);
  return traffic;
}

function overwriting(tag: string): KnError {
  return new KnError(`refusing to overwrite existing tag in service, add flag '--untag ${tag}' in command to untag it`);
}
