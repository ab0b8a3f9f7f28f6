/**
 * Kubernetes resource quantities (`500m`, `2`, `1.5`, `128Mi`, `1G`, `2e3`) as the API server
 * reads them (k8s.io/apimachinery resource.Quantity): CPU in millicores, memory in bytes, both
 * rounded up as `MilliValue()`/`Value()` round. And back, in the forms kubectl prints.
 */

const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** A quantity's value in base units (cores, bytes), or undefined when it is not a quantity. */
export function parseQuantity(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) ? text : undefined;
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const [, num, suffix] = m as unknown as [string, string, string];
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(num)) return undefined;
  const base = Number(num);
  let factor: number | undefined;
  if (suffix in BINARY) factor = BINARY[suffix];
  else if (suffix in DECIMAL) factor = DECIMAL[suffix];
  else if (/^[eE][-+]?\d+$/.test(suffix)) factor = 10 ** Number(suffix.slice(1));
  return factor === undefined ? undefined : base * factor;
}

/** CPU in millicores, rounded up (`MilliValue`); undefined when not a quantity or negative. */
export function cpuMillis(text: string | number): number | undefined {
  const v = parseQuantity(text);
  if (v === undefined || v < 0) return undefined;
  return Math.ceil(Math.round(v * 1e9) / 1e6);
}

/** Memory in bytes, rounded up (`Value`); undefined when not a quantity or negative. */
export function memoryBytes(text: string | number): number | undefined {
  const v = parseQuantity(text);
  if (v === undefined || v < 0) return undefined;
  return Math.ceil(Math.round(v * 1e3) / 1e3);
}

/** Millicores as Kubernetes writes them canonically: `2`, `1500m`, `25m`. */
export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/**
 * Bytes as Kubernetes writes a binary quantity canonically: the largest of Ki, Mi, Gi, … that
 * divides it (`2200Mi`, `2252800Ki`), else plain bytes.
 */
export function formatMemory(bytes: number): string {
  if (bytes === 0) return '0';
  const units: [string, number][] = [
    ['Ei', 2 ** 60],
    ['Pi', 2 ** 50],
    ['Ti', 2 ** 40],
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ];
  for (const [unit, size] of units) if (bytes % size === 0) return `${bytes / size}${unit}`;
  return String(bytes);
}

/** Bytes in Ki, as the kubelet reports a node's memory (`2252800Ki`). */
export function formatKi(bytes: number): string {
  return `${Math.floor(bytes / 1024)}Ki`;
}
