/**
 * IPv4 addresses are unsigned 32-bit integers inside cnmlab and dotted quads at the edges.
 * Prefixes ("CIDR") are { addr, len } with helpers for masks, containment and iteration.
 */
export type Ipv4 = number;

export const IPV4_ANY: Ipv4 = 0;
export const IPV4_BROADCAST: Ipv4 = 0xffff_ffff;

export function parseIpv4(text: string): Ipv4 {
  const parts = text.trim().split('.');
  if (parts.length !== 4) throw new Error(`invalid IPv4 address: ${text}`);
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) throw new Error(`invalid IPv4 address: ${text}`);
    const n = Number(p);
    if (n > 255) throw new Error(`invalid IPv4 address: ${text}`);
    v = v * 256 + n;
  }
  return v >>> 0;
}
export function tryParseIpv4(text: string): Ipv4 | undefined {
  try { return parseIpv4(text); } catch { return undefined; }
}
export function formatIpv4(ip: Ipv4): string {
  return `${ip >>> 24}.${(ip >>> 16) & 0xff}.${(ip >>> 8) & 0xff}.${ip & 0xff}`;
}
/** The netmask of a prefix length, e.g. 24 → 0xffffff00. */
export function prefixMask(len: number): number {
  return len === 0 ? 0 : (0xffff_ffff << (32 - len)) >>> 0;
}
export function isMulticastIpv4(ip: Ipv4): boolean {
  return ip >>> 28 === 0xe;
}
export function isLoopbackIpv4(ip: Ipv4): boolean {
  return ip >>> 24 === 127;
}

/** An IPv4 prefix. `addr` may carry host bits (an interface address "10.0.0.2/24"). */
export interface Ipv4Prefix {
  readonly addr: Ipv4;
  readonly len: number;
}
/** Parses "10.0.0.0/24" (or a bare address as /32). Throws on anything else. */
export function parseCidr(text: string): Ipv4Prefix {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text.trim());
  const addr = parseIpv4(m ? m[1]! : text);
  const len = m ? Number(m[2]) : 32;
  if (len > 32) throw new Error(`invalid CIDR address: ${text}`);
  return { addr, len };
}
export function formatCidr(p: Ipv4Prefix): string {
  return `${formatIpv4(p.addr)}/${p.len}`;
}
export function networkOf(p: Ipv4Prefix): Ipv4 {
  return (p.addr & prefixMask(p.len)) >>> 0;
}
export function broadcastOf(p: Ipv4Prefix): Ipv4 {
  return (networkOf(p) | ~prefixMask(p.len)) >>> 0;
}
export function prefixContains(p: Ipv4Prefix, ip: Ipv4): boolean {
  return ((ip & prefixMask(p.len)) >>> 0) === networkOf(p);
}
/** True when the two prefixes share any address. */
export function prefixesOverlap(a: Ipv4Prefix, b: Ipv4Prefix): boolean {
  const len = Math.min(a.len, b.len);
  const m = prefixMask(len);
  return ((a.addr & m) >>> 0) === ((b.addr & m) >>> 0);
}
/** Number of addresses in the prefix (2^(32-len)). */
export function prefixSize(p: Ipv4Prefix): number {
  return 2 ** (32 - p.len);
}
