/**
 * `kubectl get --sort-by=<jsonpath>` as kubectl v1.32 sorts (kubectl/pkg/cmd/get/sorter.go, checked
 * against the real kubectl v1.32.4 over knsim serve): the objects ordered by the first value the
 * path finds in each. An object where it finds nothing, or null, goes first; numbers compare as
 * numbers; strings byte by byte (`a10` before `a9`; kubectl's later natural order is not v1.32's),
 * except resource quantities (`requests`, `limits`, `capacity`, `allocatable`: `100m` before `1`),
 * which a typed object holds as a Quantity; lists element by element. A path that finds nothing in
 * any object is an error, as in kubectl. Ties keep the list's order (by namespace and name); Go's
 * sort keeps it too for up to 12 objects, and may not beyond.
 */
import { parseQuantity } from '../cluster/quantity.js';
import { columnPath, JsonPathError, relaxedJsonPath } from './jsonpath.js';

/** The objects in `--sort-by` order (a stable sort of the order given: the API server's list order). */
export function sortByJsonPath<T>(objects: readonly T[], field: string): T[] {
  const keyOf = columnPath(field);
  const keys = objects.map(keyOf);
  const quantities = QUANTITY_FIELD.test(field);
  if (objects.length > 0 && !keys.some((k) => k.length > 0)) {
    throw new JsonPathError(`couldn't find any field with path "${relaxedJsonPath(field)}" in the list of objects`);
  }
  const order = objects.map((_, i) => i);
  order.sort((a, b) => {
    const ka = keys[a]!;
    const kb = keys[b]!;
    if (ka.length === 0 || kb.length === 0) return (kb.length === 0 ? 1 : 0) - (ka.length === 0 ? 1 : 0);
    if (isLess(ka[0], kb[0], quantities)) return -1;
    if (isLess(kb[0], ka[0], quantities)) return 1;
    return 0;
  });
  return order.map((i) => objects[i]!);
}

/** The core types' fields that are resource.Quantity (a map of them: `requests.cpu`, `capacity.memory`). */
const QUANTITY_FIELD = /\b(requests|limits|capacity|allocatable)\b/;

function isLess(a: unknown, b: unknown, quantities: boolean): boolean {
  // A null (`lastTimestamp: null`) sorts before any value.
  if (a === null || a === undefined) return b !== null && b !== undefined;
  if (b === null || b === undefined) return false;
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  if (typeof a === 'string' && typeof b === 'string') {
    const qa = quantities ? parseQuantity(a) : undefined;
    const qb = quantities ? parseQuantity(b) : undefined;
    return qa !== undefined && qb !== undefined ? qa < qb : a < b;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (!isLess(a[i], b[i], quantities)) return false;
    return true;
  }
  throw new JsonPathError(`unsortable type: ${typeof a}`);
}
