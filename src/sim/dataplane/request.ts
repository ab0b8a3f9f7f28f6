import type { RequestEnd } from '../../model/timeouts.js';
import type { RevisionSlot } from '../../results/results.js';

/**
 * What the cluster keeps with a pod's endpoint for the requests it answers: the pod's access log,
 * found once per pod instead of once per request (src/sim/podLogs.ts `accessLog`).
 */
export interface PodNotes {
  accessLog: unknown;
}

/** One simulated HTTP request on its way through the data plane (plain data: this is the hot path). */
export interface SimRequest {
  id: number;
  /** When it reached the ingress. */
  arrivedAt: number;
  /** How long the user container takes to answer it. */
  serviceMs: number;
  /** Network hop latency added to the response time. */
  hopMs: number;
  revision: string;
  /** Its revision's slot for the results (src/results/results.ts `RevisionSlot`), its runtime's. */
  slot: RevisionSlot | undefined;
  /** Held by the activator because no pod could take it when it arrived. */
  cold: boolean;
  /** Went through the activator (queue-proxy counts it as proxied). */
  viaActivator: boolean;
  pod?: string;
  /** The queue-proxy endpoint it was sent to (data plane internal). */
  endpoint?: PodNotes | undefined;
  /** When the user container started it. */
  startedAt: number;
  /** When its completion (the engine callback the data plane scheduled for it) is due. */
  dueMs: number;
  /**
   * The first proxy's first-byte deadline (src/model/timeouts.ts `firstByteBudgetMs` after the
   * activator, or the queue-proxy when it came straight to a pod, received it); Infinity until then.
   */
  deadline: number;
  /** The 504 body of the proxy whose deadline that is. */
  timeoutBody: string;
  /** When its client stops waiting (a client timeout, less the hop back); Infinity: never. */
  clientDeadline: number;
  /** Where it is in the data plane (the REQ_* constants of src/sim/dataplane/revision.ts). */
  state: number;
  /** A timer is set for its deadline while it waits in a queue. */
  timerSet: boolean;
  /** How its work ends (src/model/timeouts.ts `RequestEnd`), once the app started on it. */
  end: RequestEnd;
  /** For closed-loop load: which client sent it. */
  clientId: number;
  /** How it ended, set when it did (for the completion listeners: numbers in fields, not arguments). */
  status: number;
  latencyMs: number;
  endedAt: number;
  /** Called once with the final status. */
  done?: (req: SimRequest, status: number, body: string) => void;
}

export const STATUS_OK = 200;
export const STATUS_SERVICE_UNAVAILABLE = 503;
export const STATUS_GATEWAY_TIMEOUT = 504;
export { STATUS_BAD_GATEWAY } from '../../model/dataplane.js';
/** No HTTP answer: the client gave up (its own timeout). */
export const STATUS_NO_ANSWER = 0;

/** Bodies Knative's components answer with when they fail a request (reference §5). */
/** The queue-proxy's breaker refuses with the same error as the activator's (pkg/queue/handler.go). */
export {
  ACTIVATOR_QUEUE_FULL_BODY as BODY_QUEUE_FULL,
  ACTIVATOR_QUEUE_FULL_BODY as BODY_QUEUE_PROXY_OVERLOAD,
} from '../../model/dataplane.js';
export {
  ACTIVATOR_TIMEOUT_BODY as BODY_ACTIVATOR_TIMEOUT,
  QUEUE_PROXY_TIMEOUT_BODY as BODY_QUEUE_PROXY_TIMEOUT,
} from '../../model/timeouts.js';
export const BODY_NOT_FOUND = '';
