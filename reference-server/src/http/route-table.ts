/**
 * The methods the contract declares for each path template, so that a request to a known path with
 * another method is answered 405 with `Allow` rather than 404 [API-178].
 */
export class RouteTable {
  readonly #routes: { pattern: RegExp; methods: Set<string> }[] = [];

  add(template: string, method: string): void {
    const source = template
      .split(/(\{[A-Za-z0-9_]+\})/)
      .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    const existing = this.#routes.find((route) => route.pattern.source === `^${source}$`);
    if (existing) existing.methods.add(method);
    else this.#routes.push({ pattern: new RegExp(`^${source}$`), methods: new Set([method]) });
  }

  /** Every method declared for a path (without its query), sorted; empty when the path is unknown. */
  methodsFor(url: string): string[] {
    const pathname = url.split('?')[0] ?? '';
    const methods = new Set<string>();
    for (const route of this.#routes) {
      if (route.pattern.test(pathname)) for (const method of route.methods) methods.add(method);
    }
    return [...methods].sort();
  }
}
