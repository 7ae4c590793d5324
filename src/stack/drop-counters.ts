/**
 * Drops by reason, as a kernel counts them (`nstat`, `ip -s link`, the drop monitor): every
 * frame or datagram the stack discards increments one counter and, when somebody listens on
 * the trace bus, becomes a 'drop' trace event.
 *
 * Reasons are short stable keys. Malformed input uses the codec's own words,
 * "<proto>: <reason>" (e.g. "ipv4: bad checksum"), straight from WireError.
 */
import type { Scheduler, TraceBus } from '../sim';

/** The reasons the stack itself decides (malformed input adds "<proto>: <reason>" keys). */
export const DropReason = {
  /** A frame for another host's MAC, seen in promiscuous mode (Linux PACKET_OTHERHOST). */
  OtherHost: 'other-host',
  /** An EtherType the namespace has no protocol for (IPv6 here, 802.1Q on a plain interface). */
  UnknownEtherType: 'unknown-ethertype',
  /** The interface is administratively down. */
  LinkDown: 'link-down',
  /** A source address no host may use (multicast, broadcast, loopback from the wire). */
  MartianSource: 'martian-source',
  /** A loopback destination arriving from the wire. */
  MartianDestination: 'martian-destination',
  /** Not for us and ip_forward is 0 (Linux counts InAddrErrors, sends nothing). */
  NotForwarding: 'not-forwarding',
  /** Not for us, forwarding on, no route (an ICMP net unreachable went back). */
  NoRoute: 'no-route',
  /** A `blackhole` route (silently), `unreachable`/`prohibit` routes (with an ICMP error). */
  RouteRejected: 'route-rejected',
  /** TTL would reach 0 in forwarding (an ICMP time exceeded went back). */
  TtlExceeded: 'ttl-exceeded',
  /** DF set and bigger than the next hop's MTU (an ICMP fragmentation needed went back). */
  FragmentationNeeded: 'fragmentation-needed',
  /** A link-layer broadcast/multicast frame carrying a unicast datagram not for us. */
  NotUnicastForForwarding: 'link-broadcast-not-forwarded',
  /** A multicast group nobody in the namespace joined. */
  MulticastNotJoined: 'multicast-not-joined',
  /** ARP resolution failed (3 requests unanswered): queued datagrams dropped. */
  NeighbourFailed: 'neighbour-failed',
  /** More datagrams waited for an unresolved neighbour than unres_qlen allows: oldest dropped. */
  NeighbourQueueOverflow: 'neighbour-queue-overflow',
  /** The neighbour table is full (gc_thresh3) and nothing can be evicted. */
  NeighbourTableOverflow: 'neighbour-table-overflow',
  /** An ARP packet the kernel ignores (multicast or loopback addresses, unknown opcode). */
  ArpIgnored: 'arp-ignored',
  /** A UDP datagram for a port nobody bound (an ICMP port unreachable went back if unicast). */
  UdpNoPort: 'udp-no-port',
  /** A UDP checksum that does not verify. */
  UdpBadChecksum: 'udp-bad-checksum',
  /** An ICMP checksum that does not verify. */
  IcmpBadChecksum: 'icmp-bad-checksum',
  /** An ICMP type the namespace does not act on (after raw sockets had their copy). */
  IcmpIgnored: 'icmp-ignored',
  /** An echo request to a broadcast/multicast address (icmp_echo_ignore_broadcasts = 1). */
  IcmpEchoBroadcastIgnored: 'icmp-echo-broadcast-ignored',
  /** A transport protocol with no handler (an ICMP protocol unreachable went back). */
  UnknownProtocol: 'unknown-protocol',
  /** TCP: not emulated yet; datagrams are counted and discarded. */
  TcpNotEmulated: 'tcp-not-emulated',
  /** Fragments whose datagram never completed within ipfrag_time. */
  ReassemblyTimeout: 'reassembly-timeout',
  /** Fragments overlapping another fragment of the same datagram (the whole queue is dropped). */
  FragmentOverlap: 'fragment-overlap',
  /** Reassembly memory over ipfrag_high_thresh. */
  ReassemblyMemory: 'reassembly-memory',
  /** A reassembled datagram longer than 65535 bytes. */
  ReassemblyOversize: 'reassembly-oversize',
  /** A netfilter hook returned a drop verdict. */
  Netfilter: 'netfilter',
} as const;

export class DropCounters {
  readonly #counts = new Map<string, number>();
  readonly #device: string;
  readonly #trace: TraceBus;
  readonly #scheduler: Scheduler;

  constructor(device: string, scheduler: Scheduler, trace: TraceBus) {
    this.#device = device;
    this.#scheduler = scheduler;
    this.#trace = trace;
  }

  /** Counts one drop; `frame` (never mutated) goes into the trace event when someone listens. */
  count(reason: string, port?: string, frame?: Uint8Array): void {
    this.#counts.set(reason, (this.#counts.get(reason) ?? 0) + 1);
    if (this.#trace.enabled) {
      this.#trace.emit({
        kind: 'drop',
        time: this.#scheduler.now,
        device: this.#device,
        reason,
        ...(port === undefined ? {} : { port }),
        ...(frame === undefined ? {} : { frame }),
      });
    }
  }

  /** The count for one reason (0 when never seen). */
  get(reason: string): number {
    return this.#counts.get(reason) ?? 0;
  }

  /** Every reason seen, sorted by reason, with its count. */
  entries(): [string, number][] {
    return [...this.#counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** The sum over all reasons. */
  get total(): number {
    let n = 0;
    for (const v of this.#counts.values()) n += v;
    return n;
  }
}
