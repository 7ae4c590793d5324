/**
 * The netfilter seam: the five places in the IPv4 path where Linux runs NF_HOOK, and where a
 * later `netfilter` module (Docker's iptables nat/filter tables, conntrack) plugs its chains in.
 * With nothing registered a hook costs one length check.
 *
 *   from a link ──► PREROUTING ──► routing ──► INPUT ──► local sockets
 *                                      │
 *                                      └──► FORWARD ──► POSTROUTING ──► to a link
 *   local sockets ──► routing ──► OUTPUT ──► POSTROUTING ──► to a link
 *
 * Where each hook sits (the kernel's order, net/ipv4/ip_input.c, ip_forward.c, ip_output.c):
 * - prerouting: after the header checks, before the routing decision (DNAT here changes where
 *   the datagram goes: the namespace routes the datagram the hook returns).
 * - input: after reassembly, before the transport protocol sees the datagram.
 * - forward: after the TTL and MTU checks and the TTL decrement, before POSTROUTING.
 * - output: locally generated, after routing; if the hook changes the destination the
 *   namespace routes again (ip_route_me_harder).
 * - postrouting: last, before fragmentation and ARP (SNAT/MASQUERADE here).
 *
 * A handler gets the IPv4 datagram (header and payload) and must not write to it (frames are
 * immutable once transmitted, and the datagram may share a buffer with one). It returns the
 * datagram to continue with: the same buffer (accept), a new buffer it built (a NAT rewrite,
 * with checksums fixed), or null (drop; the namespace counts DropReason.Netfilter). A handler
 * that answers instead (REJECT) sends its ICMP error through the namespace's API and returns null.
 */
import type { NetInterface } from './net-interface';

export type NetfilterHook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

export interface NetfilterContext {
  readonly hook: NetfilterHook;
  /** The interface the datagram came in on (prerouting, input, forward). */
  readonly inIface: NetInterface | undefined;
  /** The interface it will leave by (forward, output, postrouting). */
  readonly outIface: NetInterface | undefined;
}

/** Returns the datagram to continue with, or null to drop it. */
export type NetfilterHandler = (datagram: Uint8Array, ctx: NetfilterContext) => Uint8Array | null;

interface Registered {
  readonly priority: number;
  readonly handler: NetfilterHandler;
}

export class NetfilterHooks {
  readonly #hooks: Record<NetfilterHook, Registered[]> = {
    prerouting: [],
    input: [],
    forward: [],
    output: [],
    postrouting: [],
  };

  /**
   * Registers `handler` at `hook`. Lower priorities run first, as the kernel's NF_IP_PRI_*
   * (conntrack −200, mangle −150, DNAT −100, filter 0, SNAT 100). Returns the unregister function.
   */
  register(hook: NetfilterHook, priority: number, handler: NetfilterHandler): () => void {
    const entry: Registered = { priority, handler };
    const list = [...this.#hooks[hook], entry].sort((a, b) => a.priority - b.priority);
    this.#hooks[hook] = list;
    return () => {
      this.#hooks[hook] = this.#hooks[hook].filter((r) => r !== entry);
    };
  }

  /** True when something is registered at `hook` (the fast path skips `run` otherwise). */
  has(hook: NetfilterHook): boolean {
    return this.#hooks[hook].length > 0;
  }

  /** Runs the handlers of `hook` in priority order; null as soon as one drops. */
  run(hook: NetfilterHook, datagram: Uint8Array, inIface: NetInterface | undefined, outIface: NetInterface | undefined): Uint8Array | null {
    const list = this.#hooks[hook];
    if (list.length === 0) return datagram;
    const ctx: NetfilterContext = { hook, inIface, outIface };
    let d: Uint8Array | null = datagram;
    for (let i = 0; i < list.length && d !== null; i++) d = list[i]!.handler(d, ctx);
    return d;
  }
}
