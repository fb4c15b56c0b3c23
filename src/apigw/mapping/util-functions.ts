/**
 * The string functions behind `$util`, with the Java semantics API Gateway inherits:
 * Commons Lang StringEscapeUtils.escapeJavaScript, java.net.URLEncoder / URLDecoder (UTF-8,
 * application/x-www-form-urlencoded) and Base64 over UTF-8. AWS docs: "API Gateway mapping template
 * and access logging variable reference", $util variables.
 */

/** StringEscapeUtils.escapeJavaScript (Commons Lang 2): `"` `'` `\` `/` escaped, controls as \b \t \n \f \r or \u00XX, non-ASCII as \uXXXX. */
export function escapeJavaScript(s: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | null = null;
    if (c > 0x7f) rep = '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
    else if (c < 0x20) {
      switch (c) {
        case 8:
          rep = '\\b';
          break;
        case 9:
          rep = '\\t';
          break;
        case 10:
          rep = '\\n';
          break;
        case 12:
          rep = '\\f';
          break;
        case 13:
          rep = '\\r';
          break;
        default:
          rep = '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
      }
    } else if (c === 0x22) rep = '\\"';
    else if (c === 0x27) rep = "\\'";
    else if (c === 0x5c) rep = '\\\\';
    else if (c === 0x2f) rep = '\\/';
    if (rep !== null) {
      out += s.slice(last, i) + rep;
      last = i + 1;
    }
  }
  return last === 0 ? s : out + s.slice(last);
}

const URL_SAFE = /^[A-Za-z0-9.\-*_]*$/;
const encoder = new TextEncoder();

/** URLEncoder.encode(s, "UTF-8"): letters, digits and `.-*_` stay, space becomes `+`, the rest %XX (upper case) of its UTF-8 bytes. */
export function urlEncode(s: string): string {
  if (URL_SAFE.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e || c === 0x2d || c === 0x2a || c === 0x5f) {
      out += s[i];
      continue;
    }
    if (c === 0x20) {
      out += '+';
      continue;
    }
    let chunk = s[i]!;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        chunk += s[i + 1];
        i++;
      } else chunk = '?';
    } else if (c >= 0xd800 && c <= 0xdfff) chunk = '?';
    for (const b of encoder.encode(chunk)) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** URLDecoder.decode(s, "UTF-8"): `+` is a space, %XX sequences are UTF-8 bytes. Throws on a malformed escape, as Java does. */
export function urlDecode(s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s;
  let out = '';
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === '+') {
      out += ' ';
      i++;
    } else if (c === '%') {
      const bytes: number[] = [];
      while (i < s.length && s[i] === '%') {
        const hex = s.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new URIError(`URLDecoder: Illegal hex characters in escape (%) pattern - ${JSON.stringify(hex)}`);
        bytes.push(parseInt(hex, 16));
        i += 3;
      }
      out += Buffer.from(bytes).toString('utf8');
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

export function base64Encode(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

/** Base64 (standard or URL-safe alphabet) to a UTF-8 string. */
export function base64Decode(s: string): string {
  return Buffer.from(s, 'base64').toString('utf8');
}
