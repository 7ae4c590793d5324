/**
 * /etc/hosts lookups as musl does them (name_from_hosts in lookup_name.c, reverse_hosts in
 * getnameinfo.c).
 *
 * Forward: every line whose text contains the name as a whole word (white space on both
 * sides, case-sensitive, '#' starts a comment) contributes its address; the canonical name is
 * the first name of the first matching line. An address of the wrong family does not count
 * but, if nothing else matches, makes the lookup fail with "no data" instead of going on to
 * DNS. Reverse: the first name of the first line whose address equals the one asked.
 *
 * Heads up: musl matches the name anywhere in the line, the address column included, and
 * needs a white-space character after it: the last line of a file without a final newline
 * never matches. Both quirks are kept.
 */
import type { Ipv4 } from '../../wire';
import { inetAton, inetPton6 } from './address-literals';

export type HostsFamily = 'inet' | 'inet6' | 'unspec';

export interface HostsMatch {
  /** IPv4 addresses (inet and unspec lookups), in file order. */
  readonly ipv4: readonly Ipv4[];
  /** IPv6 addresses (inet6 and unspec lookups), in file order. */
  readonly ipv6: readonly Uint8Array[];
  /** The first name of the first matching line. */
  readonly canonicalName: string | undefined;
  /** Only addresses of another family matched (musl: EAI_NODATA). */
  readonly wrongFamilyOnly: boolean;
}

/** musl's MAXADDRS: a lookup returns at most this many addresses. */
export const MAX_ADDRESSES = 48;

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

/** Lines as fgets returns them (each with its newline, the last maybe without). */
function linesOf(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n') {
      out.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

function stripComment(line: string): string {
  const hash = line.indexOf('#');
  return hash < 0 ? line : `${line.slice(0, hash)}\n`;
}

/** A valid host name for musl (is_valid_hostname): letters, digits, '.', '-' and bytes ≥ 0x80. */
export function isValidHostname(name: string): boolean {
  if (name.length === 0 || name.length > 254) return false;
  return /^[A-Za-z0-9.\-\u0080-\uffff]*$/.test(name);
}

/** name_from_hosts. */
export function lookupHostsByName(text: string | undefined, name: string, family: HostsFamily): HostsMatch {
  const ipv4: Ipv4[] = [];
  const ipv6: Uint8Array[] = [];
  let canonicalName: string | undefined;
  let wrongFamily = false;
  if (text === undefined || name === '') return { ipv4, ipv6, canonicalName, wrongFamilyOnly: false };
  for (const raw of linesOf(text)) {
    if (ipv4.length + ipv6.length >= MAX_ADDRESSES) break;
    const line = stripComment(raw);
    let found = false;
    for (let p = line.indexOf(name, 1); p >= 0; p = line.indexOf(name, p + 1)) {
      if (isSpace(line[p - 1]) && isSpace(line[p + name.length])) {
        found = true;
        break;
      }
    }
    if (!found) continue;
    let end = 0;
    while (end < line.length && !isSpace(line[end])) end++;
    const addrText = line.slice(0, end);
    const v4 = inetAton(addrText);
    if (v4 !== undefined) {
      if (family === 'inet6') wrongFamily = true;
      else ipv4.push(v4);
    } else {
      const v6 = inetPton6(addrText.replace(/%.*$/, ''));
      if (v6 === undefined) continue;
      if (family === 'inet') {
        wrongFamily = true;
      } else {
        ipv6.push(v6);
      }
    }
    if (canonicalName !== undefined) continue;
    const first = line.slice(end).trim().split(/\s+/)[0] ?? '';
    if (isValidHostname(first)) canonicalName = first;
  }
  return { ipv4, ipv6, canonicalName, wrongFamilyOnly: ipv4.length + ipv6.length === 0 && wrongFamily };
}

/** reverse_hosts: the first name on the first line for `ip`, or undefined. */
export function lookupHostsByAddress(text: string | undefined, ip: Ipv4): string | undefined {
  if (text === undefined) return undefined;
  for (const raw of linesOf(text)) {
    const line = stripComment(raw);
    let end = 0;
    while (end < line.length && !isSpace(line[end])) end++;
    if (end >= line.length) continue; // no white space after the address: no name either
    if (inetAton(line.slice(0, end)) !== ip) continue;
    const name = line.slice(end + 1).replace(/^\s+/, '').split(/\s/)[0] ?? '';
    return name;
  }
  return undefined;
}
