/**
 * kn's traffic flags, case by case from knative/client pkg/traffic/compute_test.go (TestCompute
 * and TestComputeErrMsg), against src/model/rules/knTraffic.ts.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject, Service, TrafficTarget } from '../../src/model/api/types.js';
import { type KnTrafficFlags, knComputeTraffic } from '../../src/model/rules/knTraffic.js';

/** compute_test.go's newTarget: a tag, a revision (none for @latest), a percent. */
function t(tag: string, revision: string, percent: number, latest: boolean): TrafficTarget {
  return { ...(tag ? { tag } : {}), ...(latest ? {} : { revisionName: revision }), latestRevision: latest, percent };
}

function service(traffic: TrafficTarget[], latestReady = ''): Service {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'serviceName', namespace: 'default' },
    spec: { template: { spec: { containers: [{}] } }, traffic },
    status: { latestReadyRevisionName: latestReady, traffic },
  };
}

const revs = (names: string[], tags: Record<string, string> = {}): KubeObject[] =>
  names.map((name) => ({
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Revision',
    metadata: {
      name,
      labels: { 'serving.knative.dev/service': 'serviceName' },
      ...(tags[name] ? { annotations: { 'client.knative.dev/tags': tags[name]! } } : {}),
    },
  }));

/** Flags as cobra collects them: each --traffic/--tag/--untag value split on commas. */
function flags(args: string[]): KnTrafficFlags {
  const out = { traffic: [] as string[], tags: [] as string[], untags: [] as string[] };
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i] === '--traffic' ? 'traffic' : args[i] === '--tag' ? 'tags' : 'untags';
    out[key].push(...args[i + 1]!.split(','));
  }
  return out;
}

/** [revision ('@latest' for the latest target), tag, percent] of each target. */
function shape(targets: TrafficTarget[]): [string, string, number][] {
  return targets.map((x) => [x.latestRevision ? '@latest' : (x.revisionName ?? ''), x.tag ?? '', x.percent ?? 0]);
}

const three = ['rev-00001', 'rev-00002', 'rev-00003'];

describe("kn's traffic computation (compute_test.go TestCompute)", () => {
  const cases: [
    string,
    TrafficTarget[],
    string[],
    [string, string, number][],
    { revisions?: string[]; mutation?: boolean; latest?: string }?,
  ][] = [
    [
      "assign 'latest' tag to @latest revision",
      [t('', '', 100, true)],
      ['--tag', '@latest=latest'],
      [['@latest', 'latest', 100]],
    ],
    ['… without specifying key', [t('', '', 100, true)], ['--tag', 'latest'], [['@latest', 'latest', 100]]],
    [
      'assign tag to revision',
      [t('', 'echo-v1', 100, false)],
      ['--tag', 'echo-v1=stable'],
      [['echo-v1', 'stable', 100]],
    ],
    [
      're-assign same tag to same revision',
      [t('current', '', 100, true)],
      ['--tag', '@latest=current'],
      [['@latest', 'current', 100]],
    ],
    [
      'split traffic to tags',
      [t('', '', 100, true), t('', 'rev-v1', 0, false)],
      ['--traffic', '@latest=10,rev-v1=90'],
      [
        ['@latest', '', 10],
        ['rev-v1', '', 90],
      ],
    ],
    [
      "… with '%' suffix",
      [t('', '', 100, true), t('', 'rev-v1', 0, false)],
      ['--traffic', '@latest=10%,rev-v1=90%'],
      [
        ['@latest', '', 10],
        ['rev-v1', '', 90],
      ],
    ],
    [
      'add 2 more tagged revisions without traffic',
      [t('latest', '', 100, true)],
      ['--tag', 'echo-v0=stale,echo-v1=old'],
      [
        ['@latest', 'latest', 100],
        ['echo-v0', 'stale', 0],
        ['echo-v1', 'old', 0],
      ],
    ],
    [
      "re-assign same tag to 'echo-v1'",
      [t('latest', 'echo-v1', 100, false)],
      ['--tag', 'echo-v1=latest'],
      [['echo-v1', 'latest', 100]],
    ],
    [
      'set 2% to @latest by appending it',
      [t('latest', 'echo-v1', 100, false)],
      ['--traffic', '@latest=2,echo-v1=98'],
      [
        ['echo-v1', 'latest', 98],
        ['@latest', '', 2],
      ],
    ],
    [
      'set 2% to @latest with tag',
      [t('latest', 'echo-v1', 100, false)],
      ['--traffic', '@latest=2,echo-v1=98', '--tag', '@latest=testing'],
      [
        ['echo-v1', 'latest', 98],
        ['@latest', 'testing', 2],
      ],
    ],
    [
      'change percent of a revision, add a new one',
      [t('v1', 'echo-v1', 100, false)],
      ['--tag', 'echo-v2=v2', '--traffic', 'v1=10,v2=90'],
      [
        ['echo-v1', 'v1', 10],
        ['echo-v2', 'v2', 90],
      ],
    ],
    [
      "untag 'latest' from 'echo-v1'",
      [t('latest', 'echo-v1', 100, false)],
      ['--untag', 'latest'],
      [['echo-v1', '', 100]],
    ],
    [
      "move 'latest' from echo-v1 to echo-v2",
      [t('latest', 'echo-v1', 50, false), t('', 'echo-v2', 50, false)],
      ['--untag', 'latest', '--tag', 'echo-v1=old,echo-v2=latest'],
      [
        ['echo-v1', 'old', 50],
        ['echo-v2', 'latest', 50],
      ],
    ],
    [
      'two tags for a revision in the block',
      [t('latest', 'echo-v1', 50, false), t('', 'echo-v2', 50, false)],
      ['--tag', 'echo-v1=latest,echo-v1=current'],
      [
        ['echo-v1', 'latest', 50],
        ['echo-v2', '', 50],
        ['echo-v1', 'current', 0],
      ],
    ],
    [
      'two tags for a revision not in the block',
      [t('', 'echo-v2', 100, false)],
      ['--tag', 'echo-v1=latest,echo-v1=current'],
      [
        ['echo-v2', '', 100],
        ['echo-v1', 'latest', 0],
        ['echo-v1', 'current', 0],
      ],
    ],
    [
      'echo-v1 10%, the rest to @latest',
      [t('', '', 100, true)],
      ['--traffic', 'echo-v1=10,@latest=90'],
      [
        ['@latest', '', 90],
        ['echo-v1', '', 10],
      ],
    ],
    [
      'sum < 100 for n-1 revisions',
      [t('', 'rev-00001', 0, false), t('', 'rev-00002', 0, false), t('', 'rev-00003', 100, false)],
      ['--traffic', 'rev-00001=10,rev-00002=10'],
      [
        ['rev-00001', '', 10],
        ['rev-00002', '', 10],
        ['rev-00003', '', 80],
      ],
      { revisions: three },
    ],
    [
      'sum < 100 with @latest, mutating: N revisions',
      [t('', 'rev-00001', 0, false), t('', 'rev-00002', 0, false), t('', 'rev-00003', 100, true)],
      ['--traffic', 'rev-00001=10,rev-00003=40,@latest=20'],
      [
        ['rev-00001', '', 10],
        ['rev-00002', '', 30],
        ['@latest', '', 20],
        ['rev-00003', '', 40],
      ],
      { revisions: three, mutation: true, latest: 'rev-00003' },
    ],
    [
      'sum < 100 with @latest, not mutating: N-1 revisions',
      [t('', 'rev-00001', 0, false), t('', 'rev-00002', 0, false), t('', 'rev-00003', 100, true)],
      ['--traffic', 'rev-00001=10,@latest=20'],
      [
        ['rev-00001', '', 10],
        ['rev-00002', '', 70],
        ['@latest', '', 20],
      ],
      { revisions: three, latest: 'rev-00003' },
    ],
    [
      'sum < 100 mutating without @latest: the rest to @latest',
      [t('', 'rev-00001', 0, false), t('', 'rev-00002', 0, false), t('', 'rev-00003', 100, true)],
      ['--traffic', 'rev-00001=10,rev-00003=40,rev-00002=30'],
      [
        ['rev-00001', '', 10],
        ['rev-00002', '', 30],
        ['@latest', '', 20],
        ['rev-00003', '', 40],
      ],
      { revisions: three, mutation: true, latest: 'rev-00003' },
    ],
  ];
  it.each(cases)('%s', (_name, existing, args, want, o = {}) => {
    const got = knComputeTraffic(
      service(existing, o.latest),
      revs(o.revisions ?? []),
      flags(args),
      o.mutation ?? false,
    );
    expect(shape(got)).toEqual(want);
  });
});

describe("kn's traffic errors (compute_test.go TestComputeErrMsg)", () => {
  const latest100 = [t('', '', 100, true)];
  const cases: [
    string,
    TrafficTarget[],
    string[],
    string,
    { revisions?: string[]; tags?: Record<string, string>; mutation?: boolean }?,
  ][] = [
    [
      'invalid --traffic',
      latest100,
      ['--traffic', '@latest=100=latest'],
      'expecting the value format in value1=value2, given @latest=100=latest',
    ],
    ['invalid --tag', latest100, ['--tag', '@latest='], 'expecting the value format in value1=value2, given @latest='],
    [
      '@latest twice in --traffic',
      latest100,
      ['--traffic', '@latest=90,@latest=10'],
      'repetition of identifier @latest is not allowed, use only once with --traffic flag',
    ],
    [
      '@latest twice in --tag',
      latest100,
      ['--tag', '@latest=latest,@latest=2'],
      'repetition of identifier @latest is not allowed, use only once with --tag flag',
    ],
    [
      '@latest twice in --tag, without key',
      latest100,
      ['--tag', 'latest,current'],
      'repetition of identifier @latest is not allowed, use only once with --tag flag',
    ],
    [
      'overwriting a tag, to @latest',
      [t('latest', '', 2, true), t('stable', 'echo-v2', 98, false)],
      ['--tag', '@latest=stable'],
      "refusing to overwrite existing tag in service, add flag '--untag stable' in command to untag it",
    ],
    [
      'overwriting a tag, to a revision',
      [t('latest', '', 2, true), t('stable', 'echo-v2', 98, false)],
      ['--tag', 'echo-v2=latest'],
      "refusing to overwrite existing tag in service, add flag '--untag latest' in command to untag it",
    ],
    [
      "overwriting @latest's tag",
      [t('candidate', '', 100, true)],
      ['--tag', '@latest=current'],
      "tag 'candidate' exists on latest ready revision of service, refusing to overwrite existing tag with 'current', add flag '--untag candidate' in command to untag it",
    ],
    [
      'a percent that is not an integer',
      latest100,
      ['--traffic', '@latest=100p'],
      'error converting given 100p to integer value for traffic distribution',
    ],
    [
      'a sum over 100',
      latest100,
      ['--traffic', '@latest=40,echo-v1=70'],
      'given traffic percents sum to 110, want <=100',
    ],
    [
      'a percent out of range',
      latest100,
      ['--traffic', '@latest=-100'],
      'invalid value for traffic percent -100, expected 0 <= percent <= 100',
    ],
    [
      'a revision twice',
      latest100,
      ['--traffic', 'echo-v1=40', '--traffic', 'echo-v1=60'],
      'repetition of revision reference echo-v1 is not allowed, use only once with --traffic flag',
    ],
    [
      'untag a tag that is not there',
      [t('latest', 'echo-v1', 100, false)],
      ['--untag', 'foo'],
      'tag(s) foo not present for any revisions of service serviceName',
    ],
    [
      'untag two',
      [t('latest', 'echo-v1', 100, false)],
      ['--untag', 'foo', '--untag', 'bar'],
      'tag(s) foo, bar not present for any revisions of service serviceName',
    ],
    [
      'sum < 100 needs N-1 revisions',
      [t('', 'rev-00001', 0, false), t('', 'rev-00002', 0, false), t('', 'rev-00003', 100, false)],
      ['--traffic', 'rev-00001=10'],
      'unable to allocate the remaining traffic: 90%. Reason: incorrect number of revisions specified. Only 1 revision should be missing',
      { revisions: three },
    ],
    [
      'sum < 100 with @latest, mutating, needs N',
      [t('', 'rev-00001', 0, false), t('', 'rev-00002', 0, false), t('', 'rev-00003', 100, true)],
      ['--traffic', 'rev-00001=10,@latest=20'],
      'unable to allocate the remaining traffic: 70%. Reason: incorrect number of revisions specified. Only 1 revision should be missing',
      { revisions: three, mutation: true },
    ],
    [
      'sum < 100 with @latest, not mutating, needs N-1',
      [t('', 'rev-00001', 0, false), t('', 'rev-00002', 0, false), t('', 'rev-00003', 100, true)],
      ['--traffic', 'rev-00001=10,rev-00002=10,@latest=20'],
      'unable to allocate the remaining traffic: 60%. Reason: incorrect number of revisions specified. Only 1 revision should be missing',
      { revisions: three },
    ],
    [
      'the remaining revision not found',
      [t('rev-00003', 'rev-00001', 0, false), t('', 'rev-00002', 0, false), t('', 'rev-00003', 100, true)],
      ['--traffic', 'rev-00003=10,rev-00001=20'],
      'unable to allocate the remaining traffic: 70%. Reason: cannot determine the missing revision',
      { revisions: ['rev-00001', 'rev-00003'], tags: { 'rev-00001': 'rev-00003' } },
    ],
  ];
  it.each(cases)('%s', (_name, existing, args, message, o = {}) => {
    expect(() =>
      knComputeTraffic(service(existing), revs(o.revisions ?? [], o.tags), flags(args), o.mutation ?? false),
    ).toThrow(message);
  });
});
