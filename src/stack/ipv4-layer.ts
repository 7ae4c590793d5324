/**
 * IPv4 input, forwarding and output of one namespace (Linux net/ipv4/ip_input.c, ip_forward.c,
 * ip_output.c, route.c).
 *
 * Input: header checks (version, lengths, header checksum: each failure a counted drop, never
 * an exception), martian addresses, PREROUTING, then the routing decision: our own address,
 * a broadcast address of ours or a joined multicast group → local delivery (reassembly, INPUT,
 * the transport); anything else → forwarding when ip_forward is on.
 *
 * Forwarding (ip_forward): only frames sent to our MAC; no route → ICMP net unreachable;
 * TTL ≤ 1 → ICMP time exceeded; bigger than the egress MTU with DF → ICMP fragmentation needed
 * carrying that MTU (RFC 1191); then a copy of the datagram (frames are immutable once
 * transmitted) with the TTL decremented and the checksum patched incrementally (RFC 1624),
 * FORWARD, POSTROUTING, fragmentation if needed, ARP. ICMP redirects are not sent (Linux would,
 * for a datagram leaving by the interface it came in on).
 *
 * Output: route lookup and source address selection (inet_select_addr), Identification from
 * the per-destination generator (ip-identification.ts) or the connected socket's counter, DF
 * by the socket's PMTU discovery mode (IP_PMTUDISC_WANT by default: DF when the datagram fits
 * the path MTU, which is why busybox's echo requests carry DF in the kernel fixtures while the
 * kernel's own echo replies and ICMP errors, sent with IP_PMTUDISC_DONT, do not), OUTPUT,
 * POSTROUTING, fragmentation, ARP. Datagrams to our own addresses go over the loopback.
 *
 * Heads up (performance): every datagram sent or forwarded needs a new frame buffer (frames are
 * immutable once transmitted); they come from `allocFrame` (devices/frame-buffer.ts), a view
 * into a shared slab, because `new Uint8Array(n)` above 64 bytes costs a separate off-heap
 * allocation. On BENCH.md's W3 the forwarding copy alone was half the run before this.
 */
import {
  EtherType, IpProtocol, Ipv4Packet, WireError, assertNever, decrementTtlInPlace, emitIpv4, isLoopbackIpv4,
  isMulticastIpv4, IcmpType, IcmpUnreachCode, IcmpTimeExceededCode, IPV4_BROADCAST, IPV4_HEADER_LEN,
  writeU16, writeU48, MAC_BROADCAST, type Ipv4, type Mac,
} from '../wire';
import { allocFrame } from '../devices';
import { Cast, PacketType, type CastKind, type PacketTypeKind } from './cast';
import { DropReason } from './drop-counters';
import { fragmentDatagram } from './fragmentation';
import { StackError } from './stack-error';
import type { NetInterface } from './net-interface';
import type { Route, RouteScope } from './routing-table';
import type { NetworkNamespace } from './network-namespace';

/** Linux's IPv4 defaults. */
export const IPV4_DEFAULTS = {
  /** net.ipv4.ip_default_ttl. */
  defaultTtl: 64,
  /** IP_MULTICAST_TTL's default: multicast stays on the link unless a socket says otherwise. */
  multicastTtl: 1,
};

/** IP_MTU_DISCOVER: 'want' (the default) sets DF when the datagram fits, 'do' always (EMSGSIZE if it cannot), 'dont' never. */
export type PmtuDiscovery = 'want' | 'do' | 'dont';

const ETH_HLEN = 14;

/** Where a locally generated datagram goes (what `ip route get` prints). */
export interface OutputPath {
  readonly dst: Ipv4;
  readonly src: Ipv4;
  readonly iface: NetInterface;
  /** The gateway, or `dst` itself on a connected network. */
  readonly nextHop: Ipv4;
  readonly cast: CastKind;
  /** The MTU to respect: the egress interface's, lowered by a learned path MTU. */
  readonly mtu: number;
  /** The route used (undefined for local, limited-broadcast and device-bound paths without one). */
  readonly route: Route | undefined;
}

export interface OutputOptions {
  /** A bound source address (already checked to be ours). */
  readonly src?: Ipv4;
  /** SO_BINDTODEVICE / IP_MULTICAST_IF: only routes through this interface. */
  readonly iface?: NetInterface;
  /** SO_BROADCAST: without it, sending to a broadcast address fails with EACCES. */
  readonly broadcast?: boolean;
}

/** /proc/net/snmp's Ip: line, the counters cnmlab keeps. */
export interface Ipv4Stats {
  inReceives: number;
  inHdrErrors: number;
  inAddrErrors: number;
  forwDatagrams: number;
  inUnknownProtos: number;
  inDiscards: number;
  inDelivers: number;
  outRequests: number;
  outDiscards: number;
  outNoRoutes: number;
  fragOks: number;
  fragFails: number;
  fragCreates: number;
}

export class Ipv4Layer {
  readonly #ns: NetworkNamespace;
  readonly stats: Ipv4Stats = {
    inReceives: 0, inHdrErrors: 0, inAddrErrors: 0, forwDatagrams: 0, inUnknownProtos: 0, inDiscards: 0,
    inDelivers: 0, outRequests: 0, outDiscards: 0, outNoRoutes: 0, fragOks: 0, fragFails: 0, fragCreates: 0,
  };

  constructor(ns: NetworkNamespace) {
    this.#ns = ns;
  }

  // ---------------------------------------------------------------------------------------
  // Input

  /** An IPv4 frame arrived on `iface` (the Ethernet header is 14 bytes: 802.1Q never reaches here). */
  input(frame: Uint8Array, iface: NetInterface, pktType: PacketTypeKind): void {
    const ns = this.#ns;
    if (pktType === PacketType.OtherHost) {
      // ip_rcv_core: "When the interface is in promisc. mode, drop all the crap that it receives."
      ns.drops.count(DropReason.OtherHost, iface.name, frame);
      return;
    }
    this.stats.inReceives++;
    let ip: Ipv4Packet;
    try {
      ip = Ipv4Packet.parse(frame.subarray(ETH_HLEN), { verifyChecksum: true });
    } catch (e) {
      this.stats.inHdrErrors++;
      ns.drops.count(e instanceof WireError ? e.message : 'ipv4: malformed', iface.name, frame);
      return;
    }
    const src = ip.src;
    // Martian sources (ip_route_input_slow): never multicast or limited broadcast, never a
    // loopback address from a real link; 0.0.0.0 only towards the limited broadcast (DHCP).
    if (isMulticastIpv4(src) || src === IPV4_BROADCAST || (iface.kind !== 'loopback' && isLoopbackIpv4(src))
      || (src === 0 && ip.dst !== IPV4_BROADCAST)) {
      this.stats.inAddrErrors++;
      ns.drops.count(DropReason.MartianSource, iface.name, frame);
      return;
    }
    if (iface.kind !== 'loopback' && isLoopbackIpv4(ip.dst)) {
      this.stats.inAddrErrors++;
      ns.drops.count(DropReason.MartianDestination, iface.name, frame);
      return;
    }
    if (ns.netfilter.has('prerouting')) {
      const datagram = ip.packet;
      const d = ns.netfilter.run('prerouting', datagram, iface, undefined);
      if (d === null) {
        ns.drops.count(DropReason.Netfilter, iface.name, frame);
        return;
      }
      if (d !== datagram) {
        const reparsed = this.#reparse(d, iface);
        if (!reparsed) return;
        ip = reparsed;
        frame = this.#frameAround(d, iface, frame);
      }
    }
    const dst = ip.dst;
    if (ns.isLocalAddress(dst)) {
      this.#localDeliver(ip, iface, Cast.Local, pktType);
    } else if (dst === IPV4_BROADCAST || ns.isBroadcastAddress(dst)) {
      this.#localDeliver(ip, iface, Cast.Broadcast, pktType);
    } else if (isMulticastIpv4(dst)) {
      if (ns.hasJoined(dst)) this.#localDeliver(ip, iface, Cast.Multicast, pktType);
      else ns.drops.count(DropReason.MulticastNotJoined, iface.name, frame);
    } else {
      this.#forward(frame, ip, iface, pktType);
    }
  }

  #localDeliver(ip: Ipv4Packet, iface: NetInterface, cast: CastKind, pktType: PacketTypeKind): void {
    const ns = this.#ns;
    if (ip.isFragment) {
      const whole = ns.reassembler.add(ip, iface.name);
      if (whole === undefined) return;
      ip = Ipv4Packet.parse(whole);
    }
    if (ns.netfilter.has('input')) {
      const datagram = ip.packet;
      const d = ns.netfilter.run('input', datagram, iface, undefined);
      if (d === null) {
        ns.drops.count(DropReason.Netfilter, iface.name);
        return;
      }
      if (d !== datagram) {
        const reparsed = this.#reparse(d, iface);
        if (!reparsed) return;
        ip = reparsed;
      }
    }
    this.stats.inDelivers++;
    switch (ip.protocol) {
      case IpProtocol.UDP:
        ns.udp.input(ip, iface, cast, pktType);
        return;
      case IpProtocol.ICMP:
        ns.icmp.input(ip, iface, cast, pktType);
        return;
      case IpProtocol.TCP:
        // TCP is not emulated yet: Linux would answer a closed port with a RST.
        ns.drops.count(DropReason.TcpNotEmulated, iface.name);
        return;
      default:
        // ip_local_deliver_finish: no handler and no raw socket → protocol unreachable.
        this.stats.inUnknownProtos++;
        ns.drops.count(DropReason.UnknownProtocol, iface.name);
        if (cast === Cast.Local) ns.icmp.sendError(ip.packet, IcmpType.DestUnreachable, IcmpUnreachCode.Protocol, 0, pktType === PacketType.Host || iface.kind === 'loopback');
        return;
    }
  }

  // ---------------------------------------------------------------------------------------
  // Forwarding

  #forward(frame: Uint8Array, ip: Ipv4Packet, inIface: NetInterface, pktType: PacketTypeKind): void {
    const ns = this.#ns;
    if (!ns.forwarding) {
      // ip_route_input_slow with forwarding off: EHOSTUNREACH → InAddrErrors, no ICMP.
      this.stats.inAddrErrors++;
      ns.drops.count(DropReason.NotForwarding, inIface.name, frame);
      return;
    }
    const linkUnicast = pktType === PacketType.Host;
    const route = ns.routes.lookup(ip.dst);
    if (route === undefined) {
      this.stats.outNoRoutes++;
      ns.drops.count(DropReason.NoRoute, inIface.name, frame);
      ns.icmp.sendError(ip.packet, IcmpType.DestUnreachable, IcmpUnreachCode.Net, 0, linkUnicast);
      return;
    }
    if (route.type !== 'unicast') {
      ns.drops.count(DropReason.RouteRejected, inIface.name, frame);
      if (route.type === 'unreachable') ns.icmp.sendError(ip.packet, IcmpType.DestUnreachable, IcmpUnreachCode.Host, 0, linkUnicast);
      else if (route.type === 'prohibit') ns.icmp.sendError(ip.packet, IcmpType.DestUnreachable, IcmpUnreachCode.AdminProhibited, 0, linkUnicast);
      return;
    }
    if (!linkUnicast) {
      // ip_forward: "if (skb->pkt_type != PACKET_HOST) goto drop;"
      ns.drops.count(DropReason.NotUnicastForForwarding, inIface.name, frame);
      return;
    }
    const outIface = route.dev!;
    if (ip.ttl <= 1) {
      ns.drops.count(DropReason.TtlExceeded, inIface.name, frame);
      ns.icmp.sendError(ip.packet, IcmpType.TimeExceeded, IcmpTimeExceededCode.TtlInTransit, 0, true);
      return;
    }
    const mtu = outIface.mtu;
    const length = ip.totalLength;
    if (length > mtu && ip.dontFragment) {
      ns.drops.count(DropReason.FragmentationNeeded, inIface.name, frame);
      ns.icmp.sendError(ip.packet, IcmpType.DestUnreachable, IcmpUnreachCode.FragNeeded, mtu, true);
      return;
    }
    // Our own copy: the received frame may be shared (a flood) and is never written.
    let out: Uint8Array = allocFrame(ETH_HLEN + length);
    writeU48(out, 6, outIface.mac);
    writeU16(out, 12, EtherType.IPv4);
    out.set(ip.packet, ETH_HLEN);
    decrementTtlInPlace(out, ETH_HLEN);
    if (ns.netfilter.has('forward')) {
      const datagram = out.subarray(ETH_HLEN);
      const d = ns.netfilter.run('forward', datagram, inIface, outIface);
      if (d === null) {
        ns.drops.count(DropReason.Netfilter, inIface.name, frame);
        return;
      }
      if (d !== datagram) out = this.#frameAround(d, outIface, undefined);
    }
    this.stats.forwDatagrams++;
    // Broadcasts of our own subnets never get here (input delivers them locally), so what is
    // forwarded is unicast.
    this.#postrouting(outIface, route.gateway ?? ip.dst, out, Cast.Unicast, mtu, inIface);
  }

  // ---------------------------------------------------------------------------------------
  // Output

  /**
   * A number that stays the same while output paths cannot change (no route, address or link
   * change, no learned path MTU in play); -1 when paths must not be cached. Sockets compare it
   * to reuse the path of their last send.
   */
  get pathGeneration(): number {
    const ns = this.#ns;
    return ns.pmtu.size > 0 ? -1 : ns.configGeneration;
  }

  /**
   * Routes a locally generated datagram to `dst` (ip_route_output): throws ENETUNREACH when no
   * route matches, EHOSTUNREACH/EACCES/EINVAL for unreachable/prohibit/blackhole routes, EACCES
   * for a broadcast without SO_BROADCAST.
   */
  resolveOutput(dst: Ipv4, opts: OutputOptions = {}): OutputPath {
    const ns = this.#ns;
    if (ns.isLocalAddress(dst)) {
      // Local destinations take the loopback. The source, like the kernel's local-table routes:
      // an assigned address is its own source ("local 10.0.0.2 … src 10.0.0.2"); any other
      // address of 127.0.0.0/8 (Docker's resolver at 127.0.0.11 has no address of its own) takes
      // the loopback's address ("local 127.0.0.0/8 dev lo … src 127.0.0.1").
      const lo = ns.loopback;
      const src = opts.src ?? (ns.isAssignedAddress(dst) ? dst : ns.selectSourceAddress(lo, dst, 'host'));
      return { dst, src, iface: lo, nextHop: dst, cast: Cast.Local, mtu: lo.mtu, route: undefined };
    }
    if (dst === IPV4_BROADCAST || isMulticastIpv4(dst)) {
      const cast = dst === IPV4_BROADCAST ? Cast.Broadcast : Cast.Multicast;
      if (cast === Cast.Broadcast && !opts.broadcast) throw new StackError('EACCES', 'sendto 255.255.255.255');
      let iface = opts.iface;
      let route: Route | undefined;
      if (iface === undefined) {
        route = ns.routes.lookup(dst);
        if (route === undefined || route.type !== 'unicast') throw new StackError('ENETUNREACH', 'sendto');
        iface = route.dev!;
      }
      if (!iface.up) throw new StackError('ENETUNREACH', 'sendto');
      const src = opts.src ?? ns.selectSourceAddress(iface, 0, 'link');
      return { dst, src, iface, nextHop: dst, cast, mtu: iface.mtu, route };
    }
    const route = opts.iface ? ns.routes.lookupVia(dst, opts.iface) : ns.routes.lookup(dst);
    let iface: NetInterface;
    let nextHop = dst;
    let scope: RouteScope = 'link';
    if (route === undefined) {
      // ip_route_output_key_hash_rcu: with an output interface and no route, "assume that
      // the destination is on link".
      if (!opts.iface) {
        this.stats.outNoRoutes++;
        throw new StackError('ENETUNREACH', 'sendto');
      }
      iface = opts.iface;
    } else {
      switch (route.type) {
        case 'unicast':
          break;
        case 'blackhole':
          throw new StackError('EINVAL', 'sendto');
        case 'unreachable':
          throw new StackError('EHOSTUNREACH', 'sendto');
        case 'prohibit':
          throw new StackError('EACCES', 'sendto');
        default:
          assertNever(route.type, 'route type');
      }
      iface = route.dev!;
      if (route.gateway !== undefined) nextHop = route.gateway;
      scope = route.scope;
    }
    if (!iface.up) throw new StackError('ENETUNREACH', 'sendto');
    let cast: CastKind = Cast.Unicast;
    if (nextHop === dst && ns.isBroadcastOn(iface, dst)) {
      if (!opts.broadcast) throw new StackError('EACCES', 'sendto');
      cast = Cast.Broadcast;
    }
    const src = opts.src ?? route?.src ?? ns.selectSourceAddress(iface, nextHop, scope === 'global' ? 'link' : scope);
    const pmtu = ns.pmtu.get(dst, ns.scheduler.now);
    const mtu = pmtu !== undefined && pmtu < iface.mtu ? pmtu : iface.mtu;
    return { dst, src, iface, nextHop, cast, mtu, route };
  }

  /**
   * A frame buffer for a datagram with `payloadLength` bytes after a 20-byte IP header: the
   * Ethernet source and EtherType are written, the transport writes at offset 34.
   * Throws EMSGSIZE beyond 65535 bytes.
   */
  allocate(path: OutputPath, payloadLength: number): Uint8Array {
    const total = IPV4_HEADER_LEN + payloadLength;
    if (total > 0xffff) throw new StackError('EMSGSIZE', 'sendto');
    const frame = allocFrame(ETH_HLEN + total);
    writeU48(frame, 6, path.iface.mac);
    writeU16(frame, 12, EtherType.IPv4);
    return frame;
  }

  /**
   * Sends a frame from `allocate` whose transport bytes are written: writes the IP header
   * (Identification from the generator unless `identification` ≥ 0), runs OUTPUT and
   * POSTROUTING, fragments, resolves the next hop. Throws EMSGSIZE under IP_PMTUDISC_DO when
   * the datagram does not fit the path MTU.
   */
  send(path: OutputPath, frame: Uint8Array, protocol: number, ttl: number, tos: number, pmtudisc: PmtuDiscovery, identification = -1): void {
    const ns = this.#ns;
    const total = frame.length - ETH_HLEN;
    const fits = total <= path.mtu;
    if (pmtudisc === 'do' && !fits) throw new StackError('EMSGSIZE', 'sendto');
    const df = pmtudisc === 'do' || (pmtudisc === 'want' && fits);
    const id = identification >= 0 ? identification : ns.ipId.next(path.src, path.dst, protocol, ns.scheduler.now);
    emitIpv4({
      src: path.src, dst: path.dst, protocol, ttl, identification: id, payloadLength: total - IPV4_HEADER_LEN,
      dontFragment: df, dscp: tos >>> 2, ecn: tos & 3,
    }, frame, ETH_HLEN);
    this.stats.outRequests++;
    let p = path;
    if (ns.netfilter.has('output')) {
      const datagram = frame.subarray(ETH_HLEN);
      const d = ns.netfilter.run('output', datagram, undefined, path.iface);
      if (d === null) {
        ns.drops.count(DropReason.Netfilter, path.iface.name);
        return;
      }
      if (d !== datagram) {
        const newDst = (d[16]! << 24 | d[17]! << 16 | d[18]! << 8 | d[19]!) >>> 0;
        // ip_route_me_harder: a changed destination is routed again.
        if (newDst !== path.dst) {
          try {
            p = this.resolveOutput(newDst, { src: path.src });
          } catch {
            ns.drops.count(DropReason.NoRoute, path.iface.name);
            return;
          }
        }
        frame = this.#frameAround(d, p.iface, undefined);
      }
    }
    this.#postrouting(p.iface, p.nextHop, frame, p.cast, p.mtu, undefined);
  }

  /** POSTROUTING, then fragmentation and the link layer (ip_output → ip_finish_output). */
  #postrouting(iface: NetInterface, nextHop: Ipv4, frame: Uint8Array, cast: CastKind, mtu: number, inIface: NetInterface | undefined): void {
    const ns = this.#ns;
    if (ns.netfilter.has('postrouting')) {
      const datagram = frame.subarray(ETH_HLEN);
      const d = ns.netfilter.run('postrouting', datagram, inIface, iface);
      if (d === null) {
        ns.drops.count(DropReason.Netfilter, iface.name);
        return;
      }
      if (d !== datagram) frame = this.#frameAround(d, iface, undefined);
    }
    if (frame.length - ETH_HLEN <= mtu) {
      this.#linkOutput(iface, nextHop, frame, cast);
      return;
    }
    let ip: Ipv4Packet;
    try {
      ip = Ipv4Packet.parse(frame.subarray(ETH_HLEN));
    } catch (e) {
      ns.drops.count(e instanceof WireError ? e.message : 'ipv4: malformed', iface.name);
      return;
    }
    if (ip.dontFragment) {
      // Only a netfilter rewrite can get here with DF (local output and forwarding checked it).
      this.stats.fragFails++;
      ns.drops.count(DropReason.FragmentationNeeded, iface.name);
      return;
    }
    const fragments = fragmentDatagram(ip, mtu, ETH_HLEN);
    if (fragments.length === 0) {
      this.stats.fragFails++;
      ns.drops.count(DropReason.FragmentationNeeded, iface.name);
      return;
    }
    this.stats.fragOks++;
    this.stats.fragCreates += fragments.length;
    for (const f of fragments) {
      writeU48(f, 6, iface.mac);
      writeU16(f, 12, EtherType.IPv4);
      this.#linkOutput(iface, nextHop, f, cast);
    }
  }

  #linkOutput(iface: NetInterface, nextHop: Ipv4, frame: Uint8Array, cast: CastKind): void {
    if (!iface.up) {
      this.stats.outDiscards++;
      this.#ns.drops.count(DropReason.LinkDown, iface.name, frame);
      return;
    }
    if (iface.kind === 'loopback') {
      // The loopback's frames carry all-zero MAC addresses (as tcpdump -i lo shows them).
      iface.transmit(frame);
      return;
    }
    switch (cast) {
      case Cast.Unicast:
      case Cast.Local:
        this.#ns.neighbours.output(iface, nextHop, frame);
        return;
      case Cast.Broadcast:
        writeU48(frame, 0, MAC_BROADCAST);
        iface.transmit(frame);
        return;
      case Cast.Multicast:
        writeU48(frame, 0, multicastMac(nextHop));
        iface.transmit(frame);
        return;
      default:
        assertNever(cast, 'cast');
    }
  }

  /** A frame for a datagram a netfilter hook rebuilt (it has no Ethernet headroom). */
  #frameAround(datagram: Uint8Array, iface: NetInterface, original: Uint8Array | undefined): Uint8Array {
    const frame = allocFrame(ETH_HLEN + datagram.length);
    if (original) frame.set(original.subarray(0, ETH_HLEN));
    else {
      writeU48(frame, 6, iface.mac);
      writeU16(frame, 12, EtherType.IPv4);
    }
    frame.set(datagram, ETH_HLEN);
    return frame;
  }

  #reparse(datagram: Uint8Array, iface: NetInterface): Ipv4Packet | undefined {
    try {
      return Ipv4Packet.parse(datagram);
    } catch (e) {
      this.#ns.drops.count(e instanceof WireError ? e.message : 'ipv4: malformed', iface.name);
      return undefined;
    }
  }
}

/** RFC 1112 §6.4: 01:00:5e followed by the low 23 bits of the group address. */
export function multicastMac(group: Ipv4): Mac {
  return 0x0100_5e00_0000 + (group & 0x7f_ffff);
}
