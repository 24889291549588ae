// Own-property writes for objects built from client input: a key named `__proto__` stays a plain key
// (and is reported as an unknown field) instead of reaching a prototype.

/** `obj[key] = value` without invoking the `__proto__` setter or any inherited accessor. */
export function setOwn<T extends object>(obj: T, key: string | number, value: unknown): T {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true })
  return obj
}
