import type * as ESTree from 'estree';

/** Nesting bound for constant folding, so `'a' + 'b' + ...` chains stay cheap. */
const maxFoldDepth = 64;

/**
 * The string an expression always evaluates to, when that is known without running it:
 * string literals, template literals without substitutions and `+` of such. Otherwise null.
 */
export function staticString(node: ESTree.Node, depth = 0): string | null {
  if (depth > maxFoldDepth) return null;
  switch (node.type) {
    case 'Literal':
      return typeof node.value === 'string' ? node.value : null;
    case 'TemplateLiteral':
      return node.expressions.length === 0 ? (node.quasis[0]?.value.cooked ?? null) : null;
    case 'BinaryExpression': {
      if (node.operator !== '+' || node.left.type === 'PrivateIdentifier') return null;
      const left = staticString(node.left, depth + 1);
      const right = left === null ? null : staticString(node.right, depth + 1);
      return left === null || right === null ? null : left + right;
    }
    default:
      return null;
  }
}

/** The known leading part of a string expression; `complete` when it is the whole value. */
export interface StringPrefix {
  text: string;
  complete: boolean;
}

/** Like {@link staticString} but also gives the fixed start of `` `https://x/${id}` `` or `'https://x/' + id`. */
export function stringPrefix(node: ESTree.Node, depth = 0): StringPrefix | null {
  if (depth > maxFoldDepth) return null;
  switch (node.type) {
    case 'Literal':
      return typeof node.value === 'string' ? { text: node.value, complete: true } : null;
    case 'TemplateLiteral': {
      const head = node.quasis[0]?.value.cooked;
      return head == null ? null : { text: head, complete: node.expressions.length === 0 };
    }
    case 'BinaryExpression': {
      if (node.operator !== '+' || node.left.type === 'PrivateIdentifier') return null;
      const left = stringPrefix(node.left, depth + 1);
      if (!left?.complete) return left;
      const right = stringPrefix(node.right, depth + 1);
      if (!right) return { text: left.text, complete: false };
      return { text: left.text + right.text, complete: right.complete };
    }
    default:
      return null;
  }
}

/** Whether an expression certainly produces a string (used for timers given code as text). */
export function isStringValued(node: ESTree.Node, depth = 0): boolean {
  if (depth > maxFoldDepth) return false;
  switch (node.type) {
    case 'Literal':
      return typeof node.value === 'string';
    case 'TemplateLiteral':
      return true;
    case 'BinaryExpression':
      return (
        node.operator === '+' &&
        node.left.type !== 'PrivateIdentifier' &&
        (isStringValued(node.left, depth + 1) || isStringValued(node.right, depth + 1))
      );
    default:
      return false;
  }
}

/** The name of a member access when it is fixed: `a.b`, `a['b']`, `` a[`b`] ``, `a['b' + 'c']`. */
export function memberName(node: ESTree.MemberExpression): string | null {
  if (!node.computed) return node.property.type === 'Identifier' ? node.property.name : null;
  return staticString(node.property);
}

/** The fixed key of an object property or pattern property. */
export function propertyKey(node: ESTree.Property | ESTree.AssignmentProperty): string | null {
  if (!node.computed) {
    if (node.key.type === 'Identifier') return node.key.name;
    if (node.key.type === 'Literal') return String(node.key.value);
    return null;
  }
  return staticString(node.key);
}
