import type * as ESTree from 'estree';

/**
 * A node together with the chain of its ancestors, so rules can look outwards (is this call inside
 * an `if (canIUse(...))`?). `key` and `index` say where the node sits in its parent.
 */
export interface SyntaxPath {
  node: ESTree.Node;
  parent: SyntaxPath | null;
  key: string | null;
  index: number | null;
}

const positionalKeys = new Set(['loc', 'range', 'start', 'end']);

function isNode(value: unknown): value is ESTree.Node {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string'
  );
}

/**
 * Visits every node depth-first in source order. Iterative, so deeply nested (hostile) input cannot
 * exhaust the call stack here; `tick` lets the caller enforce a time budget.
 */
export function walkSyntax(
  root: ESTree.Node,
  visit: (path: SyntaxPath) => void,
  tick: () => void = () => {},
): void {
  const stack: SyntaxPath[] = [{ node: root, parent: null, key: null, index: null }];
  for (let path = stack.pop(); path; path = stack.pop()) {
    tick();
    visit(path);
    const children: SyntaxPath[] = [];
    for (const [key, value] of Object.entries(path.node)) {
      if (positionalKeys.has(key)) continue;
      if (Array.isArray(value)) {
        for (const [index, item] of (value as unknown[]).entries()) {
          if (isNode(item)) children.push({ node: item, parent: path, key, index });
        }
      } else if (isNode(value)) {
        children.push({ node: value, parent: path, key, index: null });
      }
    }
    for (let i = children.length - 1; i >= 0; i -= 1) {
      const child = children[i];
      if (child) stack.push(child);
    }
  }
}
