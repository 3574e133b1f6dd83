import type * as ESTree from 'estree';
import { memberName } from './static-value.ts';
import { walkSyntax, type SyntaxPath } from './syntax-path.ts';

export type FunctionNode =
  ESTree.FunctionDeclaration | ESTree.FunctionExpression | ESTree.ArrowFunctionExpression;

/**
 * What one call hands to a function: its arguments by position, and the value of `this` when the
 * call names it (`f.call(t, ...)`, `f.apply(t, [...])`, `f.bind(t, ...)`). `args` ends where a spread
 * makes the positions unknown.
 */
export interface CallSite {
  args: ESTree.Node[];
  thisArg: ESTree.Node | null;
  /** A plain call `f()` of a sloppy-mode function, whose `this` is then the global object. */
  plainSloppy: boolean;
}

const functionTypes = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
]);

/** Whose `this` a `this` expression reads. */
export type ThisOwner = FunctionNode | 'program' | 'class';

export function isFunctionNode(node: ESTree.Node): node is FunctionNode {
  return functionTypes.has(node.type);
}

function hasUseStrict(body: ESTree.Node): boolean {
  if (body.type !== 'Program' && body.type !== 'BlockStatement') return false;
  for (const statement of body.body) {
    const directive = (statement as { directive?: unknown }).directive;
    if (typeof directive !== 'string') return false;
    if (directive === 'use strict') return true;
  }
  return false;
}

/** Arguments up to the first spread, whose position after it is unknown. */
function positional(args: readonly (ESTree.Expression | ESTree.SpreadElement)[]): ESTree.Node[] {
  const known: ESTree.Node[] = [];
  for (const arg of args) {
    if (arg.type === 'SpreadElement') break;
    known.push(arg);
  }
  return known;
}

/**
 * One pass over a program that records, for the static view of spec/review.md (item 5), every call
 * and which function owns each `this`, so that a value passed as an argument can be followed into
 * the parameter that receives it.
 */
export class CallIndex {
  /** Every call and `new` of the program, in source order. */
  readonly calls: (ESTree.CallExpression | ESTree.NewExpression)[] = [];
  /** Whose `this` a `this` expression is: a function, the program's top level, or a class. */
  readonly thisOwner = new Map<ESTree.ThisExpression, ThisOwner>();
  readonly #strict = new Set<FunctionNode>();

  constructor(program: ESTree.Program, sourceType: 'module' | 'script') {
    const programStrict = sourceType === 'module' || hasUseStrict(program);
    walkSyntax(program, (path) => {
      const node = path.node;
      if (node.type === 'CallExpression' || node.type === 'NewExpression') this.calls.push(node);
      else if (node.type === 'ThisExpression') this.thisOwner.set(node, thisFunction(path));
      else if (isFunctionNode(node) && (programStrict || isStrictFunction(path))) {
        this.#strict.add(node);
      }
    });
  }

  /** Whether `this` of a plain call of the function is the global object (sloppy mode). */
  isSloppy(fn: FunctionNode): boolean {
    return fn.type !== 'ArrowFunctionExpression' && !this.#strict.has(fn);
  }

  /**
   * The calls of each function, given a way to tell which function an expression denotes:
   * `f(...)`, `(function () {})(...)`, `f.call(t, ...)`, `f.apply(t, [...])` and `f.bind(t, ...)`.
   * One pass over the calls, so that a large bundle costs time in proportion to its size.
   */
  sitesByFunction(
    denotes: (node: ESTree.Node) => FunctionNode | null,
  ): Map<FunctionNode, CallSite[]> {
    const sites = new Map<FunctionNode, CallSite[]>();
    const add = (fn: FunctionNode, site: CallSite): void => {
      const list = sites.get(fn);
      if (list) list.push(site);
      else sites.set(fn, [site]);
    };
    for (const call of this.calls) {
      const callee = call.callee;
      if (callee.type === 'Super') continue;
      const direct = denotes(callee);
      if (direct) {
        const plainSloppy = call.type === 'CallExpression' && this.isSloppy(direct);
        add(direct, { args: positional(call.arguments), thisArg: null, plainSloppy });
        continue;
      }
      if (callee.type !== 'MemberExpression' || callee.object.type === 'Super') continue;
      const how = memberName(callee);
      if (how !== 'call' && how !== 'apply' && how !== 'bind') continue;
      const fn = denotes(callee.object);
      if (!fn) continue;
      const [first, ...rest] = call.arguments;
      const thisArg = first && first.type !== 'SpreadElement' ? first : null;
      // In sloppy mode a null or undefined `this` becomes the global object.
      const plainSloppy = this.isSloppy(fn) && (thisArg === null || isNullish(thisArg));
      let args: ESTree.Node[] = positional(rest);
      if (how === 'apply') {
        const list = rest[0];
        args =
          list?.type === 'ArrayExpression'
            ? positional(list.elements.filter((a) => a !== null))
            : [];
      }
      add(fn, { args, thisArg, plainSloppy });
    }
    return sites;
  }
}

function isNullish(node: ESTree.Node): boolean {
  return (
    (node.type === 'Literal' && node.value === null) ||
    (node.type === 'Identifier' && node.name === 'undefined') ||
    (node.type === 'UnaryExpression' && node.operator === 'void')
  );
}

/** The nearest enclosing non-arrow function of a `this`, else the class or the program around it. */
function thisFunction(path: SyntaxPath): ThisOwner {
  for (let at = path.parent; at; at = at.parent) {
    const node = at.node;
    if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression') return node;
    // Field initialisers and static blocks see the class or its instance, never the global object.
    if (node.type === 'ClassBody') return 'class';
  }
  return 'program';
}

/** Whether a function's code is strict: a directive of its own or of an enclosing function, or a class. */
function isStrictFunction(path: SyntaxPath): boolean {
  for (let at: SyntaxPath | null = path; at; at = at.parent) {
    const node = at.node;
    if (node.type === 'ClassBody') return true;
    if (isFunctionNode(node) && hasUseStrict(node.body)) return true;
  }
  return false;
}
