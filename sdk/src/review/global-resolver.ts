import { analyze, type Reference, type Variable } from 'eslint-scope';
import type * as ESTree from 'estree';
import { memberName } from './static-value.ts';

/** Names that denote the global object itself, so `window.x`, `self['x']` reach global `x`. */
const globalObjectNames = new Set(['window', 'self', 'globalThis', 'frames']);

/**
 * Built-ins a classic script cannot take over by declaring them at top level: `var top;` leaves
 * `window.top` in place (it is unforgeable) and `var parent;` without a value keeps the original.
 * A top-level declaration of these names in a script is therefore still treated as the built-in.
 */
const builtinsAtScriptTopLevel = new Set([
  ...globalObjectNames,
  'eval',
  'Function',
  'parent',
  'top',
  'opener',
  'frameElement',
  'document',
  'setTimeout',
  'setInterval',
  'importScripts',
]);

/** Aliases are followed this deep (`const a = window; const b = a; b.top`). */
const maxAliasDepth = 8;

/**
 * Answers "which global does this expression denote?" using eslint-scope, so a local variable named
 * `top` is not mistaken for `window.top`, while `const w = window; w.top` still is.
 */
export class GlobalResolver {
  private readonly references = new Map<ESTree.Identifier, Reference>();
  private readonly sourceType: 'module' | 'script';

  constructor(program: ESTree.Program, sourceType: 'module' | 'script') {
    this.sourceType = sourceType;
    // ignoreEval keeps scopes static even when the code calls eval (which is reported anyway).
    const manager = analyze(program, { ecmaVersion: 2022, sourceType, ignoreEval: true });
    for (const scope of manager.scopes) {
      for (const reference of scope.references) {
        this.references.set(reference.identifier as ESTree.Identifier, reference);
      }
    }
  }

  /** Whether an identifier reads a global binding (not a parameter, local, import or class name). */
  isGlobal(identifier: ESTree.Identifier): boolean {
    const reference = this.references.get(identifier);
    // A declaration's own name (`var opener = 1`) binds; it does not read the global.
    if (!reference || reference.init === true) return false;
    const variable = reference.resolved;
    if (!variable) return true;
    return (
      this.sourceType === 'script' &&
      variable.scope.type === 'global' &&
      builtinsAtScriptTopLevel.has(identifier.name)
    );
  }

  /**
   * The global name an expression certainly or possibly denotes: `eval` for `eval`, `(0, eval)`,
   * `window.eval`, `globalThis['ev' + 'al']` and `const e = eval; e`. Null when unknown.
   * Conditional forms (`a || eval`, `c ? eval : f`) count, since either branch may run.
   */
  resolve(node: ESTree.Node, depth = 0): string | null {
    if (depth > maxAliasDepth) return null;
    switch (node.type) {
      case 'Identifier': {
        if (this.isGlobal(node)) return node.name;
        const init = this.aliasedValue(node);
        return init ? this.resolve(init, depth + 1) : null;
      }
      case 'MemberExpression': {
        if (node.object.type === 'Super') return null;
        const owner = this.resolve(node.object, depth + 1);
        const name = memberName(node);
        if (owner === null || name === null) return null;
        if (globalObjectNames.has(owner)) return name;
        if (owner === 'document' && name === 'defaultView') return 'window';
        return null;
      }
      case 'ChainExpression':
        return this.resolve(node.expression, depth + 1);
      case 'SequenceExpression': {
        const last = node.expressions[node.expressions.length - 1];
        return last ? this.resolve(last, depth + 1) : null;
      }
      case 'AssignmentExpression':
        return node.operator === '=' ? this.resolve(node.right, depth + 1) : null;
      case 'LogicalExpression':
        return this.resolve(node.right, depth + 1) ?? this.resolve(node.left, depth + 1);
      case 'ConditionalExpression':
        return this.resolve(node.consequent, depth + 1) ?? this.resolve(node.alternate, depth + 1);
      default:
        return null;
    }
  }

  /** Whether the expression is the global object (`window`, `self`, an alias of them ...). */
  isGlobalObject(node: ESTree.Node): boolean {
    const name = this.resolve(node);
    return name !== null && globalObjectNames.has(name);
  }

  /**
   * The initial value of a variable that is never reassigned (`const w = window`, or a `let`/`var`
   * written only by its declaration); null for anything else, since its value is then unknown.
   */
  private aliasedValue(identifier: ESTree.Identifier): ESTree.Expression | null {
    const variable: Variable | null | undefined = this.references.get(identifier)?.resolved;
    if (!variable || variable.defs.length !== 1) return null;
    const definition = variable.defs[0];
    if (definition?.type !== 'Variable') return null;
    const declarator = definition.node;
    if (declarator.id.type !== 'Identifier' || !declarator.init) return null;
    const writes = variable.references.filter((reference) => reference.isWrite());
    if (writes.length !== 1 || writes[0]?.init !== true) return null;
    return declarator.init;
  }
}
