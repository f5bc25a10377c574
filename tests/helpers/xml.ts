/**
 * A strict little XML reader for the bench chart's tests: elements, attributes, text, comments and the
 * five predefined entities, nothing else (no DTD, no CDATA, no processing instructions). It throws on
 * anything not well-formed, which is the point: Bun has no DOMParser, and a regex over the SVG would
 * accept a document a browser refuses.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const isNameChar = (c: string) =>
  (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || "-_:.".includes(c);
const isSpace = (c: string) => c === " " || c === "\n" || c === "\t" || c === "\r";

export function parseXml(source: string): XmlElement {
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`XML: ${what} at offset ${at}: ${JSON.stringify(source.slice(at, at + 40))}`);
  };
  const skipSpace = () => {
    while (at < source.length && isSpace(source[at] as string)) at++;
  };
  const name = () => {
    const start = at;
    while (at < source.length && isNameChar(source[at] as string)) at++;
    if (at === start) fail("a name expected");
    return source.slice(start, at);
  };
  const decode = (raw: string) => {
    let text = "";
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i] as string;
      if (c === "<") fail("a raw < in text or attribute");
      if (c !== "&") {
        text += c;
        continue;
      }
      const end = raw.indexOf(";", i);
      const entity = end > i ? ENTITIES[raw.slice(i + 1, end)] : undefined;
      if (entity === undefined) fail(`an unknown entity in ${JSON.stringify(raw.slice(i, i + 10))}`);
      text += entity;
      i = end;
    }
    return text;
  };
  const element = (): XmlElement => {
    if (source[at] !== "<") fail("< expected");
    at++;
    const node: XmlElement = { name: name(), attributes: {}, children: [], text: "" };
    for (;;) {
      skipSpace();
      if (source.startsWith("/>", at)) {
        at += 2;
        return node;
      }
      if (source[at] === ">") {
        at++;
        break;
      }
      const key = name();
      if (key in node.attributes) fail(`attribute ${key} repeated`);
      skipSpace();
      if (source[at] !== "=") fail("= expected");
      at++;
      skipSpace();
      const quote = source[at] ?? "";
      if (quote !== '"' && quote !== "'") fail("a quoted value expected");
      const end = source.indexOf(quote, at + 1);
      if (end < 0) fail("an unclosed attribute value");
      node.attributes[key] = decode(source.slice(at + 1, end));
      at = end + 1;
    }
    for (;;) {
      if (at >= source.length) fail(`</${node.name}> missing`);
      if (source.startsWith("<!--", at)) {
        const end = source.indexOf("-->", at);
        if (end < 0) fail("an unclosed comment");
        at = end + 3;
      } else if (source.startsWith("</", at)) {
        at += 2;
        const closing = name();
        if (closing !== node.name) fail(`</${node.name}> expected, </${closing}> found`);
        skipSpace();
        if (source[at] !== ">") fail("> expected");
        at++;
        return node;
      } else if (source[at] === "<") {
        node.children.push(element());
      } else {
        const end = source.indexOf("<", at);
        node.text += decode(source.slice(at, end < 0 ? source.length : end));
        at = end < 0 ? source.length : end;
      }
    }
  };
  skipSpace();
  const root = element();
  skipSpace();
  if (at !== source.length) fail("content after the root element");
  return root;
}

/** Every element below (and including) `node`, depth first. */
export function allElements(node: XmlElement): XmlElement[] {
  return [node, ...node.children.flatMap(allElements)];
}
