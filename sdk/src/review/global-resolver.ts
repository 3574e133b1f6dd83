import { analyze, type Reference, type Variable } from 'eslint-scope';
import type * as ESTree from 'estree';
import { CallIndex, isFunctionNode, type CallSite, type FunctionNode } from './call-sites.ts';
import { memberName, staticString } from './static-value.ts';

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

/**
 * Aliases, parameters and `this` are followed this deep (`const a = window; const b = a; b.top`):
 * each step of the static view of spec/review.md costs one or two levels, so chains of 16 steps
 * (at most 33 levels with the member read at the end) are followed; cycles are cut by the guards below.
 */
const maxAliasDepth = 40;

/** What eslint-scope records for a parameter beyond the typed fields: its position, and whether it is `...rest`. */
interface ParameterPosition {
  index: number;
  rest: boolean;
}

/**
 * Answers "which global does this expression denote?" using eslint-scope, so a local variable named
 * `top` is not mistaken for `window.top`, while `const w = window; w.top` still is.
 */
export class GlobalResolver {
  private readonly references = new Map<ESTree.Identifier, Reference>();
  private readonly sourceType: 'module' | 'script';
  private readonly calls: CallIndex;
  private sites: Map<FunctionNode, CallSite[]> | null = null;
  /** Parameters and functions whose value is being resolved, so that recursion (`f(g)` inside `f`) ends. */
  private readonly resolving = new Set<Variable | FunctionNode>();
  /** Resolved parameters, so that a bundle that reads one parameter often pays once. */
  private readonly parameterValues = new Map<Variable, string | null>();

  constructor(program: ESTree.Program, sourceType: 'module' | 'script') {
    this.sourceType = sourceType;
    this.calls = new CallIndex(program, sourceType);
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
        if (init) return this.resolve(init, depth + 1);
        return this.resolveParameter(node, depth);
      }
      case 'ThisExpression':
        return this.resolveThis(node, depth);
      case 'MemberExpression': {
        if (node.object.type === 'Super') return null;
        const element = this.resolveArgumentElement(node, depth);
        if (element !== undefined) return element;
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

  /**
   * Everything that may arrive in parameter `index` of `fn`: the arguments that calls of it in this
   * file pass at that position (directly, as an immediately invoked function, or through `call`,
   * `apply` and `bind`), and the parameter's default value.
   */
  valuesOfParameter(fn: FunctionNode, index: number): ESTree.Node[] {
    const values: ESTree.Node[] = [];
    const param = fn.params[index];
    if (param?.type === 'AssignmentPattern') values.push(param.right);
    for (const site of this.sitesOf(fn)) {
      const arg = site.args[index];
      if (arg) values.push(arg);
    }
    return values;
  }

  /**
   * The value a variable holds for good: the initial value of one written only by its declaration
   * (static view, step 3), or null.
   */
  initialValue(identifier: ESTree.Identifier): ESTree.Expression | null {
    return this.aliasedValue(identifier);
  }

  /** Whether a name is bound, once and for good, to a function or class declaration of this file. */
  declaresFunction(identifier: ESTree.Identifier): boolean {
    const variable = this.references.get(identifier)?.resolved;
    const definition = variable?.defs.length === 1 ? variable.defs[0] : undefined;
    if (definition?.type !== 'FunctionName' && definition?.type !== 'ClassName') return false;
    return !variable?.references.some((r) => r.isWrite());
  }

  /** Whether the expression is the global object (`window`, `self`, an alias of them ...). */
  isGlobalObject(node: ESTree.Node): boolean {
    const name = this.resolve(node);
    return name !== null && globalObjectNames.has(name);
  }

  /** The calls of a function in this file; all calls are indexed once, on first need. */
  private sitesOf(fn: FunctionNode): CallSite[] {
    this.sites ??= this.calls.sitesByFunction((callee) => this.functionDenoted(callee, 0));
    return this.sites.get(fn) ?? [];
  }

  /** The function an expression certainly denotes: a function literal, or a name bound to one once. */
  private functionDenoted(node: ESTree.Node, depth: number): FunctionNode | null {
    if (depth > maxAliasDepth) return null;
    if (isFunctionNode(node)) return node;
    if (node.type === 'SequenceExpression') {
      const last = node.expressions[node.expressions.length - 1];
      return last ? this.functionDenoted(last, depth + 1) : null;
    }
    if (node.type !== 'Identifier') return null;
    const variable = this.references.get(node)?.resolved;
    const definition = variable?.defs.length === 1 ? variable.defs[0] : undefined;
    if (definition?.type === 'FunctionName' && definition.node.type === 'FunctionDeclaration') {
      const reassigned = variable?.references.some((r) => r.isWrite());
      return reassigned ? null : definition.node;
    }
    const init = this.aliasedValue(node);
    return init ? this.functionDenoted(init, depth + 1) : null;
  }

  /** The position of a parameter variable that is never written, and the function that declares it. */
  private parameterOf(
    variable: Variable | null | undefined,
  ): { fn: FunctionNode; position: ParameterPosition; param: ESTree.Pattern } | null {
    if (!variable || variable.defs.length !== 1) return null;
    const definition = variable.defs[0];
    if (definition?.type !== 'Parameter' || !isFunctionNode(definition.node)) return null;
    // A default value (`g = window`) is the parameter's initialising write; any other write makes it unknown.
    if (variable.references.some((r) => r.isWrite() && r.init !== true)) return null;
    const position = definition as unknown as ParameterPosition;
    const param = definition.node.params[position.index];
    return param ? { fn: definition.node, position, param } : null;
  }

  /** A plain or defaulted parameter takes whatever the calls of its function pass at its position. */
  private resolveParameter(identifier: ESTree.Identifier, depth: number): string | null {
    const variable = this.references.get(identifier)?.resolved;
    const found = this.parameterOf(variable);
    if (!variable || !found || found.position.rest) return null;
    const { fn, position, param } = found;
    const simple =
      (param.type === 'Identifier' && param.name === identifier.name) ||
      (param.type === 'AssignmentPattern' &&
        param.left.type === 'Identifier' &&
        param.left.name === identifier.name);
    if (!simple || this.resolving.has(variable)) return null;
    const cached = this.parameterValues.get(variable);
    if (cached !== undefined) return cached;
    // Only a result computed outside every cycle guard is final and may be cached.
    const outermost = this.resolving.size === 0;
    this.resolving.add(variable);
    try {
      const name = this.firstResolved(this.valuesOfParameter(fn, position.index), depth);
      if (outermost) this.parameterValues.set(variable, name);
      return name;
    } finally {
      this.resolving.delete(variable);
    }
  }

  /** `arguments[k]` and `rest[k]` with a constant `k` take the argument at that position. */
  private resolveArgumentElement(
    node: ESTree.MemberExpression,
    depth: number,
  ): string | null | undefined {
    if (!node.computed || node.object.type !== 'Identifier') return undefined;
    const key =
      node.property.type === 'Literal' ? node.property.value : staticString(node.property);
    const offset = typeof key === 'number' ? key : typeof key === 'string' ? Number(key) : NaN;
    if (!Number.isInteger(offset) || offset < 0) return undefined;
    const variable = this.references.get(node.object)?.resolved;
    if (!variable) return undefined;
    let fn: FunctionNode | null = null;
    let start = 0;
    const rest = this.parameterOf(variable);
    if (rest?.position.rest && rest.param.type === 'RestElement') {
      fn = rest.fn;
      start = rest.position.index;
    } else if (
      node.object.name === 'arguments' &&
      variable.defs.length === 0 &&
      variable.scope.type === 'function' &&
      isFunctionNode(variable.scope.block as ESTree.Node)
    ) {
      fn = variable.scope.block as FunctionNode;
    }
    if (!fn || this.resolving.has(variable)) return undefined;
    this.resolving.add(variable);
    try {
      const values = this.sitesOf(fn)
        .map((site) => site.args[start + offset])
        .filter((arg): arg is ESTree.Node => arg !== undefined);
      return this.firstResolved(values, depth);
    } finally {
      this.resolving.delete(variable);
    }
  }

  /**
   * `this` at the top level of a classic script is the global object; inside a function it is what
   * `call`, `apply` or `bind` pass, or the global object for a plain call in sloppy mode.
   */
  private resolveThis(node: ESTree.ThisExpression, depth: number): string | null {
    const owner = this.calls.thisOwner.get(node);
    if (owner === 'program') return this.sourceType === 'script' ? 'window' : null;
    if (owner === undefined || owner === 'class' || this.resolving.has(owner)) return null;
    const values: ESTree.Node[] = [];
    for (const site of this.sitesOf(owner)) {
      if (site.plainSloppy) return 'window';
      if (site.thisArg) values.push(site.thisArg);
    }
    this.resolving.add(owner);
    try {
      return this.firstResolved(values, depth);
    } finally {
      this.resolving.delete(owner);
    }
  }

  private firstResolved(values: readonly ESTree.Node[], depth: number): string | null {
    for (const value of values) {
      const name = this.resolve(value, depth + 1);
      if (name !== null) return name;
    }
    return null;
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
