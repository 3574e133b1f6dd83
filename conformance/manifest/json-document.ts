/**
 * A strict RFC 8259 reader for manifest.json and translation files: no comments, no trailing
 * commas, no byte order mark; it reports every duplicate member name (compared after unescaping)
 * and the deepest nesting, and it never recurses, so hostile nesting cannot exhaust the stack.
 */

export interface JsonDuplicate {
  /** JSON Pointer of the object holding the repeated name. */
  pointer: string;
  name: string;
}

export interface JsonDocument {
  /** UTF-8 without BOM, and one complete JSON text. */
  ok: boolean;
  value?: unknown;
  bom: boolean;
  utf8: boolean;
  syntaxError?: string;
  duplicates: JsonDuplicate[];
  /** Deepest nesting of objects and arrays; the top-level container is level 1. */
  depth: number;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function pointerToken(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

interface Frame {
  kind: 'object' | 'array';
  value: Record<string, unknown> | unknown[];
  pointer: string;
  names: Set<string>;
  key?: string;
  /** After `{` or `[`: nothing read yet. */
  empty: boolean;
}

class JsonSyntaxError extends Error {}

/** Reads bytes as a strict JSON text. */
export function readJsonDocument(bytes: Uint8Array): JsonDocument {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return {
      ok: false,
      bom,
      utf8: false,
      syntaxError: 'not valid UTF-8',
      duplicates: [],
      depth: 0,
    };
  }
  if (bom) text = text.slice(1);
  const result = parseJsonText(text);
  return { ...result, bom, utf8: true, ok: result.ok && !bom };
}

/** Parses a JSON text (already decoded). */
export function parseJsonText(text: string): Omit<JsonDocument, 'bom' | 'utf8'> {
  const duplicates: JsonDuplicate[] = [];
  let depth = 0;
  let at = 0;
  const where = () => {
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    return `line ${line}, column ${at - before.lastIndexOf('\n')}`;
  };
  const syntax = (message: string): never => {
    throw new JsonSyntaxError(`${message} at ${where()}`);
  };
  const skipSpace = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at] as string)) at += 1;
  };
  const readString = (): string => {
    at += 1; // opening quote
    let out = '';
    for (;;) {
      if (at >= text.length) syntax('unterminated string');
      const ch = text[at] as string;
      if (ch === '"') {
        at += 1;
        return out;
      }
      if (ch.charCodeAt(0) < 0x20) syntax('unescaped control character in a string');
      if (ch === '\\') {
        const next = text[at + 1];
        const simple: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          '/': '/',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
        };
        if (next !== undefined && next in simple) {
          out += simple[next];
          at += 2;
        } else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) {
          out += String.fromCharCode(parseInt(text.slice(at + 2, at + 6), 16));
          at += 6;
        } else {
          syntax('invalid escape in a string');
        }
        continue;
      }
      out += ch;
      at += 1;
    }
  };
  const number = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const readScalar = (): unknown => {
    const ch = text[at];
    if (ch === '"') return readString();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return value;
      }
    }
    number.lastIndex = at;
    const match = number.exec(text);
    if (!match)
      syntax(
        at >= text.length ? 'unexpected end of text' : `unexpected character ${JSON.stringify(ch)}`,
      );
    at += (match as RegExpExecArray)[0].length;
    return Number((match as RegExpExecArray)[0]);
  };
  const stack: Frame[] = [];
  let root: unknown;
  let haveRoot = false;
  const place = (value: unknown) => {
    const top = stack.at(-1);
    if (!top) {
      root = value;
      haveRoot = true;
    } else if (top.kind === 'array') {
      (top.value as unknown[]).push(value);
    } else {
      Object.defineProperty(top.value, top.key as string, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  };
  const childPointer = (top: Frame | undefined) =>
    !top
      ? ''
      : top.kind === 'array'
        ? `${top.pointer}/${(top.value as unknown[]).length}`
        : `${top.pointer}/${pointerToken(top.key as string)}`;
  try {
    // One loop: read a value (opening containers as we go), then close or continue containers.
    let expectValue = true;
    for (;;) {
      skipSpace();
      if (expectValue) {
        const ch = text[at];
        if (ch === '{' || ch === '[') {
          const top = stack.at(-1);
          const frame: Frame = {
            kind: ch === '{' ? 'object' : 'array',
            value: ch === '{' ? {} : [],
            pointer: childPointer(top),
            names: new Set(),
            empty: true,
          };
          place(frame.value);
          stack.push(frame);
          depth = Math.max(depth, stack.length);
          at += 1;
          skipSpace();
          if (text[at] === (ch === '{' ? '}' : ']')) {
            at += 1;
            stack.pop();
            expectValue = false;
            if (stack.length === 0) break;
            continue;
          }
          if (frame.kind === 'object') {
            if (text[at] !== '"') syntax('expected a member name');
            readKey(frame);
          }
          continue;
        }
        place(readScalar());
        expectValue = false;
        if (stack.length === 0) break;
        continue;
      }
      const top = stack.at(-1) as Frame;
      const ch = text[at];
      if (ch === ',') {
        at += 1;
        skipSpace();
        if (top.kind === 'object') {
          if (text[at] !== '"') syntax('expected a member name after ","');
          readKey(top);
        }
        expectValue = true;
        continue;
      }
      if ((ch === '}' && top.kind === 'object') || (ch === ']' && top.kind === 'array')) {
        at += 1;
        stack.pop();
        if (stack.length === 0) break;
        continue;
      }
      syntax(
        at >= text.length ? 'unexpected end of text' : `unexpected character ${JSON.stringify(ch)}`,
      );
    }
    skipSpace();
    if (at < text.length) syntax('more than one JSON value');
    if (!haveRoot) syntax('empty text');
    return { ok: true, value: root, duplicates, depth };
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return { ok: false, syntaxError: error.message, duplicates, depth };
  }

  function readKey(frame: Frame): void {
    const name = readString();
    if (frame.names.has(name)) duplicates.push({ pointer: frame.pointer, name });
    frame.names.add(name);
    frame.key = name;
    skipSpace();
    if (text[at] !== ':') syntax('expected ":" after a member name');
    at += 1;
  }
}
