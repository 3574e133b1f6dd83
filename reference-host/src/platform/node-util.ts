/** `node:util` for the browser build: the sdk only imports promisify (for key generation, never run in a host). */
export function promisify<T extends (...args: never[]) => unknown>(fn: T): T {
  return fn;
}
