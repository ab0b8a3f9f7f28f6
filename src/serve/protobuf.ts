/**
 * Just enough of Kubernetes' protobuf encoding to read what `kubectl create configmap` and
 * `kubectl create namespace` send (their typed clients post `application/vnd.kubernetes.protobuf`):
 * the `k8s\0` envelope (runtime.Unknown) around a ConfigMap or Namespace, and the access and
 * identity reviews of `kubectl auth can-i` and `kubectl auth whoami`. Answers are JSON, which
 * kubectl also accepts. Field numbers are from k8s.io/api/core/v1/generated.proto and
 * k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto.
 */
import { badRequest } from './status.js';

type Field = { no: number; wire: number; bytes?: Uint8Array; varint?: bigint };

function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= buf.length) throw badRequest('protobuf: truncated varint');
      const b = buf[i++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw badRequest('protobuf: varint too long');
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ no, wire, varint: varint() });
    else if (wire === 2) {
      const len = Number(varint());
      if (i + len > buf.length) throw badRequest('protobuf: truncated field');
      out.push({ no, wire, bytes: buf.subarray(i, i + len) });
      i += len;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw badRequest(`protobuf: unsupported wire type ${wire}`);
  }
  return out;
}

const text = (b: Uint8Array | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');

function mapEntry(b: Uint8Array | undefined): [string, string] {
  let k = '';
  let v = '';
  for (const f of fields(b ?? new Uint8Array())) {
    if (f.no === 1) k = text(f.bytes);
    if (f.no === 2) v = text(f.bytes);
  }
  return [k, v];
}

function objectMeta(b: Uint8Array | undefined): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  const finalizers: string[] = [];
  for (const f of fields(b ?? new Uint8Array())) {
    if (f.no === 1) meta.name = text(f.bytes);
    else if (f.no === 2) meta.generateName = text(f.bytes);
    else if (f.no === 3) meta.namespace = text(f.bytes);
    else if (f.no === 6) meta.resourceVersion = text(f.bytes);
    else if (f.no === 11) {
      const [k, v] = mapEntry(f.bytes);
      labels[k] = v;
    } else if (f.no === 12) {
      const [k, v] = mapEntry(f.bytes);
      annotations[k] = v;
    } else if (f.no === 14) finalizers.push(text(f.bytes));
  }
  for (const k of ['name', 'generateName', 'namespace', 'resourceVersion']) if (meta[k] === '') delete meta[k];
  if (Object.keys(labels).length > 0) meta.labels = labels;
  if (Object.keys(annotations).length > 0) meta.annotations = annotations;
  if (finalizers.length > 0) meta.finalizers = finalizers;
  return meta;
}

function configMap(raw: Uint8Array): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  for (const f of fields(raw)) {
    if (f.no === 1) obj.metadata = objectMeta(f.bytes);
    else if (f.no === 2) {
      const [k, v] = mapEntry(f.bytes);
      data[k] = v;
    } else if (f.no === 3) {
      let k = '';
      let v: Uint8Array = new Uint8Array();
      for (const e of fields(f.bytes ?? new Uint8Array())) {
        if (e.no === 1) k = text(e.bytes);
        if (e.no === 2) v = e.bytes ?? new Uint8Array();
      }
      binaryData[k] = Buffer.from(v).toString('base64');
    } else if (f.no === 4) obj.immutable = f.varint !== 0n;
  }
  if (Object.keys(data).length > 0) obj.data = data;
  if (Object.keys(binaryData).length > 0) obj.binaryData = binaryData;
  return obj;
}

function namespace(raw: Uint8Array): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  for (const f of fields(raw)) {
    if (f.no === 1) obj.metadata = objectMeta(f.bytes);
    else if (f.no === 2) {
      const finalizers = fields(f.bytes ?? new Uint8Array())
        .filter((x) => x.no === 1)
        .map((x) => text(x.bytes));
      obj.spec = finalizers.length > 0 ? { finalizers } : {};
    }
  }
  return obj;
}

/** A message of string fields only, by field number (ResourceAttributes, NonResourceAttributes, …). */
function strings(b: Uint8Array | undefined, names: Record<number, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields(b ?? new Uint8Array())) {
    const name = names[f.no];
    if (name && f.wire === 2) out[name] = text(f.bytes);
  }
  return out;
}

/** What `kubectl auth can-i` sends (k8s.io/api/authorization/v1/generated.proto). */
function selfSubjectAccessReview(raw: Uint8Array): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  for (const f of fields(raw)) {
    if (f.no === 1) obj.metadata = objectMeta(f.bytes);
    else if (f.no === 2) {
      const spec: Record<string, unknown> = {};
      for (const a of fields(f.bytes ?? new Uint8Array())) {
        if (a.no === 1) {
          spec.resourceAttributes = strings(a.bytes, {
            1: 'namespace',
            2: 'verb',
            3: 'group',
            4: 'version',
            5: 'resource',
            6: 'subresource',
            7: 'name',
          });
        } else if (a.no === 2) spec.nonResourceAttributes = strings(a.bytes, { 1: 'path', 2: 'verb' });
      }
      obj.spec = spec;
    }
  }
  return obj;
}

/** `kubectl auth can-i --list`: a spec with the namespace only. */
function selfSubjectRulesReview(raw: Uint8Array): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  for (const f of fields(raw)) {
    if (f.no === 1) obj.metadata = objectMeta(f.bytes);
    else if (f.no === 2) obj.spec = strings(f.bytes, { 1: 'namespace' });
  }
  return obj;
}

/** `kubectl auth whoami`: nothing but metadata. */
function selfSubjectReview(raw: Uint8Array): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  for (const f of fields(raw)) if (f.no === 1) obj.metadata = objectMeta(f.bytes);
  return obj;
}

const DECODERS: Record<string, (raw: Uint8Array) => Record<string, unknown>> = {
  'v1/ConfigMap': configMap,
  'v1/Namespace': namespace,
  'authorization.k8s.io/v1/SelfSubjectAccessReview': selfSubjectAccessReview,
  'authorization.k8s.io/v1/SelfSubjectRulesReview': selfSubjectRulesReview,
  'authentication.k8s.io/v1/SelfSubjectReview': selfSubjectReview,
};

/** Decodes a protobuf-encoded object of a supported kind into its JSON form. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
  if (body.length < 4 || !body.subarray(0, 4).equals(magic)) throw badRequest('protobuf: missing the k8s envelope');
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array = new Uint8Array();
  for (const f of fields(body.subarray(4))) {
    if (f.no === 1) {
      for (const t of fields(f.bytes ?? new Uint8Array())) {
        if (t.no === 1) apiVersion = text(t.bytes);
        if (t.no === 2) kind = text(t.bytes);
      }
    } else if (f.no === 2) raw = f.bytes ?? new Uint8Array();
  }
  const decode = DECODERS[`${apiVersion}/${kind}`];
  if (!decode) {
    throw Object.assign(
      new Error(`protobuf bodies are only understood for ConfigMaps, Namespaces and access reviews, not ${kind}`),
      {
        unsupported: true,
      },
    );
  }
  return { apiVersion, kind, ...decode(raw) };
}
