/**
 * The XML of S3's REST protocol: writing response documents and reading the few request bodies
 * S3 takes (CreateBucketConfiguration, Delete, CompleteMultipartUpload). A small strict reader:
 * elements, text, CDATA and the predefined and numeric entities; DOCTYPEs are refused.
 * AWS docs: Amazon S3 API Reference "REST API" (RESTAPI.html), Smithy "restXml protocol".
 */
import { malformedXml } from '../errors.js';

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

export function escapeXml(text: string): string {
  return /[&<>"'\r]/.test(text) ? text.replace(/[&<>"'\r]/g, (c) => ESCAPES[c]!) : text;
}

/** `<name>value</name>`, or '' when the value is absent (S3 omits absent members). */
export function element(name: string, value: string | number | boolean | null | undefined): string {
  if (value === undefined || value === null) return '';
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** A whole document with the S3 namespace on its root. */
export function document(root: string, body: string): string {
  return `${XML_DECLARATION}<${root} xmlns="${S3_NAMESPACE}">${body}</${root}>`;
}

export interface XmlNode {
  /** Local name (any namespace prefix dropped). */
  name: string;
  children: XmlNode[];
  text: string;
}

export function childNode(node: XmlNode, name: string): XmlNode | undefined {
  return node.children.find((child) => child.name === name);
}

export function childNodes(node: XmlNode, name: string): XmlNode[] {
  return node.children.filter((child) => child.name === name);
}

export function childText(node: XmlNode, name: string): string | undefined {
  return childNode(node, name)?.text;
}

/** Parses a document; MalformedXML on anything not well-formed. */
export function parseXml(source: string): XmlNode {
  try {
    return new Reader(source).document();
  } catch (error) {
    // A numeric entity beyond Unicode surfaces as a RangeError.
    if (error instanceof RangeError) throw malformedXml();
    throw error;
  }
}

const NAME_CHAR = /[A-Za-z0-9_:.\-\u00b7-\uffff]/;

class Reader {
  #pos = 0;
  constructor(readonly source: string) {}

  document(): XmlNode {
    this.#misc();
    if (this.source[this.#pos] !== '<') throw malformedXml();
    const root = this.#element();
    this.#misc();
    if (this.#pos !== this.source.length) throw malformedXml();
    return root;
  }

  /** Whitespace, the XML declaration, processing instructions and comments between elements. */
  #misc(): void {
    const s = this.source;
    for (;;) {
      while (this.#pos < s.length && /\s/.test(s[this.#pos]!)) this.#pos++;
      if (s.startsWith('<?', this.#pos)) this.#skipPast('?>');
      else if (s.startsWith('<!--', this.#pos)) this.#skipPast('-->');
      else if (s.startsWith('<!', this.#pos) && !s.startsWith('<![CDATA[', this.#pos)) throw malformedXml();
      else return;
    }
  }

  #skipPast(end: string): void {
    const at = this.source.indexOf(end, this.#pos);
    if (at === -1) throw malformedXml();
    this.#pos = at + end.length;
  }

  #name(): string {
    const s = this.source;
    const start = this.#pos;
    while (this.#pos < s.length && NAME_CHAR.test(s[this.#pos]!)) this.#pos++;
    if (this.#pos === start) throw malformedXml();
    return s.slice(start, this.#pos);
  }

  #element(): XmlNode {
    const s = this.source;
    this.#pos++; // '<'
    const qname = this.#name();
    const node: XmlNode = { name: qname.slice(qname.indexOf(':') + 1), children: [], text: '' };
    // Attributes (namespace declarations mostly) are read and dropped.
    for (;;) {
      while (/\s/.test(s[this.#pos] ?? '')) this.#pos++;
      const c = s[this.#pos];
      if (c === '/') {
        if (s[this.#pos + 1] !== '>') throw malformedXml();
        this.#pos += 2;
        return node;
      }
      if (c === '>') {
        this.#pos++;
        break;
      }
      if (c === undefined) throw malformedXml();
      this.#name();
      while (/\s/.test(s[this.#pos] ?? '')) this.#pos++;
      if (s[this.#pos] !== '=') throw malformedXml();
      this.#pos++;
      while (/\s/.test(s[this.#pos] ?? '')) this.#pos++;
      const quote = s[this.#pos];
      if (quote !== '"' && quote !== "'") throw malformedXml();
      const end = s.indexOf(quote, this.#pos + 1);
      if (end === -1) throw malformedXml();
      this.#pos = end + 1;
    }
    let text = '';
    for (;;) {
      if (this.#pos >= s.length) throw malformedXml();
      if (s.startsWith('</', this.#pos)) {
        this.#pos += 2;
        if (this.#name() !== qname) throw malformedXml();
        while (/\s/.test(s[this.#pos] ?? '')) this.#pos++;
        if (s[this.#pos] !== '>') throw malformedXml();
        this.#pos++;
        node.text = text;
        return node;
      }
      if (s.startsWith('<![CDATA[', this.#pos)) {
        const end = s.indexOf(']]>', this.#pos);
        if (end === -1) throw malformedXml();
        text += s.slice(this.#pos + 9, end);
        this.#pos = end + 3;
      } else if (s.startsWith('<!--', this.#pos) || s.startsWith('<?', this.#pos)) {
        this.#misc();
      } else if (s[this.#pos] === '<') {
        node.children.push(this.#element());
      } else {
        const next = s.indexOf('<', this.#pos);
        if (next === -1) throw malformedXml();
        text += decodeEntities(s.slice(this.#pos, next));
        this.#pos = next;
      }
    }
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);|&/g, (_match, entity: string | undefined) => {
    if (entity === undefined) throw malformedXml();
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    const value = ENTITIES[entity];
    if (value === undefined) throw malformedXml();
    return value;
  });
}
