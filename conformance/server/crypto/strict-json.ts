/**
 * A strict JSON reader for signed payloads [SIG-014]: RFC 8259 text only, and an object with two
 * members of the same name is an error (JSON.parse silently keeps the last one).
 */
export class StrictJsonError extends Error {
  override name = 'StrictJsonError';
}

const literalPattern = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// eslint-disable-next-line no-control-regex -- control characters must be escaped inside strings
const stringPattern = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

export function parseStrictJson(text: string): unknown {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const error = (what: string): never => {
    throw new StrictJsonError(`${what} at offset ${i}`);
  };
  const value = (depth: number): unknown => {
    if (depth > 64) error('nesting deeper than 64');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: Record<string, unknown> = {};
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return out;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') error('expected a member name');
        const key = string();
        if (seen.has(key)) error(`duplicate member "${key}"`);
        seen.add(key);
        ws();
        if (text[i] !== ':') error('expected ":"');
        i++;
        Object.defineProperty(out, key, {
          value: value(depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return out;
        }
        error('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const out: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return out;
      }
      for (;;) {
        out.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return out;
        }
        error('expected "," or "]"');
      }
    }
    if (c === '"') return string();
    literalPattern.lastIndex = i;
    const literal = literalPattern.exec(text);
    if (!literal) return error('unexpected character');
    i += literal[0].length;
    return JSON.parse(literal[0]) as unknown;
  };
  const string = (): string => {
    stringPattern.lastIndex = i;
    const match = stringPattern.exec(text);
    if (!match) return error('malformed string');
    i += match[0].length;
    return JSON.parse(match[0]) as string;
  };
  const result = value(0);
  ws();
  if (i !== text.length) error('trailing characters');
  return result;
}
