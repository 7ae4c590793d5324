/**
 * DNS messages (RFC 1035), with name compression (§4.1.4) on both parse and emit, and the
 * record types a container network uses: A, AAAA (RFC 3596), NS, CNAME, PTR, SRV (RFC 2782),
 * TXT. Any other type (MX, SOA, OPT, …) is carried as raw rdata.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |              ID               |Q| Opcode|A|T|R|R|Z|A|C| RCODE |
 *  |                               |R|       |A|C|D|A| |D|D|       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |            QDCOUNT            |            ANCOUNT            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |            NSCOUNT            |            ARCOUNT            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Question: QNAME (labels or a pointer), QTYPE (16), QCLASS (16) |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | RR: NAME, TYPE (16), CLASS (16), TTL (32), RDLENGTH (16), RDATA|
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *  A name is a sequence of labels <len 0..63><octets>, ended by a zero octet, or by a
 *  pointer: two octets 11PPPPPP PPPPPPPP giving the offset of an earlier name's suffix.
 *
 * DNS is not on the hot path, so this codec parses straight to a `DnsMessage` value.
 *
 * Heads up: names are strings without the trailing dot ("" is the root), in master-file
 * notation: a label octet that is '.', '\' or not printable ASCII is written "\." "\\" or
 * "\DDD" (decimal), as dig prints it, so any wire name survives parse → emit unchanged.
 * Compression matches names case-sensitively, so a decoded name keeps the case it was sent
 * with. Parsing guards against hostile bytes: every pointer must point strictly before the
 * label run that contains it (RFC 1035: "a prior occurrence"), which rules out loops, and a
 * name follows at most 128 pointers; names are at most 255 octets; counts that promise more records than the bytes hold, and rdata
 * that overruns its RDLENGTH, are WireErrors.
 */
import { WireError } from './wire-error';
import { readU16, readU32, writeU16, writeU32 } from './bytes';
import type { Ipv4 } from './ipv4-address';
import { assertNever } from './assert-never';

/** Record types with a name; any other value passes through as a number. */
export const DnsType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  /** RFC 6891 EDNS(0) pseudo-record (carried raw). */
  OPT: 41,
  /** QTYPE * (RFC 1035 §3.2.3). */
  ANY: 255,
} as const;

export const DnsClass = {
  IN: 1,
  CH: 3,
  HS: 4,
  ANY: 255,
} as const;

/** Response codes (RFC 1035 §4.1.1). */
export const DnsRcode = {
  NoError: 0,
  FormErr: 1,
  ServFail: 2,
  NXDomain: 3,
  NotImp: 4,
  Refused: 5,
} as const;

export const DnsOpcode = {
  Query: 0,
  IQuery: 1,
  Status: 2,
  Notify: 4,
  Update: 5,
} as const;

export const DNS_PORT = 53;
export const DNS_HEADER_LEN = 12;
/** RFC 1035 §2.3.4: labels are 63 octets or less, names 255 octets or less (wire form). */
export const DNS_MAX_LABEL_LEN = 63;
export const DNS_MAX_NAME_LEN = 255;
/** A compression pointer has 14 bits of offset. */
const MAX_POINTER_TARGET = 0x3fff;
/**
 * Pointers followed while reading one name. A 255-octet name has at most 127 labels, so a
 * longer chain only makes work: without a cap, a 64 KiB message of pointers to pointers would
 * cost O(n²) to parse.
 */
const MAX_POINTER_HOPS = 128;

const F = {
  ID: 0,
  FLAGS: 2,
  QDCOUNT: 4,
  ANCOUNT: 6,
  NSCOUNT: 8,
  ARCOUNT: 10,
  BODY: 12,
} as const;

const FLAG = {
  QR: 0x8000,
  AA: 0x0400,
  TC: 0x0200,
  RD: 0x0100,
  RA: 0x0080,
  AD: 0x0020,
  CD: 0x0010,
} as const;

export interface DnsQuestion {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

export type DnsRdata =
  | { readonly kind: 'A'; readonly address: Ipv4 }
  | { readonly kind: 'AAAA'; readonly address: Uint8Array }
  | { readonly kind: 'PTR' | 'CNAME' | 'NS'; readonly name: string }
  | { readonly kind: 'SRV'; readonly priority: number; readonly weight: number; readonly port: number; readonly target: string }
  | { readonly kind: 'TXT'; readonly strings: readonly string[] }
  | { readonly kind: 'raw'; readonly rdata: Uint8Array };

export interface DnsRecord {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  /** Seconds (unsigned 32-bit). */
  readonly ttl: number;
  readonly data: DnsRdata;
}

export interface DnsMessage {
  readonly id: number;
  /** true for a response. */
  readonly qr: boolean;
  readonly opcode: number;
  /** Authoritative answer. */
  readonly aa: boolean;
  /** Truncated. */
  readonly tc: boolean;
  /** Recursion desired. */
  readonly rd: boolean;
  /** Recursion available. */
  readonly ra: boolean;
  /** RFC 4035 authentic data; present after parse only when set. */
  readonly ad?: boolean;
  /** RFC 4035 checking disabled; present after parse only when set. */
  readonly cd?: boolean;
  readonly rcode: number;
  readonly questions: readonly DnsQuestion[];
  readonly answers: readonly DnsRecord[];
  readonly authorities: readonly DnsRecord[];
  readonly additionals: readonly DnsRecord[];
}

// ---------------------------------------------------------------------------------------------
// Names: wire labels ⇄ master-file text.

function isPlainLabelOctet(c: number): boolean {
  return c > 0x20 && c < 0x7f && c !== 0x2e /* . */ && c !== 0x5c /* \ */;
}

function formatLabel(b: Uint8Array, start: number, len: number): string {
  let s = '';
  for (let i = start; i < start + len; i++) {
    const c = b[i]!;
    if (isPlainLabelOctet(c)) s += String.fromCharCode(c);
    else if (c === 0x2e || c === 0x5c) s += '\\' + String.fromCharCode(c);
    else s += '\\' + String(c).padStart(3, '0');
  }
  return s;
}

const utf8 = new TextEncoder();

/** The wire labels of a text name ("" and "." are the root; one trailing dot is allowed). */
function encodeName(name: string): Uint8Array[] {
  if (name === '' || name === '.') return [];
  const labels: Uint8Array[] = [];
  let current: number[] = [];
  let total = 1; // the root's zero octet
  const endLabel = (): void => {
    if (current.length === 0) throw new WireError('dns', 'empty label');
    if (current.length > DNS_MAX_LABEL_LEN) throw new WireError('dns', 'label longer than 63 octets');
    total += current.length + 1;
    labels.push(Uint8Array.from(current));
    current = [];
  };
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    if (ch === '.') {
      endLabel();
      if (i === name.length - 1) break; // "example.com." – the trailing dot of an absolute name
    } else if (ch === '\\') {
      const digits = /^\d{3}/.exec(name.slice(i + 1, i + 4));
      if (digits) {
        const v = Number(digits[0]);
        if (v > 255) throw new WireError('dns', 'bad escape in name');
        current.push(v);
        i += 3;
      } else if (i + 1 < name.length) {
        current.push(...utf8.encode(name[i + 1]!));
        i += 1;
      } else {
        throw new WireError('dns', 'bad escape in name');
      }
    } else {
      const code = ch.charCodeAt(0);
      if (code < 0x80) current.push(code);
      else {
        // A non-ASCII character (a surrogate pair counts as one): its UTF-8 octets.
        const cp = name.codePointAt(i)!;
        const chars = String.fromCodePoint(cp);
        current.push(...utf8.encode(chars));
        i += chars.length - 1;
      }
    }
    if (i === name.length - 1) endLabel();
  }
  if (total > DNS_MAX_NAME_LEN) throw new WireError('dns', 'name longer than 255 octets');
  return labels;
}

/**
 * Reads the name at `start`; returns it and the offset just after its in-place part (after
 * the zero octet or the first pointer).
 */
function readName(b: Uint8Array, start: number): { name: string; end: number } {
  let p = start;
  let end = -1;
  // Pointers must point strictly before the start of the run of labels they end.
  let runStart = start;
  let wireLength = 1; // the root's zero octet
  let hops = 0;
  let name = '';
  for (;;) {
    if (p >= b.length) throw new WireError('dns', 'truncated');
    const len = b[p]!;
    if (len === 0) {
      if (end < 0) end = p + 1;
      return { name, end };
    }
    switch (len & 0xc0) {
      case 0x00: {
        if (p + 1 + len > b.length) throw new WireError('dns', 'truncated');
        wireLength += len + 1;
        if (wireLength > DNS_MAX_NAME_LEN) throw new WireError('dns', 'name longer than 255 octets');
        name += (name === '' ? '' : '.') + formatLabel(b, p + 1, len);
        p += 1 + len;
        break;
      }
      case 0xc0: {
        if (p + 1 >= b.length) throw new WireError('dns', 'truncated');
        const target = ((len & 0x3f) << 8) | b[p + 1]!;
        if (end < 0) end = p + 2;
        if (target >= b.length) throw new WireError('dns', 'compression pointer out of range');
        if (target >= runStart) {
          throw new WireError('dns', target > p ? 'compression pointer forward' : 'compression pointer loop');
        }
        if (++hops > MAX_POINTER_HOPS) throw new WireError('dns', 'too many compression pointers');
        runStart = target;
        p = target;
        break;
      }
      default:
        // 01xxxxxx (RFC 6891 extended label types) and 10xxxxxx are not names we can read.
        throw new WireError('dns', 'unsupported label type');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Parse.

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function readRdata(b: Uint8Array, type: number, klass: number, start: number, end: number): DnsRdata {
  const length = end - start;
  const nameFilling = (what: string): string => {
    const r = readName(b, start);
    if (r.end !== end) throw new WireError('dns', `${what} rdata length mismatch`);
    return r.name;
  };
  switch (type) {
    case DnsType.A:
      if (klass !== DnsClass.IN) break;
      if (length !== 4) throw new WireError('dns', 'A rdata not 4 octets');
      return { kind: 'A', address: readU32(b, start) };
    case DnsType.AAAA:
      if (klass !== DnsClass.IN) break;
      if (length !== 16) throw new WireError('dns', 'AAAA rdata not 16 octets');
      return { kind: 'AAAA', address: b.slice(start, end) };
    case DnsType.NS:
      return { kind: 'NS', name: nameFilling('NS') };
    case DnsType.CNAME:
      return { kind: 'CNAME', name: nameFilling('CNAME') };
    case DnsType.PTR:
      return { kind: 'PTR', name: nameFilling('PTR') };
    case DnsType.SRV: {
      if (klass !== DnsClass.IN) break;
      if (length < 7) throw new WireError('dns', 'SRV rdata too short');
      const target = readName(b, start + 6);
      if (target.end !== end) throw new WireError('dns', 'SRV rdata length mismatch');
      return { kind: 'SRV', priority: readU16(b, start), weight: readU16(b, start + 2), port: readU16(b, start + 4), target: target.name };
    }
    case DnsType.TXT: {
      const strings: string[] = [];
      let p = start;
      try {
        while (p < end) {
          const n = b[p]!;
          if (p + 1 + n > end) throw new WireError('dns', 'TXT string overruns rdata');
          strings.push(utf8Strict.decode(b.subarray(p + 1, p + 1 + n)));
          p += 1 + n;
        }
      } catch (e) {
        if (e instanceof WireError) throw e;
        // Not UTF-8: keep the exact octets rather than a lossy string.
        return { kind: 'raw', rdata: b.slice(start, end) };
      }
      return { kind: 'TXT', strings };
    }
    default:
      break;
  }
  return { kind: 'raw', rdata: b.slice(start, end) };
}

/** Parses a DNS message (the UDP payload). Bytes after the last counted record are ignored. */
export function parseDns(b: Uint8Array): DnsMessage {
  if (b.length < DNS_HEADER_LEN) throw new WireError('dns', 'truncated');
  const flags = readU16(b, F.FLAGS);
  let p: number = F.BODY;
  const questions: DnsQuestion[] = [];
  for (let i = readU16(b, F.QDCOUNT); i > 0; i--) {
    const n = readName(b, p);
    if (n.end + 4 > b.length) throw new WireError('dns', 'truncated');
    questions.push({ name: n.name, type: readU16(b, n.end), class: readU16(b, n.end + 2) });
    p = n.end + 4;
  }
  const readRecords = (count: number): DnsRecord[] => {
    const records: DnsRecord[] = [];
    for (let i = count; i > 0; i--) {
      const n = readName(b, p);
      if (n.end + 10 > b.length) throw new WireError('dns', 'truncated');
      const type = readU16(b, n.end);
      const klass = readU16(b, n.end + 2);
      const ttl = readU32(b, n.end + 4);
      const rdStart = n.end + 10;
      const rdEnd = rdStart + readU16(b, n.end + 8);
      if (rdEnd > b.length) throw new WireError('dns', 'record data exceeds message');
      records.push({ name: n.name, type, class: klass, ttl, data: readRdata(b, type, klass, rdStart, rdEnd) });
      p = rdEnd;
    }
    return records;
  };
  const answers = readRecords(readU16(b, F.ANCOUNT));
  const authorities = readRecords(readU16(b, F.NSCOUNT));
  const additionals = readRecords(readU16(b, F.ARCOUNT));
  const message: DnsMessage = {
    id: readU16(b, F.ID),
    qr: (flags & FLAG.QR) !== 0,
    opcode: (flags >>> 11) & 0x0f,
    aa: (flags & FLAG.AA) !== 0,
    tc: (flags & FLAG.TC) !== 0,
    rd: (flags & FLAG.RD) !== 0,
    ra: (flags & FLAG.RA) !== 0,
    rcode: flags & 0x0f,
    questions,
    answers,
    authorities,
    additionals,
  };
  if (flags & (FLAG.AD | FLAG.CD)) {
    return {
      ...message,
      ...((flags & FLAG.AD) !== 0 ? { ad: true } : {}),
      ...((flags & FLAG.CD) !== 0 ? { cd: true } : {}),
    };
  }
  return message;
}

// ---------------------------------------------------------------------------------------------
// Emit.

/** A growing buffer that remembers where each name suffix was written, for compression. */
class DnsWriter {
  #buf = new Uint8Array(512);
  #length = 0;
  /** Wire form of a suffix (as a latin1 string) → its offset. */
  readonly #suffixes = new Map<string, number>();
  readonly #compression: boolean;

  constructor(compression = true) {
    this.#compression = compression;
  }

  get length(): number { return this.#length; }

  #reserve(n: number): number {
    const at = this.#length;
    if (at + n > this.#buf.length) {
      const grown = new Uint8Array(Math.max(this.#buf.length * 2, at + n));
      grown.set(this.#buf.subarray(0, at));
      this.#buf = grown;
    }
    this.#length = at + n;
    return at;
  }
  // Reserve first, then read #buf: reserving may replace the buffer.
  u8(v: number): void { const at = this.#reserve(1); this.#buf[at] = v; }
  u16(v: number): void { const at = this.#reserve(2); writeU16(this.#buf, at, v); }
  u32(v: number): void { const at = this.#reserve(4); writeU32(this.#buf, at, v); }
  bytes(v: Uint8Array): void { const at = this.#reserve(v.length); this.#buf.set(v, at); }
  patchU16(at: number, v: number): void { writeU16(this.#buf, at, v); }

  /** Writes a name; with `compress` (and compression on), ends it with a pointer to the longest suffix already written. */
  name(text: string, compressThis: boolean): void {
    const compress = compressThis && this.#compression;
    const labels = encodeName(text);
    const keys: string[] = [];
    let key = '';
    for (let i = labels.length - 1; i >= 0; i--) {
      key = String.fromCharCode(labels[i]!.length, ...labels[i]!) + key;
      keys[i] = key;
    }
    for (let i = 0; i < labels.length; i++) {
      if (compress) {
        const at = this.#suffixes.get(keys[i]!);
        if (at !== undefined) {
          this.u16(0xc000 | at);
          return;
        }
      }
      if (this.#length <= MAX_POINTER_TARGET && !this.#suffixes.has(keys[i]!)) this.#suffixes.set(keys[i]!, this.#length);
      this.u8(labels[i]!.length);
      this.bytes(labels[i]!);
    }
    this.u8(0);
  }

  result(): Uint8Array { return this.#buf.slice(0, this.#length); }
}

function writeRdata(w: DnsWriter, d: DnsRdata): void {
  switch (d.kind) {
    case 'A':
      w.u32(d.address);
      return;
    case 'AAAA':
      if (d.address.length !== 16) throw new WireError('dns', 'AAAA address not 16 octets');
      w.bytes(d.address);
      return;
    case 'PTR':
    case 'CNAME':
    case 'NS':
      // RFC 3597 §4: compression is allowed in the rdata of the RFC 1035 types.
      w.name(d.name, true);
      return;
    case 'SRV':
      w.u16(d.priority);
      w.u16(d.weight);
      w.u16(d.port);
      // RFC 2782: "name compression is not to be used for this field".
      w.name(d.target, false);
      return;
    case 'TXT':
      for (const s of d.strings) {
        const octets = utf8.encode(s);
        if (octets.length > 255) throw new WireError('dns', 'TXT string longer than 255 octets');
        w.u8(octets.length);
        w.bytes(octets);
      }
      return;
    case 'raw':
      w.bytes(d.rdata);
      return;
    default:
      assertNever(d, 'DNS rdata');
  }
}

/** Options of `emitDns`. */
export interface DnsEmitOptions {
  /**
   * Compress names (default true). Some servers send every name in full: miekg/dns packs a
   * message uncompressed unless its `Compress` flag is set (Docker's embedded DNS server's own
   * answers).
   */
  readonly compress?: boolean;
}

/** Encodes a message, compressing owner names and the names in NS/CNAME/PTR rdata (unless told not to). */
export function emitDns(m: DnsMessage, opts: DnsEmitOptions = {}): Uint8Array {
  const w = new DnsWriter(opts.compress ?? true);
  w.u16(m.id);
  w.u16((m.qr ? FLAG.QR : 0) | ((m.opcode & 0x0f) << 11) | (m.aa ? FLAG.AA : 0) | (m.tc ? FLAG.TC : 0)
    | (m.rd ? FLAG.RD : 0) | (m.ra ? FLAG.RA : 0) | (m.ad ? FLAG.AD : 0) | (m.cd ? FLAG.CD : 0) | (m.rcode & 0x0f));
  for (const count of [m.questions.length, m.answers.length, m.authorities.length, m.additionals.length]) {
    if (count > 0xffff) throw new WireError('dns', 'more than 65535 entries in a section');
    w.u16(count);
  }
  for (const q of m.questions) {
    w.name(q.name, true);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const r of [...m.answers, ...m.authorities, ...m.additionals]) {
    w.name(r.name, true);
    w.u16(r.type);
    w.u16(r.class);
    w.u32(r.ttl);
    const lengthAt = w.length;
    w.u16(0);
    writeRdata(w, r.data);
    const rdLength = w.length - lengthAt - 2;
    if (rdLength > 0xffff) throw new WireError('dns', 'rdata longer than 65535 octets');
    w.patchU16(lengthAt, rdLength);
  }
  if (w.length > 0xffff) throw new WireError('dns', 'message longer than 65535 octets');
  return w.result();
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/** RFC 1035 §3.5: the PTR owner name of an address, e.g. 10.0.0.3 → "3.0.0.10.in-addr.arpa". */
export function reverseNameOf(ip: Ipv4): string {
  return `${ip & 0xff}.${(ip >>> 8) & 0xff}.${(ip >>> 16) & 0xff}.${ip >>> 24}.in-addr.arpa`;
}

/** The address of a full reverse name ("3.0.0.10.in-addr.arpa", any case, optional dot), else undefined. */
export function ipv4OfReverseName(name: string): Ipv4 | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa\.?$/i.exec(name);
  if (!m) return undefined;
  const octets = [m[4], m[3], m[2], m[1]].map(Number);
  if (octets.some((o) => o > 255 || Number.isNaN(o))) return undefined;
  return ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
}

const TYPE_NAMES = new Map<number, string>(Object.entries(DnsType).map(([k, v]) => [v, k]));
/** "A", "AAAA", … or RFC 3597's "TYPE123" for the others. */
export function dnsTypeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `TYPE${type}`;
}

const RCODE_NAMES = new Map<number, string>(Object.entries(DnsRcode).map(([k, v]) => [v, k.toUpperCase()]));
/** "NOERROR", "NXDOMAIN", … as dig prints them, or "RCODE12". */
export function dnsRcodeName(rcode: number): string {
  return RCODE_NAMES.get(rcode) ?? `RCODE${rcode}`;
}
