/**
 * DNS records as the tools print them, and the byte-level helpers that need the whole message
 * (names inside MX and SOA rdata may be compressed against it; the wire codec keeps those two
 * types as raw rdata).
 *
 * `masterRecordText` follows BIND's dns_master_style_debug, which dig uses: the owner name,
 * then the TTL, class, type and rdata each starting at the next column of 24, 32, 40, 48 (tab
 * stops every 8 columns; a field that reaches its column is followed by one space instead).
 */
import { DnsClass, dnsTypeName, formatIpv4, type DnsRecord } from '../../wire';
import { formatIpv6 } from '../resolver';

/** Where every record's rdata starts in `b` (answers, then authorities, then additionals). */
export function recordRdataOffsets(b: Uint8Array): number[] {
  const skipName = (p: number): number => {
    for (;;) {
      const len = b[p];
      if (len === undefined) return b.length;
      if (len === 0) return p + 1;
      if ((len & 0xc0) === 0xc0) return p + 2;
      p += 1 + len;
    }
  };
  let p = 12;
  for (let q = (b[4]! << 8) | b[5]!; q > 0; q--) p = skipName(p) + 4;
  const offsets: number[] = [];
  const records = ((b[6]! << 8) | b[7]!) + ((b[8]! << 8) | b[9]!) + ((b[10]! << 8) | b[11]!);
  for (let a = records; a > 0 && p < b.length; a--) {
    p = skipName(p);
    const rdlength = ((b[p + 8] ?? 0) << 8) | (b[p + 9] ?? 0);
    offsets.push(p + 10);
    p += 10 + rdlength;
  }
  return offsets;
}

/** The RDLENGTH of the record whose rdata starts at `at`. */
export function rdataLengthAt(b: Uint8Array, at: number): number {
  return (b[at - 2]! << 8) | b[at - 1]!;
}

function isPlain(c: number): boolean {
  return c > 0x20 && c < 0x7f && c !== 0x2e && c !== 0x5c && c !== 0x22 && c !== 0x28 && c !== 0x29
    && c !== 0x3b && c !== 0x40 && c !== 0x24;
}

function labelText(b: Uint8Array): string {
  let s = '';
  for (const c of b) {
    if (isPlain(c)) s += String.fromCharCode(c);
    else if (c > 0x20 && c < 0x7f) s += `\\${String.fromCharCode(c)}`;
    else s += `\\${String(c).padStart(3, '0')}`;
  }
  return s;
}

/** A (possibly compressed) name at `at` of `b`, in master-file text without the final dot. */
export function readWireName(b: Uint8Array, at: number): { name: string; end: number } | undefined {
  const labels: string[] = [];
  let p = at;
  let end = -1;
  for (let hops = 0; hops < 128; hops++) {
    const len = b[p];
    if (len === undefined) return undefined;
    if (len === 0) return { name: labels.join('.'), end: end < 0 ? p + 1 : end };
    if ((len & 0xc0) === 0xc0) {
      if (p + 1 >= b.length) return undefined;
      if (end < 0) end = p + 2;
      p = ((len & 0x3f) << 8) | b[p + 1]!;
      continue;
    }
    if ((len & 0xc0) !== 0 || p + 1 + len > b.length) return undefined;
    labels.push(labelText(b.subarray(p + 1, p + 1 + len)));
    p += 1 + len;
  }
  return undefined;
}

/** An absolute name as dig prints it: "c2.", and the root as ".". */
export function absoluteName(name: string): string {
  return name === '' ? '.' : `${name}.`;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** A TXT character-string as BIND quotes it. */
function quoted(bytes: Uint8Array): string {
  let s = '"';
  for (const c of bytes) {
    if (c === 0x22 || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\${String(c).padStart(3, '0')}`;
  }
  return `${s}"`;
}

const utf8 = new TextEncoder();

/** The rdata of `rr` in presentation format (dig's), reading compressed names from `message` at `at`. */
export function rdataText(rr: DnsRecord, message: Uint8Array, at: number): string {
  const d = rr.data;
  switch (d.kind) {
    case 'A':
      return formatIpv4(d.address);
    case 'AAAA':
      return formatIpv6(d.address);
    case 'NS':
    case 'CNAME':
    case 'PTR':
      return absoluteName(d.name);
    case 'SRV':
      return `${d.priority} ${d.weight} ${d.port} ${absoluteName(d.target)}`;
    case 'TXT':
      return d.strings.map((s) => quoted(utf8.encode(s))).join(' ');
    case 'raw':
      break;
    default:
      break;
  }
  const raw = d.kind === 'raw' ? d.rdata : new Uint8Array(0);
  if (rr.type === 15 && raw.length >= 3) { // MX
    const exchange = readWireName(message, at + 2);
    if (exchange !== undefined) return `${(raw[0]! << 8) | raw[1]!} ${absoluteName(exchange.name)}`;
  }
  if (rr.type === 6 && raw.length >= 22) { // SOA
    const mname = readWireName(message, at);
    const rname = mname && readWireName(message, mname.end);
    if (mname && rname && rname.end + 20 <= message.length) {
      const p = rname.end;
      return `${absoluteName(mname.name)} ${absoluteName(rname.name)} ${u32(message, p)} ${u32(message, p + 4)} `
        + `${u32(message, p + 8)} ${u32(message, p + 12)} ${u32(message, p + 16)}`;
    }
  }
  if (rr.type === 16) return splitStrings(raw).map(quoted).join(' '); // TXT that is not UTF-8
  // RFC 3597's generic form.
  let hex = '';
  for (const c of raw) hex += c.toString(16).toUpperCase().padStart(2, '0');
  return raw.length === 0 ? '\\# 0' : `\\# ${raw.length} ${hex}`;
}

function splitStrings(raw: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let p = 0; p < raw.length;) {
    const n = raw[p]!;
    out.push(raw.subarray(p + 1, p + 1 + n));
    p += 1 + n;
  }
  return out;
}

/** BIND's indent(): from column `from` to at least one past it, by tabs when a tab stop is crossed. */
function pad(from: number, to: number): { text: string; column: number } {
  const target = Math.max(to, from + 1);
  const tabs = Math.floor(target / 8) - Math.floor(from / 8);
  if (tabs > 0) return { text: '\t'.repeat(tabs) + ' '.repeat(target % 8), column: target };
  return { text: ' '.repeat(target - from), column: target };
}

/** Column stops of dns_master_style_debug. */
export const DIG_COLUMNS = { ttl: 24, class: 32, type: 40, rdata: 48 };

function className(c: number): string {
  switch (c) {
    case DnsClass.IN: return 'IN';
    case DnsClass.CH: return 'CH';
    case DnsClass.HS: return 'HS';
    case DnsClass.ANY: return 'ANY';
    default: return `CLASS${c}`;
  }
}

/** Lays out fields at the dig columns: [text, column] pairs after the first field. */
function layout(first: string, fields: readonly (readonly [string, number])[]): string {
  let s = first;
  let col = first.length;
  for (const [text, column] of fields) {
    const p = pad(col, column);
    s += p.text + text;
    col = p.column + text.length;
  }
  return s;
}

export interface RecordTextOptions {
  /** +[no]ttlid. */
  readonly ttl: boolean;
  /** +[no]class. */
  readonly class: boolean;
}

/** One resource record line (without newline). */
export function masterRecordText(rr: DnsRecord, message: Uint8Array, at: number, opts: RecordTextOptions): string {
  const fields: [string, number][] = [];
  if (opts.ttl) fields.push([String(rr.ttl), DIG_COLUMNS.ttl]);
  if (opts.class) fields.push([className(rr.class), DIG_COLUMNS.class]);
  fields.push([dnsTypeName(rr.type), DIG_COLUMNS.type]);
  fields.push([rdataText(rr, message, at), DIG_COLUMNS.rdata]);
  return layout(absoluteName(rr.name), fields);
}

/** A question line: ";NAME" then class and type. */
export function masterQuestionText(name: string, type: number, klass: number, opts: RecordTextOptions): string {
  const fields: [string, number][] = [];
  if (opts.class) fields.push([className(klass), DIG_COLUMNS.class]);
  fields.push([dnsTypeName(type), DIG_COLUMNS.type]);
  return layout(`;${absoluteName(name)}`, fields);
}
