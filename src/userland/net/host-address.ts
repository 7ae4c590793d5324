/**
 * busybox's host arguments (libbb's str2sockaddr, behind xhost2sockaddr and
 * xhost_and_af2sockaddr): "HOST", "HOST:PORT", "[IPV6]:PORT"; a numeric IPv4 address
 * (inet_aton forms) or IPv6 literal is used as it is, anything else goes to getaddrinfo, and
 * of its answers the first IPv4 address wins (FEATURE_PREFER_IPV4_ADDRESS, on in alpine).
 * Failures print "bad address 'HOST'" / "bad port spec 'HOST'" with the argument as typed.
 *
 * Addresses print as xmalloc_sockaddr2dotted does: "10.0.0.3:53", "[::1]:53".
 */
import { formatIpv4, type Ipv4 } from '../../wire';
import { formatIpv6, inetAton, inetPton6, type LookupFamily, type StubResolver } from '../resolver';
import type { Stoppable } from './process-scope';

export type SockAddr =
  | { readonly family: 4; readonly ip: Ipv4; readonly port: number }
  | { readonly family: 6; readonly ip6: Uint8Array; readonly port: number };

export type HostResolution =
  | { readonly ok: true; readonly addr: SockAddr }
  | { readonly ok: false; readonly message: string };

/** "10.0.0.3" or "::1". */
export function formatHost(a: SockAddr): string {
  return a.family === 4 ? formatIpv4(a.ip) : formatIpv6(a.ip6);
}

/** "10.0.0.3:53" or "[::1]:53". */
export function formatSockAddr(a: SockAddr): string {
  return a.family === 4 ? `${formatIpv4(a.ip)}:${a.port}` : `[${formatIpv6(a.ip6)}]:${a.port}`;
}

/** Splits "host:port" / "[v6]:port"; returns the host text and the port, or an error message. */
function splitHostPort(text: string, defaultPort: number): { host: string; port: number } | { message: string } {
  let host = text;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || (text[close + 1] !== ':' && text[close + 1] !== undefined)) return { message: `bad address '${text}'` };
    host = text.slice(1, close);
    if (text[close + 1] === ':') portText = text.slice(close + 2);
  } else {
    const last = text.lastIndexOf(':');
    if (last >= 0 && text.indexOf(':') === last) {
      host = text.slice(0, last);
      portText = text.slice(last + 1);
    }
  }
  let port = defaultPort;
  if (portText !== undefined) {
    if (!/^\d+$/.test(portText) || Number(portText) > 0xffff) return { message: `bad port spec '${text}'` };
    port = Number(portText);
  }
  return { host, port };
}

/** xdotted2sockaddr: a numeric address only (AI_NUMERICHOST), with an optional port. */
export function parseNumericHost(text: string, defaultPort: number): HostResolution {
  const split = splitHostPort(text, defaultPort);
  if ('message' in split) return { ok: false, message: split.message };
  const v4 = inetAton(split.host);
  if (v4 !== undefined) return { ok: true, addr: { family: 4, ip: v4, port: split.port } };
  const v6 = inetPton6(split.host);
  if (v6 !== undefined) return { ok: true, addr: { family: 6, ip6: v6, port: split.port } };
  return { ok: false, message: `bad address '${text}'` };
}

/**
 * Resolves a host argument. `done` runs later in simulated time (a DNS lookup) or in a
 * zero-delay event (a literal or /etc/hosts).
 */
export function resolveHost(
  resolver: StubResolver,
  text: string,
  defaultPort: number,
  family: LookupFamily,
  done: (r: HostResolution) => void,
): Stoppable {
  const split = splitHostPort(text, defaultPort);
  if ('message' in split) return resolver.defer(() => done({ ok: false, message: split.message }));
  const { host, port } = split;
  if (family !== 'inet6') {
    const v4 = inetAton(host);
    if (v4 !== undefined) return resolver.defer(() => done({ ok: true, addr: { family: 4, ip: v4, port } }));
  }
  if (family !== 'inet') {
    const v6 = inetPton6(host);
    if (v6 !== undefined) return resolver.defer(() => done({ ok: true, addr: { family: 6, ip6: v6, port } }));
  }
  return resolver.getaddrinfo(host, family, (r) => {
    if (!r.ok) {
      done({ ok: false, message: `bad address '${text}'` });
      return;
    }
    const v4 = r.ipv4[0];
    if (v4 !== undefined) done({ ok: true, addr: { family: 4, ip: v4, port } });
    else done({ ok: true, addr: { family: 6, ip6: r.ipv6[0]!, port } });
  });
}
