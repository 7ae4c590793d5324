/**
 * Go's net.ParseIP and net.ParseCIDR for IPv4 text, as the Engine and the CLI parse user input.
 * Unlike wire's parseCidr, a CIDR must have its "/n" and the address keeps its host bits (the
 * caller decides whether "10.0.0.1/24" is acceptable). IPv6 text is recognised (so callers can
 * say "IPv6 is not supported") but not parsed.
 */
import { tryParseIpv4 } from '../wire';
import type { Ipv4, Ipv4Prefix } from '../wire';

/** net.ParseIP for IPv4 dotted quads; undefined for anything else (including IPv6). */
export function parseGoIpv4(text: string): Ipv4 | undefined {
  if (!/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(text)) return undefined;
  return tryParseIpv4(text);
}

/** net.ParseCIDR for IPv4: "a.b.c.d/n" with 0 ≤ n ≤ 32. The address is returned unmasked. */
export function parseGoCidr(text: string): Ipv4Prefix | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const addr = parseGoIpv4(m[1]!);
  const len = Number(m[2]);
  if (addr === undefined || len > 32) return undefined;
  return { addr, len };
}

/** True if the text looks like an IPv6 address or prefix (contains a colon). */
export function looksLikeIpv6(text: string): boolean {
  return text.includes(':');
}
