/**
 * Addresses and masks as libxtables reads and writes them:
 *
 * - `parseDottedQuad` is __numeric_to_ipaddr: up to four decimal parts, a shorter one being a
 *   network address completed with zeros ("10" is 10.0.0.0, "172.17" is 172.17.0.0);
 * - `parseAddressList` is xtables_ipparse_multiple: `addr[/mask][,addr[/mask]…]`, the mask a
 *   prefix length or a dotted netmask, each address masked, and a zero mask making the
 *   address 0.0.0.0 ("any/0"). Host names are not resolved here (there is no DNS lookup from
 *   inside the command): a name is "host/network `NAME' not found";
 * - `maskSuffix` is xtables_ipmask_to_numeric (`-L`): nothing for /32, "/N" for a prefix,
 *   "/a.b.c.d" for a non-contiguous mask; `saveMask` is print_ip's (`-S`): "/32" included.
 */
import { formatIpv4, type Ipv4 } from '../../wire';
import { parameterProblem } from './iptables-problem';

export function parseDottedQuad(text: string): Ipv4 | undefined {
  const parts = text.split('.');
  if (parts.length > 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  let v = 0;
  for (let i = 0; i < 4; i++) v = v * 256 + (i < parts.length ? Number(parts[i]) : 0);
  return v >>> 0;
}

/** A dotted netmask (all four parts) or a prefix length 0–32. */
function parseMask(text: string | undefined): number {
  if (text === undefined) return 0xffff_ffff;
  if (text.split('.').length === 4) {
    const m = parseDottedQuad(text);
    if (m !== undefined) return m;
  }
  if (/^\d+$/.test(text) && Number(text) <= 32) {
    const n = Number(text);
    return n === 0 ? 0 : (0xffff_ffff << (32 - n)) >>> 0;
  }
  throw parameterProblem(`invalid mask \`${text}' specified`);
}

export interface ParsedAddress {
  readonly addr: Ipv4;
  readonly mask: number;
}

export function parseAddressList(text: string): ParsedAddress[] {
  const out: ParsedAddress[] = [];
  for (const item of text.split(',')) {
    const slash = item.lastIndexOf('/');
    const name = slash < 0 ? item : item.slice(0, slash);
    const mask = parseMask(slash < 0 ? undefined : item.slice(slash + 1));
    const addr = mask === 0 ? 0 : parseDottedQuad(name);
    if (addr === undefined) throw parameterProblem(`host/network \`${name}' not found`);
    out.push({ addr: (addr & mask) >>> 0, mask });
  }
  return out;
}

/** The prefix length of a contiguous mask, or -1. */
export function prefixLength(mask: number): number {
  const m = mask >>> 0;
  for (let len = 32; len >= 0; len--) {
    const want = len === 0 ? 0 : (0xffff_ffff << (32 - len)) >>> 0;
    if (want === m) return len;
  }
  return -1;
}

/** xtables_ipmask_to_numeric: "" for /32, "/N", or "/a.b.c.d". */
export function maskSuffix(mask: number): string {
  const len = prefixLength(mask);
  if (len === 32) return '';
  return len >= 0 ? `/${len}` : `/${formatIpv4(mask >>> 0)}`;
}

/** print_ip's mask: "/32" for a host, "/N", or "/a.b.c.d". */
export function saveMask(mask: number): string {
  const len = prefixLength(mask);
  return len >= 0 ? `/${len}` : `/${formatIpv4(mask >>> 0)}`;
}
