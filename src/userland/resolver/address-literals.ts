/**
 * Numeric host addresses the way the C library reads and writes them: musl's inet_aton (the
 * classic BSD forms: "10.1" is 10.0.0.1, "0x7f.1" is 127.0.0.1), inet_pton for IPv6 and
 * inet_ntop's RFC 5952 text for IPv6.
 *
 * Heads up: busybox tries inet_aton before any name lookup (libbb's str2sockaddr), so
 * `ping 10.1` pings 10.0.0.1 and never asks DNS; and musl's /etc/hosts parser reads its
 * address column with the same function. cnmlab has no IPv6 data plane, but IPv6 text still
 * shows up (AAAA answers in nslookup and dig, `::1` in /etc/hosts), so it is parsed and printed
 * here as 16 raw bytes.
 */
import type { Ipv4 } from '../../wire';

/** strtoul(s, &z, 0) on a prefix of `s`: returns the value and how many characters it used. */
function strtoulBase0(s: string, start: number): { value: number; end: number } {
  let i = start;
  let base = 10;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && isHexDigit(s[i + 2])) {
    base = 16;
    i += 2;
  } else if (s[i] === '0') {
    base = 8;
  }
  let value = 0;
  const digitsStart = i;
  for (; i < s.length; i++) {
    const d = digitValue(s[i]!);
    if (d < 0 || d >= base) break;
    // Saturate like ULONG_MAX would: anything this large fails the range check anyway.
    value = Math.min(value * base + d, Number.MAX_SAFE_INTEGER);
  }
  return { value, end: i === digitsStart && base !== 8 ? start : i };
}

function isHexDigit(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

function digitValue(c: string): number {
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/**
 * musl's inet_aton: one to four numbers separated by dots, each decimal, octal (leading 0) or
 * hex (0x); the last number fills the remaining bytes. Returns undefined when `text` is not
 * such an address (musl returns 0).
 */
export function inetAton(text: string): Ipv4 | undefined {
  const parts: number[] = [];
  let p = 0;
  for (let i = 0; i < 4; i++) {
    const c = text[p];
    if (c === undefined || c < '0' || c > '9') return undefined;
    const { value, end } = strtoulBase0(text, p);
    if (end === p) return undefined;
    parts.push(value);
    if (end === text.length) break;
    if (text[end] !== '.') return undefined;
    p = end + 1;
    if (i === 3) return undefined; // a fifth part
  }
  const n = parts.length;
  const bytes = [0, 0, 0, 0];
  const limits = [0, 0xffff_ffff, 0xff_ffff, 0xffff, 0xff];
  for (let i = 0; i < n - 1; i++) {
    if (parts[i]! > 255) return undefined;
    bytes[i] = parts[i]!;
  }
  let last = parts[n - 1]!;
  if (last > limits[n]!) return undefined;
  for (let i = 3; i >= n - 1; i--) {
    bytes[i] = last & 0xff;
    last = Math.floor(last / 256);
  }
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

/** inet_pton(AF_INET): exactly four decimal numbers 0..255 (no leading zeros beyond one digit's worth). */
export function inetPton4(text: string): Ipv4 | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const s = m[i]!;
    if (s.length > 1 && s[0] === '0') return undefined;
    const n = Number(s);
    if (n > 255) return undefined;
    v = v * 256 + n;
  }
  return v >>> 0;
}

/** inet_pton(AF_INET6): 16 bytes, or undefined. Accepts "::" compression and a trailing dotted quad. */
export function inetPton6(text: string): Uint8Array | undefined {
  if (text.length === 0 || text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string, allowV4Tail: boolean): number[] | undefined => {
    if (s === '') return [];
    const groups = s.split(':');
    const out: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (allowV4Tail && i === groups.length - 1 && g.includes('.')) {
        const v4 = inetPton4(g);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const head = parseGroups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1]!, true) : [];
  if (head === undefined || tail === undefined) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >>> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/**
 * inet_ntop(AF_INET6) as musl writes it: eight lowercase hex groups (a v4-mapped address ends
 * in a dotted quad), then the longest run of ":0" characters longer than three, starting at the
 * beginning or at a colon, becomes "::" (the first such run when two are as long).
 */
export function formatIpv6(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError('an IPv6 address is 16 bytes');
  const g = (i: number): string => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16);
  const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  const buf = mapped
    ? `${g(0)}:${g(1)}:${g(2)}:${g(3)}:${g(4)}:${g(5)}:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`
    : [0, 1, 2, 3, 4, 5, 6, 7].map(g).join(':');
  let best = 0;
  let max = 2;
  for (let i = 0; i < buf.length; i++) {
    if (i !== 0 && buf[i] !== ':') continue;
    let j = 0;
    while (i + j < buf.length && (buf[i + j] === ':' || buf[i + j] === '0')) j++;
    if (j > max) {
      best = i;
      max = j;
    }
  }
  if (max > 3) return `${buf.slice(0, best)}::${buf.slice(best + max)}`;
  return buf;
}
