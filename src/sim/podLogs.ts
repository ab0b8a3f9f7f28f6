/**
 * What `kubectl logs` shows for a simulated pod: queue-proxy's start-up and shutdown lines (JSON,
 * as Knative's zap logger writes them) and the app's lines: its start-up and one access line per
 * request it answered (Common Log Format, from 127.0.0.1: requests reach the app through
 * queue-proxy). The words are plausible, not Knative's or any app's exact output.
 *
 * Memory is bounded: each container keeps its last 1,000 lines; a pod's logs go with the pod.
 * Access lines are kept as numbers and written out only when asked for.
 *
 * Access lines are recorded only when something may read them (`accessLines: 'record'`, the
 * default): whoever builds the cluster decides once, up front. A scenario without a `kubectl logs`
 * step, or a benchmark, has no reader and passes 'off'; the start-up and shutdown lines (a handful
 * per pod) are kept either way.
 */
import { QUEUE_PORTS, QUEUE_PROXY, USER_CONTAINER } from '../model/rules/podspec.js';
import { SIM_EPOCH_MS } from '../model/rules/time.js';

/** Lines kept per container. */
export const LOG_LINES_KEPT = 1000;
/** A container's first lines' room (most pods of a fleet answer few requests before they go). */
const RING_FIRST_CAPACITY = 8;

/** A queue-proxy line, written out (JSON) only when read: most pods' lines never are. */
interface QueueProxyLine {
  readonly message: string;
  readonly caller: string;
  readonly log: PodLog;
}

/** Callers of queue-proxy's lines, and its TERM lines' words. */
const MAIN_310 = 'sharedmain/main.go:310';
const MAIN_331 = 'sharedmain/main.go:331';
const TERM_MESSAGE = 'Received TERM signal, attempting to gracefully shutdown servers.';
const sleepingMessage = (drainSeconds: number) =>
  `Sleeping ${drainSeconds}s to allow K8s propagation of non-ready state`;

/** A line's text: as written, or a queue-proxy line to write out. */
type Text = string | QueueProxyLine;

/** One line: when, and either its text or an access line's status and size. */
interface Line {
  at: number;
  text?: Text;
  status?: number;
  bytes?: number;
}

/**
 * The last lines of one container, their times in a typed array (an access line costs no object:
 * a pod may answer millions of requests). It starts small and doubles up to LOG_LINES_KEPT, so a
 * pod that answered a few requests keeps a few lines' worth; texts (start-up and shutdown lines,
 * a handful per pod) sit in a map by slot. An access line's status and size are those of the
 * ring's first access line (the simulated app answers every request alike) until one differs:
 * only then does the ring keep them per slot, so an access line is one number written.
 */
class Ring {
  private at = new Float64Array(RING_FIRST_CAPACITY);
  private readonly text = new Map<number, Text>();
  /**
   * How many slots hold a text (the map's size, kept here: an access line, one per request, reads
   * this field instead of the map, an object and a table of its own in memory).
   */
  private texts = 0;
  /** Lines held (≤ LOG_LINES_KEPT), and the slot of the oldest once the ring is full. */
  private size = 0;
  private start = 0;
  /** Every access line's status and size while they are alike (-1 before the first). */
  private status0 = -1;
  private bytes0 = -1;
  /** Status and size by slot, once two access lines differ (then every access line writes both). */
  private status: Uint16Array | undefined = undefined;
  private bytes: Float64Array | undefined = undefined;

  /** The slot the next line goes to (the oldest once the ring is full, its text dropped). */
  private nextSlot(): number {
    let i = this.size;
    if (i < LOG_LINES_KEPT) {
      if (i === this.at.length) this.grow();
      this.size = i + 1;
      return i;
    }
    i = this.start;
    this.start = i + 1 === LOG_LINES_KEPT ? 0 : i + 1;
    if (this.texts > 0 && this.text.delete(i)) this.texts--;
    return i;
  }

  /** A text line. */
  push(at: number, text: Text): void {
    const i = this.nextSlot();
    this.at[i] = at;
    this.texts++;
    this.text.set(i, text);
  }

  /** An access line. */
  pushAccess(at: number, status: number, bytes: number): void {
    const i = this.nextSlot();
    this.at[i] = at;
    this.answer(i, status, bytes);
  }

  /**
   * An access line, its time and status read from the request that ended: a double passed to a
   * function the compiler does not inline is boxed, one object per request.
   */
  pushAnswer(req: { readonly endedAt: number; readonly status: number }, bytes: number): void {
    const i = this.nextSlot();
    this.at[i] = req.endedAt;
    const status = req.status;
    if (this.status === undefined && status === this.status0 && bytes === this.bytes0) return;
    this.answer(i, status, bytes);
  }

  /** Slot i's status and size: nothing to write while they are the ring's one pair. */
  private answer(i: number, status: number, bytes: number): void {
    if (this.status === undefined) {
      if (status === this.status0 && bytes === this.bytes0) return;
      if (this.status0 < 0) {
        this.status0 = status;
        this.bytes0 = bytes;
        return;
      }
      // Two access lines differ: from now on each slot keeps its own (the earlier ones the pair).
      this.status = new Uint16Array(this.at.length).fill(this.status0);
      this.bytes = new Float64Array(this.at.length).fill(this.bytes0);
    }
    this.status[i] = status;
    this.bytes![i] = bytes;
  }

  /** Before the ring is full its slots are in order from 0: growing copies them as they are. */
  private grow(): void {
    const capacity = Math.min(LOG_LINES_KEPT, this.at.length * 2);
    const at = new Float64Array(capacity);
    at.set(this.at);
    this.at = at;
    if (this.status !== undefined) {
      const status = new Uint16Array(capacity);
      const bytes = new Float64Array(capacity);
      status.set(this.status);
      bytes.set(this.bytes!);
      this.status = status;
      this.bytes = bytes;
    }
  }

  all(): Line[] {
    const out: Line[] = [];
    const n = this.size;
    for (let k = 0; k < n; k++) {
      const i = (this.start + k) % n;
      const text = this.text.get(i);
      out.push(
        text !== undefined
          ? { at: this.at[i]!, text }
          : {
              at: this.at[i]!,
              status: this.status !== undefined ? this.status[i]! : this.status0,
              bytes: this.bytes !== undefined ? this.bytes[i]! : this.bytes0,
            },
      );
    }
    return out;
  }
}

type Listener = (container: string, at: number, text: string) => void;

/**
 * A pod's logs. Most pods of a fleet never have a line past queue-proxy's and the app's start-up
 * (and queue-proxy's TERM lines), and nobody reads them: until another line comes or a reader
 * asks, those lines are the times and numbers they are made of, and the pod holds no ring, map or
 * set (≈ 1.9 KB a pod when written out: two rings, the containers' map, the lines' texts).
 */
interface PodLog {
  namespace: string;
  pod: string;
  revision: string;
  /** The containers' rings, the app's first; undefined while the lines are only `startedAt` and `stoppedAt`. */
  containers: Map<string, Ring> | undefined;
  /** The app container's lines (also in `containers`): access lines go straight here. */
  app: Ring | undefined;
  listeners: Set<Listener> | undefined;
  /** `listeners.size`, kept as a field (read for each access line). */
  following: number;
  /** While not written out: when the containers started, and the app's port (the start-up lines). */
  startedAt: number;
  userPort: number;
  /** While not written out: when queue-proxy got its TERM (NaN: not yet), and the drain it sleeps. */
  stoppedAt: number;
  drainSeconds: number;
}

/** A pod's log written out (its rings made): what `answeredIn` writes access lines to. */
interface WrittenLog extends PodLog {
  containers: Map<string, Ring>;
  app: Ring;
}

/**
 * A pod's log as `PodLogs.answeredIn` writes its access lines (from `accessLog`: found once per
 * pod, and only when access lines are recorded).
 */
export interface AccessLog {
  /** The app container's lines. */
  readonly app: Ring;
  readonly following: number;
}

export interface LogOptions {
  /** Only the last N lines. */
  tailLines?: number;
  /** Only lines from the last N seconds (of simulated time). */
  sinceSeconds?: number;
  /** Prefix each line with its RFC 3339 time (nanoseconds), as `--timestamps`. */
  timestamps?: boolean;
}

/** RFC 3339 with nanoseconds, as the kubelet stamps log lines. */
export function logTimestamp(at: number): string {
  const ms = SIM_EPOCH_MS + at;
  const iso = new Date(Math.floor(ms)).toISOString();
  const nanos = String(Math.round((ms - Math.floor(ms)) * 1e6)).padStart(6, '0');
  return `${iso.slice(0, 23)}${nanos}Z`;
}

/** The Common Log Format time: `01/Jan/2026:00:00:05 +0000`. */
function clfTime(at: number): string {
  const d = new Date(SIM_EPOCH_MS + at);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/**
 * Whether the app's access lines are recorded: 'record' (the default; `knsim serve`, a scenario
 * with a `kubectl logs` step) or 'off' (a run nothing reads pod logs from: one line a request,
 * written for no one).
 */
export type AccessLines = 'record' | 'off';

export class PodLogs {
  private readonly pods = new Map<string, PodLog>();
  /** Whether `answered` writes anything and `accessLog` gives a log (fixed for the cluster's life). */
  readonly recordsAccess: boolean;

  constructor(accessLines: AccessLines = 'record') {
    this.recordsAccess = accessLines === 'record';
  }

  private find(namespace: string, pod: string): PodLog | undefined {
    const log = this.pods.get(pod);
    return log && log.namespace === namespace ? log : undefined;
  }

  /**
   * The log's rings, made on first need with the lines it holds as numbers written into them, in
   * the order they were logged (the app's start-up lines, queue-proxy's, then its TERM lines).
   */
  private written(log: PodLog): WrittenLog {
    if (log.containers !== undefined) return log as WrittenLog;
    const app = new Ring();
    log.app = app;
    log.containers = new Map([[USER_CONTAINER, app]]);
    const written = log as WrittenLog;
    const at = log.startedAt;
    const port = log.userPort;
    app.push(at, `Starting server on port ${port}`);
    app.push(at, `Listening on :${port}`);
    const queue = this.ring(written, QUEUE_PROXY);
    queue.push(at, { message: 'Starting queue-proxy', caller: 'sharedmain/main.go:271', log });
    queue.push(at, { message: `Starting http server metrics:${QUEUE_PORTS.autometric}`, caller: MAIN_310, log });
    queue.push(at, { message: `Starting http server main:${QUEUE_PORTS.http}`, caller: MAIN_310, log });
    queue.push(at, { message: `Starting http server admin:${QUEUE_PORTS.admin}`, caller: MAIN_310, log });
    if (!Number.isNaN(log.stoppedAt)) {
      queue.push(log.stoppedAt, { message: TERM_MESSAGE, caller: 'sharedmain/main.go:330', log });
      queue.push(log.stoppedAt, { message: sleepingMessage(log.drainSeconds), caller: MAIN_331, log });
    }
    return written;
  }

  private ring(log: WrittenLog, container: string): Ring {
    let ring = log.containers.get(container);
    if (!ring) {
      ring = new Ring();
      log.containers.set(container, ring);
    }
    return ring;
  }

  private append(log: PodLog, container: string, at: number, text: Text): void {
    this.ring(this.written(log), container).push(at, text);
    if (log.following > 0) this.tell(log, container, at, text, 0, 0);
  }

  /** A new line to the pod's followers (`kubectl logs -f`). */
  private tell(
    log: PodLog,
    container: string,
    at: number,
    text: Text | undefined,
    status: number,
    bytes: number,
  ): void {
    const line = render(text !== undefined ? { at, text } : { at, status, bytes });
    for (const l of log.listeners!) l(container, at, line);
  }

  private queueProxy(log: PodLog, at: number, message: string, caller: string): void {
    this.append(log, QUEUE_PROXY, at, { message, caller, log });
  }

  /** The containers started: the app says it listens, queue-proxy starts its servers. */
  started(namespace: string, pod: string, revision: string, at: number, userPort = 8080): void {
    const log = this.pods.get(pod);
    if (!log) {
      // Nobody follows a pod before its first lines: these are kept as their time and port.
      this.pods.set(pod, {
        namespace,
        pod,
        revision,
        containers: undefined,
        app: undefined,
        listeners: undefined,
        following: 0,
        startedAt: at,
        userPort,
        stoppedAt: Number.NaN,
        drainSeconds: 0,
      });
      return;
    }
    this.append(log, USER_CONTAINER, at, `Starting server on port ${userPort}`);
    this.append(log, USER_CONTAINER, at, `Listening on :${userPort}`);
    this.queueProxy(log, at, 'Starting queue-proxy', 'sharedmain/main.go:271');
    this.queueProxy(log, at, `Starting http server metrics:${QUEUE_PORTS.autometric}`, MAIN_310);
    this.queueProxy(log, at, `Starting http server main:${QUEUE_PORTS.http}`, MAIN_310);
    this.queueProxy(log, at, `Starting http server admin:${QUEUE_PORTS.admin}`, MAIN_310);
  }

  /** The app answered a request (one access line). */
  answered(namespace: string, pod: string, at: number, status: number, bytes: number): void {
    if (!this.recordsAccess) return;
    const log = this.find(namespace, pod);
    if (!log) return;
    this.written(log).app.pushAccess(at, status, bytes);
    if (log.following > 0) this.tell(log, USER_CONTAINER, at, undefined, status, bytes);
  }

  /**
   * A pod's log for `answeredIn`, undefined before its containers started or when access lines
   * are not recorded. A caller may keep it for the pod's life (once the pod is gone, its lines go
   * nowhere anyone reads).
   */
  accessLog(namespace: string, pod: string): AccessLog | undefined {
    if (!this.recordsAccess) return undefined;
    const log = this.find(namespace, pod);
    return log && this.written(log);
  }

  /**
   * `answered` through a pod's `accessLog` (no lookup by name: one per request), for a request
   * that ended (its time and status in fields: no number boxed on the way).
   */
  answeredIn(access: AccessLog, req: { readonly endedAt: number; readonly status: number }, bytes: number): void {
    access.app.pushAnswer(req, bytes);
    if (access.following > 0) this.tell(access as PodLog, USER_CONTAINER, req.endedAt, undefined, req.status, bytes);
  }

  /** The pod got its TERM: queue-proxy drains and stops. */
  stopping(namespace: string, pod: string, at: number, drainSeconds: number): void {
    const log = this.find(namespace, pod);
    if (!log) return;
    if (log.containers === undefined && Number.isNaN(log.stoppedAt) && log.following === 0) {
      log.stoppedAt = at;
      log.drainSeconds = drainSeconds;
      return;
    }
    this.queueProxy(log, at, TERM_MESSAGE, 'sharedmain/main.go:330');
    this.queueProxy(log, at, sleepingMessage(drainSeconds), MAIN_331);
  }

  /** The pod is gone, and its logs with it. */
  gone(namespace: string, pod: string): void {
    if (this.find(namespace, pod)) this.pods.delete(pod);
  }

  /** Whether a pod has logs (its containers have started). */
  has(namespace: string, pod: string): boolean {
    return this.find(namespace, pod) !== undefined;
  }

  /** Whether the pod's lines are written out (rings made): for tests of what a pod's log holds. */
  writtenOut(namespace: string, pod: string): boolean {
    return this.find(namespace, pod)?.containers !== undefined;
  }

  /** A container's log as `kubectl logs` prints it ('' when it has none yet). */
  read(namespace: string, pod: string, container: string, nowMs: number, options: LogOptions = {}): string {
    const log = this.find(namespace, pod);
    let lines = (log && this.written(log).containers.get(container)?.all()) ?? [];
    if (options.sinceSeconds !== undefined) lines = lines.filter((l) => l.at >= nowMs - options.sinceSeconds! * 1000);
    if (options.tailLines !== undefined) lines = options.tailLines <= 0 ? [] : lines.slice(-options.tailLines);
    return lines.map((l) => `${options.timestamps ? `${logTimestamp(l.at)} ` : ''}${render(l)}\n`).join('');
  }

  /** Calls `listener` with each new line of the pod (for `kubectl logs -f`); returns the unsubscribe. */
  follow(namespace: string, pod: string, listener: Listener): () => void {
    const log = this.find(namespace, pod);
    if (!log) return () => {};
    log.listeners ??= new Set();
    const listeners = log.listeners;
    if (!listeners.has(listener)) {
      listeners.add(listener);
      log.following++;
    }
    return () => {
      if (!listeners.delete(listener)) return false;
      log.following--;
      return true;
    };
  }
}

/** A line as printed: its text, or the access line of an answered request. */
function render(line: Line): string {
  const text = line.text;
  if (typeof text === 'string') return text;
  if (text !== undefined) {
    const log = text.log;
    return JSON.stringify({
      severity: 'INFO',
      timestamp: logTimestamp(line.at),
      logger: 'queueproxy',
      caller: text.caller,
      message: text.message,
      'knative.dev/key': `${log.namespace}/${log.revision}`,
      'knative.dev/pod': log.pod,
    });
  }
  return `127.0.0.1 - - [${clfTime(line.at)}] "GET / HTTP/1.1" ${line.status ?? 200} ${line.bytes ?? 0}`;
}
