/**
 * What a container's embedded DNS server knows (libnetwork sandbox.ResolveName / ResolveIP over
 * each network's service records; docker-facts §4):
 *
 * - Each network records, for every joined endpoint that takes part in name resolution (not on
 *   the default bridge, host or none), its name (the container name) and its aliases
 *   (--network-alias, and in 19.03 the short container ID) → the endpoint's IPv4 address; and
 *   the reverse mapping address → container name (the first name recorded for the address).
 * - A query for `a.b.c` (trailing dot stripped, case-insensitive) is tried as `a.b.c` in every
 *   network the container is attached to, then `a.b` in network `c`, then `a` in network `b.c`.
 *   The first network that knows the name answers, with all its addresses (one alias may name
 *   several containers).
 * - A reverse query answers `<name>.<network>` from the first attached network that knows the
 *   address.
 *
 * The records are read live from the networks, so a container that starts, stops, connects or
 * disconnects is visible at once, as Docker's service records are updated at join and leave.
 */
import type { Ipv4 } from '../../wire';
import type { Endpoint } from '../libnetwork/endpoint';
import type { Network } from '../libnetwork/network';
import type { Sandbox } from '../libnetwork/sandbox';

/** Does `ep` register names in its network's service records? */
function resolvable(ep: Endpoint): boolean {
  return ep.sandbox !== undefined && !ep.disableResolution && ep.address !== undefined;
}

/** The addresses a network's records give for `name` (lower-cased), in endpoint order, no duplicates. */
export function networkResolveName(network: Network, name: string): Ipv4[] {
  const out: Ipv4[] = [];
  for (const ep of network.endpoints()) {
    if (!resolvable(ep)) continue;
    const names = [ep.name, ...ep.aliases];
    if (!names.some((n) => n.toLowerCase() === name)) continue;
    const ip = ep.address!.addr;
    if (!out.includes(ip)) out.push(ip);
  }
  return out;
}

/** network.ResolveIP: "<name>.<network>" for an address of the network, else undefined. */
export function networkResolveIp(network: Network, ip: Ipv4): string | undefined {
  for (const ep of network.endpoints()) {
    if (resolvable(ep) && ep.address!.addr === ip) return `${ep.name}.${network.name}`;
  }
  return undefined;
}

export class SandboxDnsNames {
  readonly #sandbox: Sandbox;

  constructor(sandbox: Sandbox) {
    this.#sandbox = sandbox;
  }

  /** The networks whose records this sandbox's resolver reads, in connection order. */
  #networks(): Network[] {
    return this.#sandbox.endpoints().map((ep) => ep.network);
  }

  /**
   * sandbox.ResolveName for A queries: the addresses, or undefined when no attached network
   * knows the name (the resolver then forwards the query).
   */
  lookup(name: string): Ipv4[] | undefined {
    const q = name.replace(/\.$/, '').toLowerCase();
    const tries: [string, string | undefined][] = [[q, undefined]];
    let i = q.lastIndexOf('.');
    while (i >= 0) {
      tries.push([q.slice(0, i), q.slice(i + 1)]);
      i = i > 0 ? q.lastIndexOf('.', i - 1) : -1;
    }
    const networks = this.#networks();
    for (const [req, networkName] of tries) {
      for (const n of networks) {
        if (networkName !== undefined && n.name.toLowerCase() !== networkName) continue;
        const ips = networkResolveName(n, req);
        if (ips.length > 0) return ips;
      }
    }
    return undefined;
  }

  /** sandbox.ResolveIP: "<name>.<network>" or undefined. */
  reverse(ip: Ipv4): string | undefined {
    for (const n of this.#networks()) {
      const name = networkResolveIp(n, ip);
      if (name !== undefined) return name;
    }
    return undefined;
  }
}
