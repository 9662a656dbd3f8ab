/**
 * Reading ORE's XML: a checked parse (malformed XML is an XvaInputError naming file, line and column), and small
 * accessors over fast-xml-parser's object tree. Tag values stay text (`parseTagValue: false`) so that `20160301`
 * stays a date and `0.020` keeps its digits until a mapper reads it as a number on purpose.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { XvaInputError } from '../../errors.js';

/** An element: its children by tag name, attributes as `@_name`, text as `#text` when it also has attributes. */
export type XmlNode = { readonly [key: string]: XmlValue };
export type XmlValue = string | XmlNode | XmlValue[];

const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

/** A parsed XML file with a way back from an element to its line, for messages. */
export class XmlDocument {
  private readonly lineStarts: number[];

  constructor(
    /** File name as shown in messages. */
    readonly file: string,
    readonly root: XmlNode,
    readonly rootName: string,
    text: string,
  ) {
    this.lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  /** 1-based line where an element starts; undefined for text-only elements (the parser keeps no position). */
  lineOf(node: XmlValue | undefined): number | undefined {
    if (node === undefined || typeof node !== 'object' || Array.isArray(node)) return undefined;
    const meta = (node as unknown as Record<symbol, { startIndex?: number } | undefined>)[META];
    const index = meta?.startIndex;
    if (index === undefined) return undefined;
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

/**
 * Parses XML text. Throws an XvaInputError naming the file, line and column when the text is not well-formed XML or
 * when its root element is not `expectedRoot`.
 */
export function parseXml(text: string, file: string, expectedRoot: string): XmlDocument {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const check = XMLValidator.validate(body);
  if (check !== true) {
    const { msg, line, col } = check.err;
    // elements still open at the end of the text: fast-xml-parser says "Invalid '[ ...names ]' found." at line 1
    const open = /^Invalid '(\[[\s\S]*\])' found\.?$/.exec(msg);
    if (open) {
      let names: string[] = [];
      try {
        names = (JSON.parse(open[1]!) as unknown[]).map(String);
      } catch {
        names = [];
      }
      const lastLine = body.split('\n').length;
      throw new XvaInputError([
        {
          file,
          row: lastLine,
          value: `the text ends inside ${names.length > 0 ? names.map((n) => `<${n}>`).join(' › ') : 'open elements'}`,
          expected: 'well-formed XML with every element closed (the file looks truncated: was it copied or written completely?)',
        },
      ]);
    }
    throw new XvaInputError([
      { file, row: line, value: msg, expected: `well-formed XML (the parser stopped at line ${line}${col === undefined ? '' : `, column ${col}`})` },
    ]);
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    captureMetaData: true,
  });
  const tree = parser.parse(body) as Record<string, XmlValue>;
  const roots = Object.keys(tree).filter((k) => !k.startsWith('?') && !k.startsWith('#'));
  const rootName = roots[0];
  if (rootName !== expectedRoot) {
    throw new XvaInputError([
      {
        file,
        value: rootName === undefined ? 'no root element' : `root element <${rootName}>`,
        expected: `an ORE file whose root element is <${expectedRoot}>`,
      },
    ]);
  }
  const root = tree[rootName];
  return new XmlDocument(file, isNode(root) ? root : {}, rootName, body);
}

export function isNode(value: XmlValue | undefined): value is XmlNode {
  return value !== undefined && typeof value === 'object' && !Array.isArray(value);
}

/** All child elements with a tag name, as nodes (a text-only child becomes `{ '#text': value }`). */
export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  if (node === undefined) return [];
  const value = node[name];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (isNode(v) ? v : { '#text': typeof v === 'string' ? v : '' }));
}

/** The first child element with a tag name. */
export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return children(node, name)[0];
}

/** Trimmed text of an element (its own text, not its children's); '' for an empty element. */
export function textOf(node: XmlNode | undefined): string {
  if (node === undefined) return '';
  const t = node['#text'];
  return typeof t === 'string' ? t.trim() : '';
}

/** Trimmed text of the first child with a tag name; undefined when the child is absent or empty. */
export function text(node: XmlNode | undefined, name: string): string | undefined {
  const c = child(node, name);
  if (c === undefined) return undefined;
  const t = textOf(c);
  return t === '' ? undefined : t;
}

/** Text of every child with a tag name (empty ones dropped), e.g. all `<Notional>` values. */
export function texts(node: XmlNode | undefined, name: string): string[] {
  return children(node, name)
    .map(textOf)
    .filter((t) => t !== '');
}

/** An attribute's value, e.g. `attribute(trade, 'id')`. */
export function attribute(node: XmlNode | undefined, name: string): string | undefined {
  const v = node?.[`@_${name}`];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** Names of the child elements present, for messages ("found: SwapData, Envelope"). */
export function childNames(node: XmlNode | undefined): string[] {
  if (node === undefined) return [];
  return Object.keys(node).filter((k) => !k.startsWith('@_') && k !== '#text');
}
