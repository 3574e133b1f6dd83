/** A strict reader of the XML subset the JUnit writer emits, for the harness tests. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const nameChar = /[A-Za-z0-9_:.-]/;
const entity = /^&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/;
const decode: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Parses a well-formed document or throws with the offset of the first fault. */
export function parseXml(source: string): XmlElement {
  let at = 0;
  const failAt = (message: string): never => {
    throw new Error(`${message} at offset ${at}`);
  };
  if (/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(source)) {
    failAt('a character XML 1.0 forbids');
  }
  const readText = (stop: string): string => {
    let out = '';
    while (at < source.length && !stop.includes(source[at] as string)) {
      if (source[at] === '&') {
        const m = entity.exec(source.slice(at));
        if (!m) failAt('a bad entity reference');
        const ref = (m as RegExpExecArray)[1] as string;
        out += ref.startsWith('#x')
          ? String.fromCodePoint(parseInt(ref.slice(2), 16))
          : ref.startsWith('#')
            ? String.fromCodePoint(parseInt(ref.slice(1), 10))
            : decode[ref];
        at += (m as RegExpExecArray)[0].length;
      } else if (source[at] === '<') {
        failAt('a < in text');
      } else {
        out += source[at];
        at += 1;
      }
    }
    return out;
  };
  const readName = (): string => {
    const start = at;
    while (at < source.length && nameChar.test(source[at] as string)) at += 1;
    if (at === start) failAt('a missing name');
    return source.slice(start, at);
  };
  const skipSpace = () => {
    while (/\s/.test(source[at] ?? '')) at += 1;
  };
  const element = (): XmlElement => {
    if (source[at] !== '<') failAt('expected <');
    at += 1;
    const name = readName();
    const attributes: Record<string, string> = {};
    for (;;) {
      skipSpace();
      if (source.startsWith('/>', at)) {
        at += 2;
        return { name, attributes, children: [], text: '' };
      }
      if (source[at] === '>') {
        at += 1;
        break;
      }
      const attribute = readName();
      if (attribute in attributes) failAt(`a repeated attribute ${attribute}`);
      if (source[at] !== '=' || source[at + 1] !== '"') failAt('an unquoted attribute');
      at += 2;
      attributes[attribute] = readText('"');
      if (source[at] !== '"') failAt('an unterminated attribute');
      at += 1;
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      text += readText('<');
      if (at >= source.length) failAt(`an unclosed <${name}>`);
      if (source.startsWith('</', at)) {
        at += 2;
        if (readName() !== name) failAt(`a mismatched end tag for <${name}>`);
        skipSpace();
        if (source[at] !== '>') failAt('an unterminated end tag');
        at += 1;
        return { name, attributes, children, text };
      }
      children.push(element());
    }
  };
  const declaration = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/.exec(source);
  if (!declaration) failAt('a missing XML declaration');
  at = (declaration as RegExpExecArray)[0].length;
  const root = element();
  skipSpace();
  if (at !== source.length) failAt('content after the root element');
  return root;
}

/** Every descendant element named `name`. */
export function descendants(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((c) => [
    ...(c.name === name ? [c] : []),
    ...descendants(c, name),
  ]);
}
