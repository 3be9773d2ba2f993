/**
 * Where two plain values first differ (a path like `graph.nodes[3].output`), or null when they are
 * equal: types compared strictly (the string 'Infinity' is not the number Infinity), typed arrays
 * element by element (NaN equals NaN). Cheap where assert's deep equality spends seconds describing
 * a difference in a large model.
 */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (Object.is(a, b)) return null;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return `${path || 'value'}: ${show(a)} ≠ ${show(b)}`;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) return `${path}: array types differ`;
    const [x, y] = [a as unknown as ArrayLike<number>, b as unknown as ArrayLike<number>];
    if (x.length !== y.length) return `${path}: ${x.length} ≠ ${y.length} elements`;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return `${path}[${i}]: ${x[i]} ≠ ${y[i]}`;
    return null;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: an array and an object`;
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  for (const k of keys) {
    const d = firstDifference(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`,
    );
    if (d !== null) return d;
  }
  return null;
}

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v.slice(0, 40)}'` : `${String(v).slice(0, 40)} (${typeof v})`;
}
