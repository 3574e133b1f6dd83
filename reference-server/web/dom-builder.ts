/** What may be placed inside an element: nodes, or text that is always inserted as text. */
export type Child = Node | string | number | null | undefined | false;

/** Attributes and listeners of a new element; values are set as attributes, never parsed as HTML. */
export interface ElementProps {
  class?: string;
  attrs?: Record<string, string | number | boolean | undefined>;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (event: HTMLElementEventMap[K]) => void }>;
}

function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    // Strings become text nodes: data from the API is never interpreted as markup.
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

function setAttributes(node: Element, attrs: ElementProps['attrs']): void {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
}

/** A new HTML element with attributes, listeners and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  setAttributes(node, props.attrs);
  for (const [type, listener] of Object.entries(props.on ?? {})) {
    node.addEventListener(type, listener as EventListener);
  }
  append(node, children);
  return node;
}

const svgNamespace = 'http://www.w3.org/2000/svg';

/** A new SVG element with attributes and children. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: ElementProps['attrs'] = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(svgNamespace, tag);
  setAttributes(node, attrs);
  append(node, children);
  return node;
}

/** Replaces every child of the node. */
export function replaceChildren(node: Element, ...children: Child[]): void {
  node.replaceChildren();
  append(node, children);
}
