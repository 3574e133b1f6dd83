import { parse, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { diagnostic, type Diagnostic, type Location } from '../diagnostics/index.ts';

/** [MAN-003] upper bounds that keep hostile manifests cheap to reject. */
export const MAX_MANIFEST_BYTES = 256 * 1024;
export const MAX_MANIFEST_DEPTH = 32;

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A JSON document read strictly, with its syntax tree kept for locating values. */
export interface JsonText {
  text: string;
  value: unknown;
  tree: Node;
}

/** Decodes and parses a manifest, returning diagnostics for every way the bytes can be unusable. */
export function readJsonText(
  input: string | Uint8Array,
  file: string,
): { json?: JsonText; diagnostics: Diagnostic[] } {
  const fail = (d: Diagnostic) => ({ diagnostics: [d] });
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > MAX_MANIFEST_BYTES) {
    return fail(
      diagnostic('MANIFEST_TOO_LARGE', `${file} is ${size} bytes; the limit is 256 KiB`, {
        location: { file },
        fix: 'move data out of the manifest into the package files',
      }),
    );
  }
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = strictDecoder.decode(input);
    } catch {
      return fail(
        diagnostic('MANIFEST_ENCODING', `${file} is not valid UTF-8`, {
          location: { file },
          fix: `save ${file} as UTF-8`,
        }),
      );
    }
  }
  // [MAN-002] a BOM is rejected rather than skipped so every reader sees identical bytes.
  if (text.startsWith('\uFEFF')) {
    return fail(
      diagnostic('MANIFEST_ENCODING', `${file} starts with a byte order mark`, {
        location: { file, line: 1, column: 1 },
        fix: `save ${file} as UTF-8 without BOM`,
      }),
    );
  }
  const depth = nestingDepth(text);
  if (depth > MAX_MANIFEST_DEPTH) {
    return fail(
      diagnostic(
        'MANIFEST_TOO_LARGE',
        `${file} nests ${depth} levels deep; the limit is ${MAX_MANIFEST_DEPTH}`,
        { location: { file }, fix: 'flatten the nested data' },
      ),
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(syntaxDiagnostic(text, file));
  }
  const tree = parseTree(text);
  if (!tree) return fail(syntaxDiagnostic(text, file));
  const diagnostics = duplicateMembers(tree, text, file);
  return { json: { text, value, tree }, diagnostics };
}

/** Deepest nesting of objects and arrays, counted without building a tree (a deep tree would overflow the stack). */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return deepest;
}

function syntaxDiagnostic(text: string, file: string): Diagnostic {
  const errors: ParseError[] = [];
  parse(text, errors, {
    disallowComments: true,
    allowTrailingComma: false,
    allowEmptyContent: false,
  });
  const first = errors[0];
  const where = first ? { file, ...lineColumn(text, first.offset) } : { file };
  const what = first ? printParseErrorCode(first.error) : 'invalid JSON';
  return diagnostic('MANIFEST_INVALID_JSON', `${file} is not valid JSON (${what})`, {
    location: where,
    fix: 'fix the JSON syntax: no comments, no trailing commas, strings in double quotes',
  });
}

/** [MAN-002] parsers disagree on which duplicate wins, so duplicates are an error. */
function duplicateMembers(tree: Node, text: string, file: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  const visit = (node: Node, pointer: string): void => {
    if (node.type === 'object') {
      const seen = new Set<string>();
      for (const property of node.children ?? []) {
        const [key, value] = property.children ?? [];
        if (!key || typeof key.value !== 'string') continue;
        const childPointer = `${pointer}/${escapePointer(key.value)}`;
        if (seen.has(key.value)) {
          found.push(
            diagnostic(
              'MANIFEST_DUPLICATE_MEMBER',
              `member "${key.value}" appears more than once in ${pointer || 'the top-level object'}`,
              {
                location: { file, pointer: childPointer, ...lineColumn(text, key.offset) },
                fix: 'keep one of the members and delete the other',
              },
            ),
          );
        }
        seen.add(key.value);
        if (value) visit(value, childPointer);
      }
    } else if (node.type === 'array') {
      (node.children ?? []).forEach((child, index) => visit(child, `${pointer}/${index}`));
    }
  };
  visit(tree, '');
  return found;
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** 1-based line and column (in UTF-16 code units) of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * The location of a JSON Pointer in the text: a member's key when the pointer names a member,
 * otherwise the value; the deepest existing ancestor when the pointer names something absent.
 */
export function locatePointer(json: JsonText, file: string, pointer: string): Location {
  let node: Node = json.tree;
  let at: Node = json.tree;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = unescapePointer(raw);
    let next: Node | undefined;
    let key: Node | undefined;
    if (node.type === 'object') {
      const property = node.children?.find((p) => p.children?.[0]?.value === segment);
      key = property?.children?.[0];
      next = property?.children?.[1];
    } else if (node.type === 'array' && /^\d+$/.test(segment)) {
      next = node.children?.[Number(segment)];
    }
    if (!next) break;
    node = next;
    at = key ?? next;
  }
  return { file, pointer, ...lineColumn(json.text, at.offset) };
}
