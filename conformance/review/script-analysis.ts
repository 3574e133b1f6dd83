import path from 'node:path';
import * as acorn from 'acorn';
import type { AnyNode, CallExpression, MemberExpression, NewExpression } from 'acorn';
import { fullAncestor } from 'acorn-walk';
import { analyze, type Reference, type Variable } from 'eslint-scope';
import type * as ESTree from 'estree';
import type { ScriptUnit } from './script-inventory.ts';

/**
 * Static review of one script (spec/review.md, "Code rules"), written from the rule texts.
 * Globals are resolved with eslint-scope, so a local variable named `top` or `eval` is not the
 * global; aliases are followed through variables that are never reassigned.
 */

export interface CodeFinding {
  requirement: string;
  file: string;
  line: number;
  column: number;
  message: string;
}

/** A bridge method named by a string literal in code, with the capability queries guarding it. */
export interface BridgeCall {
  method: string;
  file: string;
  line: number;
  column: number;
  /** True when the call runs only after `canIUse` for this method answered true. */
  guarded: boolean;
}

/** An absolute URL handed to a network API (REV-119). */
export interface NetworkUrl {
  file: string;
  line: number;
  column: number;
  api: string;
  /** The constant start of the URL, and whether it is the whole URL. */
  prefix: string;
  complete: boolean;
}

export interface ScriptReview {
  findings: CodeFinding[];
  bridgeCalls: BridgeCall[];
  /** Bridge calls whose method name is computed (REV-115, a SHOULD). */
  dynamicBridgeCalls: { file: string; line: number; column: number }[];
  networkUrls: NetworkUrl[];
  /** Calls of document.write or writeln (REV-112, a SHOULD). */
  documentWrites: { file: string; line: number; column: number }[];
}

export interface ReviewContext {
  /** Regular files of the package, to resolve imports. */
  files: ReadonlySet<string>;
  /** Namespaces of registered bridge methods (`storage` of `storage.get`). */
  bridgeNamespaces: ReadonlySet<string>;
}

type Node = AnyNode;

const frameEscapes = new Set(['parent', 'top', 'opener', 'frameElement']);
const windowNames = new Set(['window', 'self', 'globalThis', 'frames', 'top', 'parent']);
/** Names a classic script's top-level declaration does not take away from the global object. */
const unshadowable = new Set([...frameEscapes, 'eval', 'Function', 'window', 'self', 'document']);
const httpMethods = /^(get|post|put|patch|delete|head|options)$/i;

function parseUnit(
  unit: ScriptUnit,
): { ast: acorn.Program; sourceType: 'module' | 'script' } | { error: string } {
  const options = (sourceType: 'module' | 'script'): acorn.Options => ({
    ecmaVersion: 'latest',
    sourceType,
    locations: true,
    ranges: true,
    allowHashBang: true,
    allowReturnOutsideFunction: unit.goal === 'handler',
  });
  const attempt = (sourceType: 'module' | 'script') => {
    try {
      return { ast: acorn.parse(unit.source, options(sourceType)), sourceType };
    } catch (error) {
      if (error instanceof RangeError)
        return { error: 'nesting too deep for the analyser', pos: 0 };
      const e = error as SyntaxError & { pos?: number };
      return { error: e.message, pos: e.pos ?? 0 };
    }
  };
  if (unit.goal === 'module' || unit.goal === 'either') {
    const asModule = attempt('module');
    if ('ast' in asModule || unit.goal === 'module') return asModule as never;
    const asScript = attempt('script');
    if ('ast' in asScript) return asScript as never;
    return { error: ((asScript.pos ?? 0) > (asModule.pos ?? 0) ? asScript : asModule).error };
  }
  return attempt('script') as never;
}

/** Reviews one script unit; findings carry positions in the unit's file. */
export function reviewScript(unit: ScriptUnit, context: ReviewContext): ScriptReview {
  const review: ScriptReview = {
    findings: [],
    bridgeCalls: [],
    dynamicBridgeCalls: [],
    networkUrls: [],
    documentWrites: [],
  };
  const parsed = parseUnit(unit);
  const where = (node: { loc?: acorn.SourceLocation | null }) => {
    const line = node.loc?.start.line ?? 1;
    const column = node.loc?.start.column ?? 0;
    return {
      file: unit.file,
      line: unit.line + line - 1,
      column: line === 1 ? unit.column + column : column + 1,
    };
  };
  const report = (requirement: string, node: Node, message: string) => {
    const at = where(node);
    review.findings.push({
      requirement,
      ...at,
      message: `${at.file}:${at.line}:${at.column}: ${message}`,
    });
  };
  if ('error' in parsed) {
    review.findings.push({
      requirement: 'REV-101',
      file: unit.file,
      line: unit.line,
      column: unit.column,
      message: `${unit.file}:${unit.line}: ${unit.goal === 'handler' ? 'an event-handler attribute' : 'the script'} does not parse: ${parsed.error}`,
    });
    return review;
  }
  const { ast, sourceType } = parsed;
  let scopes;
  try {
    scopes = analyze(ast as unknown as ESTree.Program, { ecmaVersion: 2022, sourceType });
  } catch (error) {
    review.findings.push({
      requirement: 'REV-101',
      file: unit.file,
      line: unit.line,
      column: unit.column,
      message: `${unit.file}: the script could not be analysed (${error instanceof RangeError ? 'nesting too deep' : (error as Error).message})`,
    });
    return review;
  }
  const references = new Map<object, Reference>();
  for (const scope of scopes.scopes)
    for (const ref of scope.references) references.set(ref.identifier, ref);

  const unwrap = (node: Node): Node => {
    let n = node;
    for (let i = 0; i < 16; i += 1) {
      if (n.type === 'ChainExpression') n = n.expression;
      else if (n.type === 'SequenceExpression') n = n.expressions.at(-1) as Node;
      else if (n.type === 'AwaitExpression') n = n.argument;
      else if (n.type === 'ParenthesizedExpression') n = n.expression;
      else break;
    }
    return n;
  };

  const isGlobal = (node: Node): boolean => {
    if (node.type !== 'Identifier') return false;
    const ref = references.get(node);
    if (!ref) return false;
    if (ref.resolved === null) return true;
    return (
      sourceType === 'script' && ref.resolved.scope.type === 'global' && unshadowable.has(node.name)
    );
  };

  /** The initialiser of a variable that is declared once and never reassigned. */
  const aliasOf = (node: Node): Node | undefined => {
    if (node.type !== 'Identifier') return undefined;
    const variable: Variable | null | undefined = references.get(node)?.resolved;
    if (!variable || variable.defs.length !== 1) return undefined;
    const def = variable.defs[0];
    if (!def || def.type !== 'Variable' || def.node.id.type !== 'Identifier' || !def.node.init)
      return undefined;
    const writes = variable.references.filter((r) => r.isWrite());
    if (writes.length > 1 || (writes.length === 1 && !writes[0]?.init)) return undefined;
    return def.node.init as unknown as Node;
  };

  const constString = (node: Node | null | undefined, depth = 0): string | undefined => {
    if (!node || depth > 8) return undefined;
    const n = unwrap(node);
    if (n.type === 'Literal' && typeof n.value === 'string') return n.value;
    if (n.type === 'TemplateLiteral') {
      let out = n.quasis[0]?.value.cooked ?? '';
      for (let i = 0; i < n.expressions.length; i += 1) {
        const part = constString(n.expressions[i] as Node, depth + 1);
        const next = n.quasis[i + 1]?.value.cooked;
        if (part === undefined || next == null) return undefined;
        out += part + next;
      }
      return out;
    }
    if (n.type === 'BinaryExpression' && n.operator === '+') {
      const left = constString(n.left as Node, depth + 1);
      const right = constString(n.right, depth + 1);
      return left !== undefined && right !== undefined ? left + right : undefined;
    }
    const alias = aliasOf(n);
    return alias ? constString(alias, depth + 1) : undefined;
  };

  const memberName = (node: MemberExpression): string | undefined => {
    if (!node.computed) return node.property.type === 'Identifier' ? node.property.name : undefined;
    return constString(node.property as Node);
  };

  /** Does the expression denote the global object (window, self, globalThis, frames ...)? */
  const isGlobalObject = (node: Node, depth = 0): boolean => {
    if (depth > 8) return false;
    const n = unwrap(node);
    if (n.type === 'Identifier') {
      if (isGlobal(n) && windowNames.has(n.name)) return true;
      const alias = aliasOf(n);
      return alias ? isGlobalObject(alias, depth + 1) : false;
    }
    if (n.type === 'MemberExpression') {
      const name = memberName(n);
      if (name === 'defaultView')
        return isGlobalName(n.object as Node, ['document'], depth + 1) !== undefined;
      return (
        name !== undefined && windowNames.has(name) && isGlobalObject(n.object as Node, depth + 1)
      );
    }
    return false;
  };

  /** The global among `names` that the expression denotes, if any. */
  const isGlobalName = (
    node: Node,
    names: readonly string[] | ReadonlySet<string>,
    depth = 0,
  ): string | undefined => {
    if (depth > 8) return undefined;
    const has = (name: string | undefined) =>
      name !== undefined &&
      (Array.isArray(names) ? names.includes(name) : (names as ReadonlySet<string>).has(name));
    const n = unwrap(node);
    if (n.type === 'Identifier') {
      if (isGlobal(n) && has(n.name)) return n.name;
      const alias = aliasOf(n);
      return alias ? isGlobalName(alias, names, depth + 1) : undefined;
    }
    if (n.type === 'MemberExpression') {
      const name = memberName(n);
      return has(name) && isGlobalObject(n.object as Node, depth + 1) ? name : undefined;
    }
    if (n.type === 'CallExpression' && isReflectGet(n)) {
      const name = constString(n.arguments[1] as Node);
      return has(name) && isGlobalObject(n.arguments[0] as Node, depth + 1) ? name : undefined;
    }
    return undefined;
  };

  const isReflectGet = (n: CallExpression): boolean =>
    n.callee.type === 'MemberExpression' &&
    memberName(n.callee) === 'get' &&
    isGlobalName(n.callee.object as Node, ['Reflect']) !== undefined;

  const isFunctionLike = (node: Node, depth = 0): boolean => {
    if (depth > 8) return false;
    const n = unwrap(node);
    if (
      n.type === 'FunctionExpression' ||
      n.type === 'ArrowFunctionExpression' ||
      n.type === 'ClassExpression'
    )
      return true;
    if (n.type === 'Identifier') {
      const variable = references.get(n)?.resolved;
      if (variable?.defs.some((d) => d.type === 'FunctionName' || d.type === 'ClassName'))
        return true;
      const alias = aliasOf(n);
      return alias ? isFunctionLike(alias, depth + 1) : false;
    }
    if (
      n.type === 'CallExpression' &&
      n.callee.type === 'MemberExpression' &&
      memberName(n.callee) === 'getPrototypeOf'
    ) {
      return n.arguments[0] !== undefined && isFunctionLike(n.arguments[0] as Node, depth + 1);
    }
    if (n.type === 'MemberExpression') {
      const name = memberName(n);
      if (name === '__proto__' || name === 'constructor')
        return isFunctionLike(n.object as Node, depth + 1) || name === 'constructor';
    }
    return false;
  };

  /** A wrapper that passes on its own parameter names no method itself; its callers do. */
  const forwardsParameter = (node: Node): boolean => {
    const n = unwrap(node);
    return (
      n.type === 'Identifier' &&
      references.get(n)?.resolved?.defs.some((d) => d.type === 'Parameter') === true
    );
  };

  const bridgeLike = (node: Node, depth = 0): boolean => {
    if (depth > 8) return false;
    const n = unwrap(node);
    if (n.type === 'Identifier') {
      if (/bridge$/i.test(n.name) || (isGlobal(n) && n.name === 'miniapp')) return true;
      const alias = aliasOf(n);
      return alias ? bridgeLike(alias, depth + 1) : false;
    }
    if (n.type === 'MemberExpression') return /bridge$/i.test(memberName(n) ?? '');
    if (
      n.type === 'CallExpression' &&
      n.callee.type === 'MemberExpression' &&
      memberName(n.callee) === 'connect'
    ) {
      return bridgeLike(n.callee.object as Node, depth + 1);
    }
    return false;
  };

  /** The method a capability query asks about: `X.canIUse('m')`, `canIUse('m')`, `X.call('host.canIUse', { method: 'm' })`. */
  const queriedMethod = (node: Node): string | undefined => {
    const n = unwrap(node);
    if (n.type !== 'CallExpression') return undefined;
    const callee = unwrap(n.callee as Node);
    const name =
      callee.type === 'Identifier'
        ? callee.name
        : callee.type === 'MemberExpression'
          ? memberName(callee)
          : undefined;
    if (name === 'canIUse') return constString(n.arguments[0] as Node);
    if (name === 'call' && constString(n.arguments[0] as Node) === 'host.canIUse') {
      const params = n.arguments[1];
      if (params?.type === 'ObjectExpression') {
        for (const p of params.properties) {
          if (
            p.type === 'Property' &&
            !p.computed &&
            ((p.key.type === 'Identifier' && p.key.name === 'method') ||
              (p.key.type === 'Literal' && p.key.value === 'method'))
          ) {
            return constString(p.value as Node);
          }
        }
      }
    }
    return undefined;
  };

  /** True when the expression is true only if a query for `method` answered true. */
  const affirms = (node: Node, method: string, depth = 0): boolean => {
    if (depth > 8) return false;
    const n = unwrap(node);
    if (queriedMethod(n) === method) return true;
    if (n.type === 'MemberExpression' && memberName(n) === 'available')
      return affirms(n.object as Node, method, depth + 1);
    if (n.type === 'LogicalExpression' && n.operator === '&&')
      return affirms(n.left, method, depth + 1) || affirms(n.right, method, depth + 1);
    if (n.type === 'BinaryExpression' && (n.operator === '===' || n.operator === '==')) {
      return (
        n.right.type === 'Literal' &&
        n.right.value === true &&
        affirms(n.left as Node, method, depth + 1)
      );
    }
    return false;
  };

  /** True when the expression is true only if a query for `method` did not answer true. */
  const denies = (node: Node, method: string): boolean => {
    const n = unwrap(node);
    if (n.type === 'UnaryExpression' && n.operator === '!') return affirms(n.argument, method);
    if (n.type === 'LogicalExpression' && n.operator === '||')
      return denies(n.left, method) || denies(n.right, method);
    return false;
  };

  const exits = (statement: Node): boolean => {
    if (statement.type === 'ReturnStatement' || statement.type === 'ThrowStatement') return true;
    if (statement.type === 'BlockStatement') {
      const last = statement.body.at(-1);
      return last !== undefined && exits(last as Node);
    }
    return false;
  };

  const isGuarded = (method: string, ancestors: readonly Node[]): boolean => {
    for (let i = ancestors.length - 2; i >= 0; i -= 1) {
      const parent = ancestors[i] as Node;
      const child = ancestors[i + 1] as Node;
      if (parent.type === 'IfStatement' || parent.type === 'ConditionalExpression') {
        if (child === parent.consequent && affirms(parent.test, method)) return true;
        if (child === parent.alternate && denies(parent.test, method)) return true;
      }
      if (parent.type === 'LogicalExpression' && child === parent.right) {
        if (parent.operator === '&&' && affirms(parent.left, method)) return true;
        if (parent.operator === '||' && denies(parent.left, method)) return true;
      }
      const list =
        parent.type === 'BlockStatement' ||
        parent.type === 'Program' ||
        parent.type === 'StaticBlock'
          ? parent.body
          : parent.type === 'SwitchCase'
            ? parent.consequent
            : undefined;
      if (list) {
        for (const statement of list as Node[]) {
          if (statement === child) break;
          if (
            statement.type === 'IfStatement' &&
            !statement.alternate &&
            denies(statement.test, method) &&
            exits(statement.consequent as Node)
          )
            return true;
        }
      }
    }
    return false;
  };

  const urlPrefix = (
    node: Node | undefined,
    depth = 0,
  ): { prefix: string; complete: boolean } | undefined => {
    if (!node || depth > 8) return undefined;
    const n = unwrap(node);
    if (n.type === 'Literal' && typeof n.value === 'string')
      return { prefix: n.value, complete: true };
    if (n.type === 'TemplateLiteral')
      return { prefix: n.quasis[0]?.value.cooked ?? '', complete: n.expressions.length === 0 };
    if (n.type === 'BinaryExpression' && n.operator === '+') {
      const left = urlPrefix(n.left as Node, depth + 1);
      if (!left) return undefined;
      if (!left.complete) return left;
      const right = urlPrefix(n.right, depth + 1);
      return right
        ? { prefix: left.prefix + right.prefix, complete: right.complete }
        : { prefix: left.prefix, complete: false };
    }
    if (n.type === 'NewExpression' && isGlobalName(n.callee as Node, ['URL'])) {
      return n.arguments.length === 1 ? urlPrefix(n.arguments[0] as Node, depth + 1) : undefined;
    }
    const alias = aliasOf(n);
    return alias ? urlPrefix(alias, depth + 1) : undefined;
  };

  const networkUrl = (api: string, argument: Node | undefined) => {
    const url = urlPrefix(argument);
    if (!url || !argument) return;
    review.networkUrls.push({ ...where(argument), api, ...url });
  };

  /** [REV-107] a module specifier or script URL must name a file of the package. */
  const checkLoadedScript = (node: Node, specifier: string, what: string) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(specifier) || specifier.startsWith('//')) {
      report(
        'REV-107',
        node,
        `${what} ${JSON.stringify(specifier)} loads code from outside the package`,
      );
      return;
    }
    if (!/^\.{0,2}\//.test(specifier)) {
      report(
        'REV-107',
        node,
        `${what} ${JSON.stringify(specifier)} is a bare specifier, not a file of the package`,
      );
      return;
    }
    let target = specifier.replace(/[?#].*$/, '');
    try {
      target = decodeURIComponent(target);
    } catch {
      // keep it encoded; the lookup below then fails and says so
    }
    const resolved = target.startsWith('/')
      ? path.posix.normalize(target.slice(1))
      : path.posix.normalize(path.posix.join(path.posix.dirname(unit.file), target));
    if (resolved.startsWith('../') || resolved === '..') {
      report('REV-107', node, `${what} ${JSON.stringify(specifier)} points outside the package`);
    } else if (!context.files.has(resolved)) {
      report(
        'REV-107',
        node,
        `${what} ${JSON.stringify(specifier)} is not a file of the package (${resolved})`,
      );
    }
  };

  const isScriptElement = (node: Node, depth = 0): boolean => {
    if (depth > 8) return false;
    const n = unwrap(node);
    if (
      n.type === 'CallExpression' &&
      n.callee.type === 'MemberExpression' &&
      memberName(n.callee) === 'createElement'
    ) {
      return constString(n.arguments[0] as Node)?.toLowerCase() === 'script';
    }
    const alias = aliasOf(n);
    return alias ? isScriptElement(alias, depth + 1) : false;
  };

  const checkInjectedScript = (node: Node, value: Node | undefined) => {
    const url = urlPrefix(value);
    if (url && (/^[a-z][a-z0-9+.-]*:/i.test(url.prefix) || url.prefix.startsWith('//'))) {
      report(
        'REV-107',
        node,
        `a script element is given the source ${JSON.stringify(url.prefix.slice(0, 80))}, which is not a file of the package`,
      );
    }
  };

  /** [REV-105] `Function` may be compared or inspected, never called, constructed or passed on. */
  const checkFunctionUse = (node: Node, ancestors: readonly Node[]) => {
    const parent = ancestors.at(-2);
    const grand = ancestors.at(-3);
    if (
      parent?.type === 'BinaryExpression' &&
      (parent.operator === 'instanceof'
        ? parent.right === node
        : ['===', '!==', '==', '!='].includes(parent.operator))
    )
      return;
    if (parent?.type === 'UnaryExpression' && parent.operator === 'typeof') return;
    if (
      parent?.type === 'MemberExpression' &&
      parent.object === node &&
      memberName(parent) === 'prototype'
    ) {
      if (!(
        grand?.type === 'MemberExpression' &&
        grand.object === parent &&
        memberName(grand) === 'constructor'
      ))
        return;
    }
    report(
      'REV-105',
      node,
      'the Function constructor is reached (it creates functions from strings)',
    );
  };

  const visitCall = (n: CallExpression | NewExpression, ancestors: readonly Node[]) => {
    const callee = unwrap(n.callee as Node);
    const args = n.arguments as Node[];
    if (callee.type === 'MemberExpression') {
      const name = memberName(callee);
      // [REV-105] (function () {}).constructor('code'), ''.constructor.constructor('code')
      if (
        name === 'constructor' &&
        (isFunctionLike(callee.object as Node) ||
          (callee.object.type === 'MemberExpression' &&
            memberName(callee.object) === 'constructor'))
      ) {
        report(
          'REV-105',
          n,
          'the constructor of a function object is called (it creates functions from strings)',
        );
      }
      if (name === 'call' && n.type === 'CallExpression') {
        const method = constString(args[0]);
        const isBridge = bridgeLike(callee.object as Node);
        if (
          method !== undefined &&
          (isBridge ||
            (context.bridgeNamespaces.has(method.split('.')[0] ?? '') &&
              /^[a-zA-Z]+\.[a-zA-Z0-9.]+$/.test(method)))
        ) {
          review.bridgeCalls.push({ method, ...where(n), guarded: isGuarded(method, ancestors) });
          if (method === 'network.request' && args[1]?.type === 'ObjectExpression') {
            for (const p of args[1].properties) {
              if (
                p.type === 'Property' &&
                !p.computed &&
                p.key.type === 'Identifier' &&
                p.key.name === 'url'
              )
                networkUrl('network.request', p.value as Node);
            }
          }
        } else if (
          method === undefined &&
          isBridge &&
          args[0] !== undefined &&
          !forwardsParameter(args[0])
        ) {
          review.dynamicBridgeCalls.push(where(n));
        }
      }
      if (
        name === 'open' &&
        n.type === 'CallExpression' &&
        args.length >= 2 &&
        httpMethods.test(constString(args[0]) ?? '')
      )
        networkUrl('XMLHttpRequest.open', args[1]);
      if (name === 'sendBeacon') networkUrl('navigator.sendBeacon', args[0]);
      if (
        name === 'register' &&
        callee.object.type === 'MemberExpression' &&
        memberName(callee.object) === 'serviceWorker'
      ) {
        const specifier = constString(args[0]);
        if (specifier !== undefined) checkLoadedScript(n, specifier, 'the service worker');
      }
      if (
        (name === 'write' || name === 'writeln') &&
        isGlobalName(callee.object as Node, ['document'])
      )
        review.documentWrites.push(where(n));
      if (
        name === 'setAttribute' &&
        constString(args[0])?.toLowerCase() === 'src' &&
        isScriptElement(callee.object as Node)
      )
        checkInjectedScript(n, args[1]);
    }
    const global = isGlobalName(callee, [
      'setTimeout',
      'setInterval',
      'fetch',
      'importScripts',
      'WebSocket',
      'EventSource',
      'Request',
      'Worker',
      'SharedWorker',
    ]);
    if ((global === 'setTimeout' || global === 'setInterval') && args[0]) {
      const first = unwrap(args[0]);
      const stringy =
        constString(first) !== undefined ||
        first.type === 'TemplateLiteral' ||
        (first.type === 'BinaryExpression' &&
          first.operator === '+' &&
          (constString(first.left as Node) !== undefined ||
            constString(first.right) !== undefined ||
            first.left.type === 'TemplateLiteral' ||
            first.right.type === 'TemplateLiteral'));
      if (stringy)
        report('REV-106', n, `${global} is given a string, which the browser evaluates as code`);
    }
    if (
      global === 'fetch' ||
      global === 'WebSocket' ||
      global === 'EventSource' ||
      global === 'Request'
    )
      networkUrl(global, args[0]);
    if (global === 'importScripts') {
      for (const arg of args) {
        const specifier = constString(arg);
        if (
          specifier === undefined ||
          unwrap(arg).type === 'Identifier' ||
          unwrap(arg).type === 'BinaryExpression'
        )
          report('REV-108', n, 'importScripts is given a computed URL');
        else checkLoadedScript(n, specifier, 'importScripts');
      }
    }
    if ((global === 'Worker' || global === 'SharedWorker') && args[0]) {
      const specifier = constString(args[0]);
      if (specifier !== undefined) checkLoadedScript(n, specifier, `new ${global}`);
    }
  };

  const checkDestructuring = (pattern: Node, init: Node | null | undefined) => {
    if (pattern.type !== 'ObjectPattern' || !init || !isGlobalObject(init)) return;
    for (const p of pattern.properties) {
      if (p.type !== 'Property') continue;
      const key = p.computed
        ? constString(p.key as Node)
        : p.key.type === 'Identifier'
          ? p.key.name
          : p.key.type === 'Literal'
            ? String(p.key.value)
            : undefined;
      if (key === 'eval') report('REV-104', p as Node, 'eval is taken from the global object');
      if (key === 'Function')
        report('REV-105', p as Node, 'Function is taken from the global object');
      if (key !== undefined && frameEscapes.has(key))
        report('REV-110', p as Node, `${key} is taken from the global object`);
    }
  };

  fullAncestor(ast, (node, _state, ancestors) => {
    const n = node as Node;
    const trail = ancestors as Node[];
    switch (n.type) {
      case 'Identifier':
        if (!isGlobal(n)) break;
        if (n.name === 'eval') report('REV-104', n, 'the global eval is reached');
        if (n.name === 'Function') checkFunctionUse(n, trail);
        if (frameEscapes.has(n.name)) report('REV-110', n, `the global ${n.name} is accessed`);
        break;
      case 'MemberExpression': {
        const name = memberName(n);
        if (name === undefined || !isGlobalObject(n.object as Node)) break;
        if (name === 'eval') report('REV-104', n, 'eval is reached through the global object');
        if (name === 'Function') checkFunctionUse(n, trail);
        if (frameEscapes.has(name))
          report('REV-110', n, `${name} of the global object is accessed`);
        break;
      }
      case 'CallExpression':
        if (isReflectGet(n)) {
          const name = constString(n.arguments[1] as Node);
          if (name !== undefined && isGlobalObject(n.arguments[0] as Node)) {
            if (name === 'eval') report('REV-104', n, 'eval is read with Reflect.get');
            if (name === 'Function') report('REV-105', n, 'Function is read with Reflect.get');
            if (frameEscapes.has(name)) report('REV-110', n, `${name} is read with Reflect.get`);
          }
        }
        visitCall(n, trail);
        break;
      case 'NewExpression':
        visitCall(n, trail);
        break;
      case 'ImportExpression': {
        const specifier = constString(n.source as Node);
        const literal =
          n.source.type === 'Literal' ||
          (n.source.type === 'TemplateLiteral' && n.source.expressions.length === 0);
        if (!literal) report('REV-108', n, 'import() is given a computed specifier');
        else if (specifier !== undefined) checkLoadedScript(n, specifier, 'import()');
        break;
      }
      case 'ImportDeclaration':
      case 'ExportAllDeclaration':
        if (typeof n.source.value === 'string') checkLoadedScript(n, n.source.value, 'the import');
        break;
      case 'ExportNamedDeclaration':
        if (n.source && typeof n.source.value === 'string')
          checkLoadedScript(n, n.source.value, 'the export');
        break;
      case 'AssignmentExpression': {
        const left = n.left as Node;
        if (left.type === 'MemberExpression') {
          const name = memberName(left);
          if (name === 'domain' && isGlobalName(left.object as Node, ['document']))
            report('REV-111', n, 'document.domain is assigned');
          if (name === 'src' && isScriptElement(left.object as Node))
            checkInjectedScript(n, n.right);
        }
        checkDestructuring(left, n.right);
        break;
      }
      case 'VariableDeclarator':
        checkDestructuring(n.id as Node, n.init as Node | null);
        break;
      case 'ObjectExpression': {
        let bridge: string | undefined;
        let method: string | undefined;
        for (const p of n.properties) {
          if (p.type !== 'Property' || p.computed) continue;
          const key =
            p.key.type === 'Identifier'
              ? p.key.name
              : p.key.type === 'Literal'
                ? String(p.key.value)
                : undefined;
          if (key === 'bridge') bridge = constString(p.value as Node);
          if (key === 'method') method = constString(p.value as Node);
        }
        if (bridge === 'openminiapp' && method !== undefined) {
          review.bridgeCalls.push({ method, ...where(n), guarded: isGuarded(method, trail) });
        }
        break;
      }
    }
  });
  return review;
}
