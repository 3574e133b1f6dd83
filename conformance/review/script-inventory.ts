import { parse, type DefaultTreeAdapterMap } from 'parse5';
import type { PackageSubject } from '../suites/package-subject.ts';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

/** One piece of code to review: a script file, an inline script, or an event-handler attribute. */
export interface ScriptUnit {
  /** The package file it comes from. */
  file: string;
  /** How it parses: `either` is a .js file (module, else classic script); `handler` is a function body. */
  goal: 'module' | 'script' | 'either' | 'handler';
  source: string;
  /** Position of the source in its file, 1-based, for reporting. */
  line: number;
  column: number;
}

/** A URL an HTML document loads, with what loads it (REV-109). */
export interface PageResource {
  file: string;
  line: number;
  element: string;
  attribute: string;
  url: string;
}

export interface CodeInventory {
  units: ScriptUnit[];
  resources: PageResource[];
  /** `@import` targets of inline styles and .css files. */
  styleImports: PageResource[];
  /** Event-handler attributes and javascript: URLs (REV-113, a SHOULD). */
  inlineHandlers: PageResource[];
  /** Scripts and pages that are not UTF-8 (REV-102). */
  notUtf8: string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const scriptFile = /\.(m?js|cjs)$/i;
const pageFile = /\.html?$/i;
const classicTypes = new Set([
  '',
  'text/javascript',
  'application/javascript',
  'text/ecmascript',
  'application/ecmascript',
  'application/x-javascript',
  'text/jscript',
]);
const urlAttributes = new Set(['href', 'src', 'action', 'formaction', 'data', 'xlink:href']);

function attribute(element: Element, name: string): string | undefined {
  return element.attrs.find((a) => a.name === name)?.value;
}

function* elements(node: Node): Generator<Element> {
  if ('tagName' in node) yield node;
  if ('childNodes' in node) for (const child of node.childNodes) yield* elements(child);
  if ('content' in node && node.content) yield* elements(node.content as unknown as Node);
}

function textOf(element: Element): string {
  return element.childNodes.map((c) => ('value' in c ? (c.value as string) : '')).join('');
}

function styleImports(file: string, css: string, line: number): PageResource[] {
  const found: PageResource[] = [];
  for (const m of css.matchAll(/@import\s+(?:url\(\s*)?["']?([^"')\s;]+)/gi)) {
    found.push({
      file,
      line: line + css.slice(0, m.index).split('\n').length - 1,
      element: 'style',
      attribute: '@import',
      url: m[1] as string,
    });
  }
  return found;
}

function inspectPage(file: string, text: string, inventory: CodeInventory): void {
  const document = parse(text, { sourceCodeLocationInfo: true });
  for (const element of elements(document as unknown as Node)) {
    const location = element.sourceCodeLocation;
    const line = location?.startLine ?? 1;
    const tag = element.tagName;
    for (const attr of element.attrs) {
      const at = location?.attrs?.[attr.name];
      if (/^on/i.test(attr.name)) {
        inventory.inlineHandlers.push({
          file,
          line: at?.startLine ?? line,
          element: tag,
          attribute: attr.name,
          url: attr.value,
        });
        // Handlers run as function bodies; the value starts after `name="`.
        inventory.units.push({
          file,
          goal: 'handler',
          source: attr.value,
          line: at?.startLine ?? line,
          column: (at?.startCol ?? 1) + attr.name.length + 2,
        });
      } else if (urlAttributes.has(attr.name) && /^\s*javascript:/i.test(attr.value)) {
        inventory.inlineHandlers.push({
          file,
          line: at?.startLine ?? line,
          element: tag,
          attribute: attr.name,
          url: attr.value,
        });
      }
    }
    const loads = (name: string) => {
      const url = attribute(element, name);
      if (url !== undefined)
        inventory.resources.push({
          file,
          line: location?.attrs?.[name]?.startLine ?? line,
          element: tag,
          attribute: name,
          url,
        });
    };
    if (tag === 'script') {
      const type = (attribute(element, 'type') ?? '').trim().toLowerCase();
      if (attribute(element, 'src') !== undefined) loads('src');
      else if (type === 'module' || classicTypes.has(type)) {
        const body = element.childNodes[0]?.sourceCodeLocation;
        inventory.units.push({
          file,
          goal: type === 'module' ? 'module' : 'script',
          source: textOf(element),
          line: body?.startLine ?? line,
          column: body?.startCol ?? 1,
        });
      }
    } else if (tag === 'link') {
      const rel = (attribute(element, 'rel') ?? '').toLowerCase().split(/\s+/);
      if (
        rel.some((r) =>
          [
            'stylesheet',
            'preload',
            'modulepreload',
            'prefetch',
            'import',
            'manifest',
            'serviceworker',
          ].includes(r),
        )
      )
        loads('href');
    } else if (tag === 'iframe' || tag === 'frame' || tag === 'embed') {
      loads('src');
    } else if (tag === 'object') {
      loads('data');
    } else if (tag === 'base') {
      loads('href');
    } else if (tag === 'style') {
      inventory.styleImports.push(
        ...styleImports(
          file,
          textOf(element),
          element.childNodes[0]?.sourceCodeLocation?.startLine ?? line,
        ),
      );
    }
  }
}

/** Collects every script, inline script and handler of the package, and what its pages load. */
export function codeInventory(subject: PackageSubject): CodeInventory {
  const inventory: CodeInventory = {
    units: [],
    resources: [],
    styleImports: [],
    inlineHandlers: [],
    notUtf8: [],
  };
  for (const [file, entry] of subject.files) {
    const isScript = scriptFile.test(file);
    const isPage = pageFile.test(file);
    const isStyle = /\.css$/i.test(file);
    if (!isScript && !isPage && !isStyle) continue;
    const bytes = entry.read();
    if (!bytes) continue;
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      if (!isStyle) inventory.notUtf8.push(file);
      continue;
    }
    if (isScript) {
      const goal = /\.mjs$/i.test(file) ? 'module' : /\.cjs$/i.test(file) ? 'script' : 'either';
      inventory.units.push({ file, goal, source: text, line: 1, column: 1 });
    } else if (isPage) {
      inspectPage(file, text, inventory);
    } else {
      inventory.styleImports.push(...styleImports(file, text, 1));
    }
  }
  return inventory;
}
