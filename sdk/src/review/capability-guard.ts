import type * as ESTree from 'estree';
import type { SyntaxPath } from './syntax-path.ts';
import { memberName, propertyKey, staticString } from './static-value.ts';

/** The `method` member of `{ method: 'm' }`. */
function methodParam(node: ESTree.Node | undefined): string | null {
  if (node?.type !== 'ObjectExpression') return null;
  for (const property of node.properties) {
    if (property.type === 'Property' && propertyKey(property) === 'method') {
      return staticString(property.value);
    }
  }
  return null;
}

/** The method named by `(await X.call('host.canIUse', { method: 'm' })).available`. */
function hostCanIUseTarget(node: ESTree.MemberExpression): string | null {
  if (memberName(node) !== 'available') return null;
  let call: ESTree.Node = node.object;
  while (call.type === 'AwaitExpression' || call.type === 'ChainExpression') {
    call = call.type === 'AwaitExpression' ? call.argument : call.expression;
  }
  if (call.type !== 'CallExpression' || call.callee.type !== 'MemberExpression') return null;
  const [name, params] = call.arguments;
  if (memberName(call.callee) !== 'call' || !name || staticString(name) !== 'host.canIUse') {
    return null;
  }
  return methodParam(params);
}

/**
 * The method named by a capability query: `X.canIUse('m')`, `canIUse('m')`, `await X.canIUse('m')`
 * or the registry method itself, `(await X.call('host.canIUse', { method: 'm' })).available`.
 */
function canIUseTarget(node: ESTree.Node): string | null {
  if (node.type === 'AwaitExpression') return canIUseTarget(node.argument);
  if (node.type === 'ChainExpression') return canIUseTarget(node.expression);
  if (node.type === 'MemberExpression') return hostCanIUseTarget(node);
  if (node.type !== 'CallExpression') return null;
  const callee = node.callee;
  const name =
    callee.type === 'Identifier'
      ? callee.name
      : callee.type === 'MemberExpression'
        ? memberName(callee)
        : null;
  const first = node.arguments[0];
  if (name !== 'canIUse' || !first || first.type === 'SpreadElement') return null;
  return staticString(first);
}

/** Methods a condition proves available when it is true: `canIUse(a) && canIUse(b)`. */
function whenTrue(test: ESTree.Node, into: Set<string>): void {
  if (test.type === 'LogicalExpression' && test.operator === '&&') {
    whenTrue(test.left, into);
    whenTrue(test.right, into);
    return;
  }
  const target = canIUseTarget(test);
  if (target !== null) into.add(target);
}

/** Methods a condition proves available when it is false: `!canIUse(a) || !canIUse(b)`. */
function whenFalse(test: ESTree.Node, into: Set<string>): void {
  if (test.type === 'LogicalExpression' && test.operator === '||') {
    whenFalse(test.left, into);
    whenFalse(test.right, into);
    return;
  }
  if (test.type === 'UnaryExpression' && test.operator === '!') whenTrue(test.argument, into);
}

/** Whether control cannot fall out of a statement (it returns or throws). */
function leaves(statement: ESTree.Statement): boolean {
  if (statement.type === 'ReturnStatement' || statement.type === 'ThrowStatement') return true;
  if (statement.type === 'BlockStatement') {
    const last = statement.body[statement.body.length - 1];
    return last !== undefined && leaves(last);
  }
  return false;
}

/** Early exits before a statement: `if (!bridge.canIUse('m')) return;` */
function earlyExitGuards(list: readonly ESTree.Node[], before: number, into: Set<string>): void {
  for (const statement of list.slice(0, before)) {
    if (statement.type === 'IfStatement' && !statement.alternate && leaves(statement.consequent)) {
      whenFalse(statement.test, into);
    }
  }
}

/**
 * The bridge methods whose availability is checked with `canIUse` on every path to this node:
 * inside `if (canIUse('m')) {...}`, the else branch of `if (!canIUse('m'))`, `canIUse('m') && ...`,
 * `canIUse('m') ? ... : ...`, and after an early `if (!canIUse('m')) return;` in an enclosing block.
 * Guards held in variables (`const ok = canIUse('m'); if (ok)`) are not followed.
 */
export function guardedMethods(path: SyntaxPath): Set<string> {
  const guarded = new Set<string>();
  for (let child = path, parent = path.parent; parent; child = parent, parent = parent.parent) {
    const node = parent.node;
    if (node.type === 'IfStatement' || node.type === 'ConditionalExpression') {
      if (child.key === 'consequent') whenTrue(node.test, guarded);
      if (child.key === 'alternate') whenFalse(node.test, guarded);
    } else if (node.type === 'LogicalExpression' && child.key === 'right') {
      if (node.operator === '&&') whenTrue(node.left, guarded);
      if (node.operator === '||') whenFalse(node.left, guarded);
    } else if (
      (node.type === 'BlockStatement' || node.type === 'Program' || node.type === 'StaticBlock') &&
      child.index !== null
    ) {
      earlyExitGuards(node.body, child.index, guarded);
    } else if (node.type === 'SwitchCase' && child.index !== null) {
      earlyExitGuards(node.consequent, child.index, guarded);
    }
  }
  return guarded;
}
