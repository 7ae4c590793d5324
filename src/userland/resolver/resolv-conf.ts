/**
 * /etc/resolv.conf as musl libc reads it (src/network/resolvconf.c), which is what every
 * program in an alpine container sees through getaddrinfo and getnameinfo.
 *
 * - `nameserver ADDR`: at most three (MAXNS); a line whose address is not a numeric literal is
 *   skipped. No nameserver line at all means 127.0.0.1.
 * - `options ndots:N attempts:N timeout:N`: clamped to 15, 10 and 60.
 * - `search` or `domain`: the rest of the line; the last such line wins.
 * - A line must start with its keyword followed by white space; anything else is ignored.
 *
 * Heads up: cnmlab has no IPv6 data plane, so an IPv6 nameserver is kept in `skippedIpv6`
 * (for tools that print it) but never queried.
 */
import type { Ipv4 } from '../../wire';
import { inetAton, inetPton6 } from './address-literals';

/** musl's defaults and limits (resolv.conf(5) as musl implements it). */
export const MUSL_RESOLV_DEFAULTS = {
  /** A name with fewer dots than this tries the search domains first. */
  ndots: 1,
  /** Seconds a whole query may take. */
  timeout: 5,
  /** Sends per nameserver within `timeout` (retry interval = timeout / attempts). */
  attempts: 2,
  /** MAXNS. */
  maxNameservers: 3,
  maxNdots: 15,
  maxAttempts: 10,
  maxTimeout: 60,
  /** Used when the file names no nameserver (or does not exist). */
  fallbackNameserver: 0x7f00_0001,
};

export interface ResolvConf {
  readonly nameservers: readonly Ipv4[];
  /** IPv6 nameservers the file lists (never queried: no IPv6 data plane). */
  readonly skippedIpv6: readonly string[];
  /** Search domains, in order. */
  readonly search: readonly string[];
  readonly ndots: number;
  /** Seconds. */
  readonly timeout: number;
  readonly attempts: number;
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

/** The number after `key` in an options line, as strtoul reads it, or undefined. */
function optionValue(line: string, key: string): number | undefined {
  const at = line.indexOf(key);
  if (at < 0) return undefined;
  const m = /^\d+/.exec(line.slice(at + key.length));
  return m ? Number(m[0]) : undefined;
}

/** Parses the text of /etc/resolv.conf (undefined = no such file). */
export function parseResolvConf(text: string | undefined): ResolvConf {
  const d = MUSL_RESOLV_DEFAULTS;
  const nameservers: Ipv4[] = [];
  const skippedIpv6: string[] = [];
  let search = '';
  let ndots = d.ndots;
  let timeout = d.timeout;
  let attempts = d.attempts;
  for (const line of (text ?? '').split('\n')) {
    if (line.startsWith('options') && isSpace(line[7])) {
      const n = optionValue(line, 'ndots:');
      if (n !== undefined) ndots = Math.min(n, d.maxNdots);
      const a = optionValue(line, 'attempts:');
      if (a !== undefined) attempts = Math.min(a, d.maxAttempts);
      const t = optionValue(line, 'timeout:');
      if (t !== undefined) timeout = Math.min(t, d.maxTimeout);
      continue;
    }
    if (line.startsWith('nameserver') && isSpace(line[10])) {
      if (nameservers.length + skippedIpv6.length >= d.maxNameservers) continue;
      const addr = line.slice(11).trim().split(/\s+/)[0] ?? '';
      const v4 = inetAton(addr);
      if (v4 !== undefined) nameservers.push(v4);
      else if (inetPton6(addr.replace(/%.*$/, '')) !== undefined) skippedIpv6.push(addr);
      continue;
    }
    if ((line.startsWith('domain') || line.startsWith('search')) && isSpace(line[6])) {
      search = line.slice(7);
    }
  }
  if (nameservers.length === 0 && skippedIpv6.length === 0) nameservers.push(d.fallbackNameserver);
  return {
    nameservers,
    skippedIpv6,
    search: search.split(/\s+/).filter((s) => s !== ''),
    ndots,
    timeout,
    // attempts:0 would divide by zero in res_msend; musl's loop then still sends once.
    attempts: Math.max(1, attempts),
  };
}
