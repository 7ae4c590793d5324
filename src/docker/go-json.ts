/**
 * JSON written the way Go's encoding/json writes it, byte for byte:
 *
 * - struct fields in declaration order (GoStruct keeps the order it is given; omitted fields
 *   are simply left out by the caller, as `omitempty` does);
 * - map keys sorted (GoMap), a nil map as `null`;
 * - strings escaped as json.Encoder with SetEscapeHTML(false) escapes them (the daemon's
 *   httputils.WriteJSON): `"` and `\` escaped, \n \r \t, other control characters as \u00XX,
 *   U+2028/U+2029 as \u2028/\u2029; `<`, `>`, `&` left alone;
 * - indentation as json.Indent(dst, compact, prefix, indent) lays it out: one element per line,
 *   `": "` after keys, and empty objects/arrays kept as `{}` / `[]`.
 */

export type GoJson = null | boolean | number | string | readonly GoJson[] | GoStruct | GoMap;

/** A Go struct: fields in order. */
export class GoStruct {
  readonly fields: readonly (readonly [string, GoJson])[];
  constructor(fields: readonly (readonly [string, GoJson])[]) {
    this.fields = fields;
  }
}

/** A Go map[string]T: encoded with its keys sorted. */
export class GoMap {
  readonly entries: ReadonlyMap<string, GoJson>;
  constructor(entries: ReadonlyMap<string, GoJson> | Readonly<Record<string, GoJson>>) {
    this.entries = entries instanceof Map ? entries : new Map(Object.entries(entries));
  }
}

/** A map[string]string, or null for a nil map. */
export function goStringMap(m: Readonly<Record<string, string>> | null | undefined): GoMap | null {
  return m ? new GoMap(m) : null;
}

function hex4(c: number): string {
  return '\\u' + c.toString(16).padStart(4, '0');
}

/** encodeState.string with escapeHTML=false. */
export function goQuote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20) out += hex4(c);
    else if (c === 0x2028 || c === 0x2029) out += hex4(c);
    else if (c >= 0xd800 && c <= 0xdfff) {
      // A lone surrogate is not valid UTF-8; Go writes U+FFFD for it.
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else {
        out += '\ufffd';
      }
    } else out += s[i]!;
  }
  return out + '"';
}

function sortedEntries(m: GoMap): [string, GoJson][] {
  // sort.Strings: bytewise order of the UTF-8 keys.
  const enc = new TextEncoder();
  return [...m.entries.entries()].sort(([a], [b]) => {
    const ea = enc.encode(a);
    const eb = enc.encode(b);
    for (let i = 0; i < Math.min(ea.length, eb.length); i++) if (ea[i] !== eb[i]) return ea[i]! - eb[i]!;
    return ea.length - eb.length;
  });
}

function scalar(v: null | boolean | number | string): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`json: unsupported value: ${v}`);
    return String(v);
  }
  return goQuote(v);
}

/** json.Marshal: compact. */
export function encodeGoJson(v: GoJson): string {
  if (v === null || typeof v !== 'object') return scalar(v);
  if (v instanceof GoStruct) return '{' + v.fields.map(([k, x]) => `${goQuote(k)}:${encodeGoJson(x)}`).join(',') + '}';
  if (v instanceof GoMap) return '{' + sortedEntries(v).map(([k, x]) => `${goQuote(k)}:${encodeGoJson(x)}`).join(',') + '}';
  return '[' + (v as readonly GoJson[]).map(encodeGoJson).join(',') + ']';
}

/** json.Indent over the compact encoding (equivalently json.MarshalIndent). No trailing newline. */
export function indentGoJson(v: GoJson, indent = '    ', prefix = ''): string {
  const out: string[] = [];
  const write = (x: GoJson, depth: number): void => {
    if (x === null || typeof x !== 'object') {
      out.push(scalar(x));
      return;
    }
    let items: [string | undefined, GoJson][];
    let open: string;
    let close: string;
    if (x instanceof GoStruct) {
      items = x.fields.map(([k, y]) => [k, y]);
      [open, close] = ['{', '}'];
    } else if (x instanceof GoMap) {
      items = sortedEntries(x);
      [open, close] = ['{', '}'];
    } else {
      items = (x as readonly GoJson[]).map((y) => [undefined, y]);
      [open, close] = ['[', ']'];
    }
    if (items.length === 0) {
      out.push(open + close);
      return;
    }
    out.push(open);
    items.forEach(([k, y], i) => {
      out.push('\n' + prefix + indent.repeat(depth + 1));
      if (k !== undefined) out.push(goQuote(k) + ': ');
      write(y, depth + 1);
      if (i < items.length - 1) out.push(',');
    });
    out.push('\n' + prefix + indent.repeat(depth) + close);
  };
  write(v, 0);
  return out.join('');
}
