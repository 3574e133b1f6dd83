import type * as ESTree from 'estree';
import {
  diagnostic,
  type Diagnostic,
  type DiagnosticOptions,
  type Location,
} from '#sdk/diagnostics/index.ts';
import type { ErrorCode } from '#schemas';
import type { FunctionNode } from './call-sites.ts';
import { guardedMethods } from './capability-guard.ts';
import { GlobalResolver } from './global-resolver.ts';
import { closestName } from './method-suggestion.ts';
import type { OriginAllowlist } from './origin-allowlist.ts';
import type { ParsedScript } from './script-parser.ts';
import { describeLocation, locate, type ScriptUnit } from './script-unit.ts';
import {
  isStringValued,
  memberName,
  propertyKey,
  staticString,
  stringPrefix,
} from './static-value.ts';
import { walkSyntax, type SyntaxPath } from './syntax-path.ts';

/** A bridge method as the review needs it from `schemas/bridge/method-registry.json`. */
export interface RegisteredMethod {
  name: string;
  since: string;
  permission: string | null;
}

/** A call of a registered bridge method found in code. */
export interface BridgeCall {
  name: string;
  location: Location;
  /** Methods proven available by an enclosing `canIUse` check. */
  guardedBy: ReadonlySet<string>;
}

/** What the inspector checks code against. */
export interface InspectionContext {
  methods: ReadonlyMap<string, RegisteredMethod>;
  allowlist: OriginAllowlist;
  tick: () => void;
}

export interface Inspection {
  diagnostics: Diagnostic[];
  bridgeCalls: BridgeCall[];
}

/** Globals that reach outside the mini-app's own frame [REV-110]. */
const frameEscapes = new Set(['parent', 'top', 'opener', 'frameElement']);
/** Globals that are (or alias) the SDK's bridge object. */
const bridgeGlobals = new Set(['MiniAppBridge', 'miniapp']);
const bridgeLikeName = /bridge$/i;
const methodShape = /^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)+$/;
const httpVerb = /^[A-Za-z]+$/;
/** Package-relative specifiers; `//host` is protocol-relative, hence remote. */
const relativeSpecifier = /^(\.{1,2}\/|\/(?!\/))/;
/** A URL with a scheme (`https:`, `data:`, `blob:`) or protocol-relative (`//cdn`): not a package file. */
const outsidePackage = /^\s*([a-z][a-z0-9+.-]*:|\/\/)/i;
/** `<script ... src=...>` in markup written by document.write, with a src outside the package. */
const remoteScriptMarkup = /<script\b[^>]*?\ssrc\s*=\s*["']?\s*([a-z][a-z0-9+.-]*:|\/\/)/i;

type Node = ESTree.Node;

/**
 * Reviews one parsed script: forbidden patterns [REV-104..REV-113], bridge calls [REV-114]
 * [REV-115] and network targets [REV-119]. Never throws on any syntax tree acorn produces.
 */
export function inspectScript(
  unit: ScriptUnit,
  parsed: ParsedScript,
  context: InspectionContext,
): Inspection {
  const resolver = new GlobalResolver(parsed.program, parsed.sourceType);
  const diagnostics: Diagnostic[] = [];
  const bridgeCalls: BridgeCall[] = [];
  const namespaces = new Set([...context.methods.keys()].map((name) => name.split('.')[0]));

  const where = (node: Node): Location =>
    node.loc ? locate(unit, node.loc.start) : { file: unit.file };
  const report = (
    code: ErrorCode,
    node: Node,
    what: string,
    fix: string,
    options: DiagnosticOptions = {},
  ): void => {
    const location = where(node);
    diagnostics.push(
      diagnostic(code, `${describeLocation(location)}: ${what}.`, { ...options, location, fix }),
    );
  };

  const reportGlobal = (name: string | null, node: Node): void => {
    if (name === 'eval') {
      report(
        'CODE_EVAL',
        node,
        'eval is reachable here; evaluating strings as code is forbidden',
        'Remove eval; parse data with JSON.parse and ship all code as package files.',
      );
    } else if (name !== null && frameEscapes.has(name)) {
      report(
        'CODE_FRAME_ESCAPE',
        node,
        `${name} reaches the host's frame, which mini-apps must not touch`,
        'Talk to the host only through MiniAppBridge.',
      );
    }
  };

  const checkSpecifier = (source: Node, how: string): void => {
    const specifier = staticString(source);
    if (specifier === null) {
      report(
        'CODE_NON_LITERAL_IMPORT',
        source,
        `${how} is given a computed specifier, so the code it loads cannot be reviewed`,
        "Use a string literal naming a file of the package, e.g. import('./pages/cart.js').",
      );
    } else if (!relativeSpecifier.test(specifier)) {
      report(
        'CODE_REMOTE_IMPORT',
        source,
        `${how} loads ${JSON.stringify(specifier)}, which is not a file of the package`,
        'Bundle the dependency into the package and import it by a relative path.',
      );
    }
  };

  const checkUrl = (argument: Node | undefined, api: string): void => {
    if (!argument || argument.type === 'SpreadElement') return;
    const prefix = stringPrefix(argument);
    if (!prefix) return;
    const refusal = context.allowlist.refusal(prefix.text, prefix.complete);
    if (refusal !== null) {
      report(
        'CODE_DOMAIN_NOT_ALLOWED',
        argument,
        `${api} targets ${refusal}`,
        'Use an https/wss URL and add its origin to "allowedDomains" in manifest.json.',
      );
    }
  };

  /**
   * A script element made by the code: `document.createElement('script')` (or createElementNS),
   * directly or through a variable written only by its declaration [REV-107].
   */
  const isScriptElement = (node: Node, depth = 0): boolean => {
    if (depth > 40) return false;
    if (node.type === 'Identifier') {
      const init = resolver.initialValue(node);
      return init !== null && isScriptElement(init, depth + 1);
    }
    if (node.type === 'ChainExpression') return isScriptElement(node.expression, depth + 1);
    if (node.type !== 'CallExpression' || node.callee.type !== 'MemberExpression') return false;
    if (node.callee.object.type === 'Super') return false;
    const method = memberName(node.callee);
    const tag =
      method === 'createElement'
        ? node.arguments[0]
        : method === 'createElementNS'
          ? node.arguments[1]
          : undefined;
    const name = tag && tag.type !== 'SpreadElement' ? staticString(tag) : null;
    return name?.toLowerCase() === 'script' && resolver.resolve(node.callee.object) === 'document';
  };

  /** The known start of a URL, following a variable written only by its declaration. */
  const urlPrefix = (node: Node, depth = 0): string | null => {
    if (node.type === 'Identifier' && depth < 40) {
      const init = resolver.initialValue(node);
      return init ? urlPrefix(init, depth + 1) : null;
    }
    return stringPrefix(node)?.text ?? null;
  };

  /** `script.src = 'https://...'` and its spellings load code from outside the package [REV-107]. */
  const checkScriptSource = (element: Node, value: Node | undefined, how: string): void => {
    if (!value || value.type === 'SpreadElement' || !isScriptElement(element)) return;
    const url = urlPrefix(value);
    if (url === null || !outsidePackage.test(url)) return;
    report(
      'CODE_REMOTE_IMPORT',
      value,
      `a script element created here loads ${JSON.stringify(url)} (${how}), which is not a file of the package`,
      'Bundle the script into the package and load it with <script src="./file.js"> or import.',
    );
  };

  const isBridgeLike = (receiver: Node): boolean => {
    const global = resolver.resolve(receiver);
    if (global !== null && bridgeGlobals.has(global)) return true;
    if (receiver.type === 'Identifier') return bridgeLikeName.test(receiver.name);
    if (receiver.type === 'MemberExpression') {
      const name = memberName(receiver);
      return name !== null && bridgeLikeName.test(name);
    }
    return false;
  };

  const checkBridgeCall = (path: SyntaxPath, call: ESTree.CallExpression): void => {
    const callee = call.callee;
    if (callee.type !== 'MemberExpression' || memberName(callee) !== 'call') return;
    if (callee.object.type === 'Super') return;
    const first = call.arguments[0];
    if (!first) return;
    const name = first.type === 'SpreadElement' ? null : staticString(first);
    const bridgeLike = isBridgeLike(callee.object);
    if (name === null) {
      if (bridgeLike && !forwardsOwnParameter(path, first)) {
        report(
          'CODE_DYNAMIC_BRIDGE_METHOD',
          first,
          'the bridge method name is computed at run time, so its permission and host version cannot be checked',
          "Call each method with a string literal, e.g. MiniAppBridge.call('payment.pay', params).",
          { severity: 'warning' },
        );
      }
      return;
    }
    const method = context.methods.get(name);
    if (method) {
      bridgeCalls.push({ name, location: where(first), guardedBy: guardedMethods(path) });
      if (name.startsWith('network.')) {
        const params = call.arguments[1];
        if (params?.type === 'ObjectExpression') {
          for (const property of params.properties) {
            if (property.type === 'Property' && propertyKey(property) === 'url') {
              checkUrl(property.value, name);
            }
          }
        }
      }
      return;
    }
    // A string on an unrelated `.call` is ignored unless it names a bridge namespace.
    const namespace = name.split('.')[0];
    if (!bridgeLike && !(methodShape.test(name) && namespaces.has(namespace))) return;
    const suggestion = closestName(name, context.methods.keys());
    report(
      'CODE_UNKNOWN_BRIDGE_METHOD',
      first,
      `${JSON.stringify(name)} is not a bridge method of the registry`,
      suggestion
        ? `Did you mean '${suggestion}'?`
        : 'Use a method listed in schemas/bridge/method-registry.json.',
    );
  };

  const checkInvocation = (
    path: SyntaxPath,
    node: ESTree.CallExpression | ESTree.NewExpression,
  ) => {
    const callee = node.callee;
    if (callee.type === 'Super') return;
    const target = resolver.resolve(callee);
    const first = node.arguments[0];
    if (target === 'Function' || isFunctionConstructorAccess(callee, resolver)) {
      report(
        'CODE_FUNCTION_CONSTRUCTOR',
        node,
        'the Function constructor turns a string into code',
        'Write the function in the source instead of building it from a string.',
      );
    }
    if ((target === 'setTimeout' || target === 'setInterval') && first && isStringValued(first)) {
      report(
        'CODE_STRING_TIMER',
        first,
        `${target} is given a string, which is evaluated as code`,
        `Pass a function: ${target}(() => { ... }, delay).`,
      );
    }
    if (target === 'importScripts') {
      for (const argument of node.arguments) checkSpecifier(argument, 'importScripts');
    }
    if (target === 'fetch') checkUrl(first, 'fetch');
    if (node.type === 'NewExpression' && (target === 'WebSocket' || target === 'EventSource')) {
      checkUrl(first, target);
    }
    if (callee.type === 'MemberExpression' && callee.object.type !== 'Super') {
      const method = memberName(callee);
      const owner = resolver.resolve(callee.object);
      if (owner === 'document' && (method === 'write' || method === 'writeln')) {
        const markup = first && first.type !== 'SpreadElement' ? stringPrefix(first) : null;
        if (markup && remoteScriptMarkup.test(markup.text)) {
          report(
            'CODE_REMOTE_IMPORT',
            first as Node,
            `document.${method} writes a <script> whose src is not a file of the package`,
            'Bundle the script into the package and load it with <script src="./file.js">.',
          );
        }
        report(
          'CODE_DOCUMENT_WRITE',
          node,
          `document.${method} rewrites the page while it loads and is blocked in many hosts`,
          'Build DOM nodes (createElement, textContent) instead.',
          { severity: 'warning' },
        );
      }
      if (owner === 'navigator' && method === 'sendBeacon') checkUrl(first, 'navigator.sendBeacon');
      if (method === 'setAttribute' && first && first.type !== 'SpreadElement') {
        const attribute = staticString(first);
        if (attribute?.toLowerCase() === 'src') {
          checkScriptSource(callee.object, node.arguments[1], 'setAttribute');
        }
      }
      if (method === 'assign' && owner === 'Object' && first && first.type !== 'SpreadElement') {
        for (const source of node.arguments.slice(1)) {
          if (source.type !== 'ObjectExpression') continue;
          for (const property of source.properties) {
            if (property.type === 'Property' && propertyKey(property) === 'src') {
              checkScriptSource(first, property.value, 'Object.assign');
            }
          }
        }
      }
      const second = node.arguments[1];
      const verb = first && first.type !== 'SpreadElement' ? staticString(first) : null;
      if (method === 'open' && second && verb !== null && httpVerb.test(verb)) {
        checkUrl(second, 'XMLHttpRequest.open');
      }
    }
    if (node.type === 'CallExpression') checkBridgeCall(path, node);
  };

  /** `const { parent } = window` and `({ eval: e } = self)` take the global by destructuring. */
  const checkDestructuring = (pattern: Node, value: Node | null | undefined): void => {
    if (pattern.type !== 'ObjectPattern' || !value || !resolver.isGlobalObject(value)) return;
    for (const property of pattern.properties) {
      if (property.type === 'Property') reportGlobal(propertyKey(property), property.key);
    }
  };

  /** `function f({ parent }) {}` called with `window` destructures the global in its parameter. */
  const checkParameterDestructuring = (fn: FunctionNode): void => {
    fn.params.forEach((param, index) => {
      const pattern = param.type === 'AssignmentPattern' ? param.left : param;
      if (pattern.type !== 'ObjectPattern') return;
      const global = resolver
        .valuesOfParameter(fn, index)
        .find((value) => resolver.isGlobalObject(value));
      if (global) checkDestructuring(pattern, global);
    });
  };

  walkSyntax(
    parsed.program,
    (path) => {
      const node = path.node;
      switch (node.type) {
        case 'Identifier':
          if (resolver.isGlobal(node) && !isComparedParent(node.name, path)) {
            reportGlobal(node.name, node);
          }
          break;
        case 'MemberExpression': {
          const name = resolver.resolve(node);
          if (!isComparedParent(name, path)) reportGlobal(name, node);
          break;
        }
        case 'FunctionDeclaration':
        case 'FunctionExpression':
        case 'ArrowFunctionExpression':
          checkParameterDestructuring(node);
          break;
        case 'CallExpression':
        case 'NewExpression':
          checkInvocation(path, node);
          break;
        case 'ImportExpression':
          checkSpecifier(node.source, 'import()');
          break;
        case 'ImportDeclaration':
        case 'ExportAllDeclaration':
          checkSpecifier(node.source, 'import');
          break;
        case 'ExportNamedDeclaration':
          if (node.source) checkSpecifier(node.source, 'export ... from');
          break;
        case 'VariableDeclarator':
          checkDestructuring(node.id, node.init);
          break;
        case 'AssignmentExpression':
          checkDestructuring(node.left, node.right);
          if (
            node.operator === '=' &&
            node.left.type === 'MemberExpression' &&
            node.left.object.type !== 'Super' &&
            memberName(node.left) === 'src'
          ) {
            checkScriptSource(node.left.object, node.right, 'src');
          }
          if (
            node.left.type === 'MemberExpression' &&
            node.left.object.type !== 'Super' &&
            memberName(node.left) === 'domain' &&
            resolver.resolve(node.left.object) === 'document'
          ) {
            report(
              'CODE_DOCUMENT_DOMAIN',
              node,
              'document.domain is assigned, which weakens origin isolation',
              'Remove the assignment; use MiniAppBridge for anything that crosses origins.',
            );
          }
          break;
        default:
          break;
      }
    },
    context.tick,
  );
  return { diagnostics, bridgeCalls };
}

/**
 * [REV-110] allows one use of `parent`: an identity comparison (`===`, `!==`) such as
 * `event.source === window.parent`, which is how a bridge client checks who sent the init message.
 */
function isComparedParent(name: string | null, path: SyntaxPath): boolean {
  if (name !== 'parent') return false;
  let at = path;
  while (at.parent?.node.type === 'ChainExpression') at = at.parent;
  const holder = at.parent?.node;
  return (
    holder?.type === 'BinaryExpression' &&
    (holder.operator === '===' || holder.operator === '!==') &&
    (at.key === 'left' || at.key === 'right')
  );
}

/**
 * Global functions and constructors of browsers: the `constructor` of each of them is `Function`,
 * so `String.constructor('code')` builds a function from a string [REV-105].
 */
const globalFunctions = new Set([
  'Function',
  'Object',
  'String',
  'Number',
  'Boolean',
  'Symbol',
  'BigInt',
  'Array',
  'Date',
  'RegExp',
  'Error',
  'TypeError',
  'Promise',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'Proxy',
  'ArrayBuffer',
  'DataView',
  'Uint8Array',
  'Int32Array',
  'Float64Array',
  'parseInt',
  'parseFloat',
  'isNaN',
  'isFinite',
  'encodeURIComponent',
  'decodeURIComponent',
  'encodeURI',
  'decodeURI',
  'escape',
  'unescape',
  'atob',
  'btoa',
  'fetch',
  'setTimeout',
  'setInterval',
  'clearTimeout',
  'clearInterval',
  'queueMicrotask',
  'requestAnimationFrame',
  'structuredClone',
  'alert',
  'URL',
  'Blob',
  'Event',
  'Image',
  'XMLHttpRequest',
  'WebSocket',
  'EventSource',
]);

/**
 * Whether a callee denotes the Function constructor reached through the `constructor` of a function:
 * `(function () {}).constructor`, `''.constructor.constructor` (the constructor of any object is a
 * function, here `String`), `String.constructor`, `Object.getPrototypeOf(async () => {}).constructor`,
 * `Function.prototype.constructor`, and variables written only by their declaration from these.
 */
function isFunctionConstructorAccess(callee: Node, resolver: GlobalResolver, depth = 0): boolean {
  if (depth > 40) return false;
  switch (callee.type) {
    case 'Identifier': {
      const init = resolver.initialValue(callee);
      return init !== null && isFunctionConstructorAccess(init, resolver, depth + 1);
    }
    case 'ChainExpression':
      return isFunctionConstructorAccess(callee.expression, resolver, depth + 1);
    case 'SequenceExpression': {
      const last = callee.expressions[callee.expressions.length - 1];
      return last !== undefined && isFunctionConstructorAccess(last, resolver, depth + 1);
    }
    case 'MemberExpression':
      return (
        callee.object.type !== 'Super' &&
        memberName(callee) === 'constructor' &&
        isFunctionValue(callee.object, resolver, depth + 1)
      );
    default:
      return false;
  }
}

function isFunctionValue(node: Node, resolver: GlobalResolver, depth = 0): boolean {
  if (depth > 40) return false;
  switch (node.type) {
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
    case 'ClassExpression':
      return true;
    case 'Identifier': {
      const global = resolver.resolve(node);
      if (global !== null && globalFunctions.has(global)) return true;
      if (resolver.declaresFunction(node)) return true;
      const init = resolver.initialValue(node);
      return init !== null && isFunctionValue(init, resolver, depth + 1);
    }
    case 'ChainExpression':
      return isFunctionValue(node.expression, resolver, depth + 1);
    case 'MemberExpression': {
      if (node.object.type === 'Super') return false;
      const name = memberName(node);
      // The constructor of any object is a function (`''.constructor` is String).
      if (name === 'constructor') return true;
      if (name === 'prototype' && resolver.resolve(node.object) === 'Function') return true;
      const global = resolver.resolve(node);
      return global !== null && globalFunctions.has(global);
    }
    case 'CallExpression': {
      const callee = node.callee;
      const argument = node.arguments[0];
      return (
        callee.type === 'MemberExpression' &&
        memberName(callee) === 'getPrototypeOf' &&
        argument !== undefined &&
        argument.type !== 'SpreadElement' &&
        isFunctionValue(argument, resolver, depth + 1)
      );
    }
    default:
      return false;
  }
}

const functionTypes = new Set([
  'FunctionExpression',
  'FunctionDeclaration',
  'ArrowFunctionExpression',
]);

function nameOfFunction(path: SyntaxPath): string | null {
  const node = path.node as ESTree.Function;
  if (node.type !== 'ArrowFunctionExpression' && node.id) return node.id.name;
  const parent = path.parent?.node;
  if ((parent?.type === 'Property' || parent?.type === 'MethodDefinition') && !parent.computed) {
    return parent.key.type === 'Identifier' ? parent.key.name : null;
  }
  if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier')
    return parent.id.name;
  return null;
}

/**
 * A wrapper named `call` that hands its own parameter on (`call(method, p) { return bridge.call(method, p) }`)
 * is not a use of the bridge: its callers are, and each of them is checked where it names the method [REV-115].
 */
function forwardsOwnParameter(path: SyntaxPath, argument: ESTree.Node): boolean {
  if (argument.type !== 'Identifier') return false;
  for (let at = path.parent; at; at = at.parent) {
    if (!functionTypes.has(at.node.type)) continue;
    const fn = at.node as ESTree.Function;
    const declares = fn.params.some((p) => p.type === 'Identifier' && p.name === argument.name);
    if (fn.type === 'ArrowFunctionExpression' && !declares) continue;
    return declares && nameOfFunction(at) === 'call';
  }
  return false;
}
