/**
 * Whether two argument lists are equal by value: arrays and plain objects compared member by member, dates by
 * time, anything else (class instances, Observables to upload, functions) by identity (`Object.is`). The bindings
 * restart a stream only when its arguments change by this measure, so `[id, { from }]` written inline in a render
 * does not restart it on every render.
 *
 * @example
 * ```ts
 * equalArgs([1, { from: 'a' }], [1, { from: 'a' }]); // true
 * ```
 */
export function equalArgs(a: readonly unknown[], b: readonly unknown[]): boolean {
  return equal(a, b);
}

function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  if (!isPlain(a) || !isPlain(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (
      !Object.hasOwn(b, key) ||
      !equal((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])
    ) {
      return false;
    }
  }
  return true;
}

function isPlain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
