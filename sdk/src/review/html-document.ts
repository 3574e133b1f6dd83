import { parse, type DefaultTreeAdapterMap, type Token } from 'parse5';
import { diagnostic, type Diagnostic, type Location } from '#sdk/diagnostics/index.ts';
import { describeLocation, type ScriptUnit } from './script-unit.ts';

type Element = DefaultTreeAdapterMap['element'];
type ParentNode = DefaultTreeAdapterMap['parentNode'];

/** What an HTML page contributes to the review: its scripts and its own findings. */
export interface HtmlInspection {
  scripts: ScriptUnit[];
  diagnostics: Diagnostic[];
}

/** Classic-script MIME types; anything else in `type` (JSON, templates) is data, not code. */
const javaScriptTypes = new Set([
  '',
  'text/javascript',
  'application/javascript',
  'application/ecmascript',
  'text/ecmascript',
  'module',
]);

/** `rel` tokens under which a `<link>` makes the page load code or style. */
const loadingRels = new Set(['stylesheet', 'modulepreload', 'preload', 'import']);

/** Element/attribute pairs that load a resource into the page [REV-109]. */
const loadingAttributes: Record<string, string> = {
  script: 'src',
  iframe: 'src',
  frame: 'src',
  embed: 'src',
  object: 'data',
  base: 'href',
};

/** Attributes that hold a URL and so may carry `javascript:` [REV-113]. */
const urlAttributes = new Set(['href', 'src', 'action', 'formaction', 'data', 'xlink:href']);

/** Anything with a scheme (`https:`, `data:`, `blob:`) or protocol-relative (`//cdn`) is not a package file. */
function isOutsidePackage(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(url.trim()) || url.trim().startsWith('//');
}

function attribute(element: Element, name: string): string | undefined {
  return element.attrs.find((a) => a.name === name)?.value;
}

/**
 * Where an attribute's value starts: after `name`, `=`, white space and an optional quote.
 * Columns past character references (`&amp;`) inside the value are approximate.
 */
function valueOrigin(html: string, at: Token.Location): { line: number; column: number } {
  const raw = html.slice(at.startOffset, at.endOffset);
  const prefix = /^[^=]*=\s*["']?/.exec(raw)?.[0] ?? raw;
  let line = at.startLine;
  let column = at.startCol;
  for (let i = 0; i < prefix.length; i += 1) {
    const char = prefix[i];
    if (char === '\n' || (char === '\r' && prefix[i + 1] !== '\n')) {
      line += 1;
      column = 1;
    } else if (char !== '\r') {
      column += 1;
    }
  }
  return { line, column };
}

/**
 * Reads an HTML page with parse5: collects inline scripts and handler attributes as script units
 * (positions mapped back into the page) and reports resources loaded from outside the package.
 * parse5 recovers from any malformed markup the way browsers do, so this never throws.
 */
export function inspectHtml(file: string, html: string): HtmlInspection {
  const scripts: ScriptUnit[] = [];
  const diagnostics: Diagnostic[] = [];
  const document = parse(html, { sourceCodeLocationInfo: true });

  const locationOf = (element: Element, attributeName?: string): Location => {
    const at = element.sourceCodeLocation;
    const spot = (attributeName ? at?.attrs?.[attributeName] : undefined) ?? at?.startTag ?? at;
    return spot ? { file, line: spot.startLine, column: spot.startCol } : { file };
  };

  const visitElement = (element: Element): void => {
    const tag = element.tagName;
    for (const { name, value } of element.attrs) {
      const at = element.sourceCodeLocation?.attrs?.[name];
      const isHandler = name.length > 2 && name.startsWith('on');
      const isScriptUrl = urlAttributes.has(name) && /^\s*javascript:/i.test(value);
      if (!isHandler && !isScriptUrl) continue;
      const location = locationOf(element, name);
      diagnostics.push(
        diagnostic(
          'CODE_INLINE_SCRIPT_ATTRIBUTE',
          `${describeLocation(location)}: <${tag} ${name}> holds script, which the host's content security policy blocks.`,
          {
            severity: 'warning',
            location,
            fix: 'Move the code to a package .js file and attach it with addEventListener.',
          },
        ),
      );
      if (isHandler && at) {
        scripts.push({
          file,
          text: value,
          goal: 'script',
          origin: valueOrigin(html, at),
          handler: true,
        });
      }
    }

    const loadingAttribute = loadingAttributes[tag];
    const rels = (attribute(element, 'rel') ?? '').toLowerCase().split(/\s+/);
    const linkLoads = tag === 'link' && rels.some((rel) => loadingRels.has(rel));
    const urlAttribute = linkLoads ? 'href' : loadingAttribute;
    const url = urlAttribute ? attribute(element, urlAttribute) : undefined;
    if (urlAttribute && url !== undefined && isOutsidePackage(url)) {
      const location = locationOf(element, urlAttribute);
      diagnostics.push(
        diagnostic(
          'CODE_REMOTE_RESOURCE',
          `${describeLocation(location)}: <${tag} ${urlAttribute}="${url.slice(0, 200)}"> loads from outside the package.`,
          { location, fix: 'Ship the file inside the package and refer to it by a relative path.' },
        ),
      );
    }

    if (tag === 'script' && url === undefined) {
      const type = (attribute(element, 'type') ?? '').trim().toLowerCase();
      const body = element.childNodes[0];
      if (javaScriptTypes.has(type) && body && 'value' in body && body.sourceCodeLocation) {
        const origin = {
          line: body.sourceCodeLocation.startLine,
          column: body.sourceCodeLocation.startCol,
        };
        scripts.push({
          file,
          text: body.value,
          goal: type === 'module' ? 'module' : 'script',
          origin,
        });
      }
    }
  };

  // Iterative, in document order; <template> contents are parsed into a separate fragment.
  const stack: ParentNode[] = [document];
  for (let parent = stack.pop(); parent; parent = stack.pop()) {
    const children: unknown[] = [...parent.childNodes];
    if ('content' in parent && parent.content) children.unshift(parent.content);
    for (let i = children.length - 1; i >= 0; i -= 1) {
      const child = children[i];
      if (typeof child === 'object' && child !== null && 'childNodes' in child) {
        stack.push(child as ParentNode);
      }
    }
    if ('tagName' in parent) visitElement(parent);
  }
  return { scripts, diagnostics };
}
