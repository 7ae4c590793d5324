/**
 * UDP in a namespace (Linux net/ipv4/udp.c): the port table, demultiplexing, checksums, port
 * unreachable for closed ports, and the ephemeral port choice.
 *
 * - Checksums are verified when present (RFC 768: 0 means none); a bad one is a counted drop
 *   (InCsumErrors), never an exception.
 * - A unicast datagram goes to the best-matching socket (a specific local address and a
 *   connected peer beat wildcards); a broadcast or multicast datagram to every matching socket.
 * - No socket: a unicast datagram gets an ICMP port unreachable quoting it (what traceroute's
 *   last hop answers, as the routed fixture shows); a broadcast one is dropped silently.
 * - Ephemeral ports come from net.ipv4.ip_local_port_range, 32768–60999: a random start drawn
 *   from the namespace's 'udp' RNG fork, then the next free port upwards (wrapping), as
 *   udp_lib_get_port scans from a random offset. SO_REUSEADDR is not modelled: a port with a
 *   wildcard socket, or the same address, is in use.
 */
import { UdpPacket, WireError, verifyUdpChecksum, IcmpType, IcmpUnreachCode, isMulticastIpv4, type Ipv4, type Ipv4Packet } from '../wire';
import type { Rng } from '../sim';
import { Cast, PacketType, type CastKind, type PacketTypeKind } from './cast';
import { DropReason } from './drop-counters';
import type { NetInterface } from './net-interface';
import type { NetworkNamespace } from './network-namespace';
import { StackError } from './stack-error';
import { UdpSocket, type UdpErrorReport } from './udp-socket';

export const UDP_DEFAULTS = {
  /** net.ipv4.ip_local_port_range. */
  ephemeralLow: 32768,
  ephemeralHigh: 60999,
};

/** /proc/net/snmp's Udp: line. */
export interface UdpStats {
  inDatagrams: number;
  noPorts: number;
  inErrors: number;
  inCsumErrors: number;
  outDatagrams: number;
}

export class UdpLayer {
  readonly #ns: NetworkNamespace;
  readonly #rng: Rng;
  readonly #ports = new Map<number, UdpSocket[]>();
  readonly stats: UdpStats = { inDatagrams: 0, noPorts: 0, inErrors: 0, inCsumErrors: 0, outDatagrams: 0 };

  constructor(ns: NetworkNamespace, rng: Rng) {
    this.#ns = ns;
    this.#rng = rng;
  }

  /**
   * bind(2): a socket on `port` (0 = an ephemeral port) and `address` (0 or omitted = any).
   * Throws EADDRNOTAVAIL for an address that is not ours, EADDRINUSE for a taken port, EAGAIN
   * when no ephemeral port is free.
   */
  bind(port = 0, address: Ipv4 = 0): UdpSocket {
    if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new StackError('EINVAL', `bind port ${port}`);
    // inet_bind: our own addresses, and broadcast or multicast addresses (to hear only those).
    if (address !== 0 && !this.#ns.isLocalAddress(address) && !this.#ns.isBroadcastAddress(address) && !isMulticastIpv4(address)) {
      throw new StackError('EADDRNOTAVAIL', 'bind');
    }
    const chosen = port === 0 ? this.#ephemeralPort(address) : port;
    if (port !== 0 && !this.#free(chosen, address)) throw new StackError('EADDRINUSE', `bind port ${port}`);
    const socket = new UdpSocket(this.#ns, this.#rng, address, chosen);
    const list = this.#ports.get(chosen);
    if (list) list.push(socket);
    else this.#ports.set(chosen, [socket]);
    return socket;
  }

  /** @internal Called by UdpSocket.close. */
  forget(socket: UdpSocket): void {
    const list = this.#ports.get(socket.localPort);
    if (!list) return;
    const rest = list.filter((s) => s !== socket);
    if (rest.length === 0) this.#ports.delete(socket.localPort);
    else this.#ports.set(socket.localPort, rest);
  }

  /** Every open socket, by port (for `netstat -ulnp`-like listings). */
  sockets(): UdpSocket[] {
    return [...this.#ports.keys()].sort((a, b) => a - b).flatMap((p) => this.#ports.get(p)!);
  }

  /** A UDP datagram delivered locally. */
  input(ip: Ipv4Packet, iface: NetInterface, cast: CastKind, pktType: PacketTypeKind): void {
    const ns = this.#ns;
    const bytes = ip.payload;
    let udp: UdpPacket;
    try {
      udp = UdpPacket.parse(bytes);
    } catch (e) {
      this.stats.inErrors++;
      ns.drops.count(e instanceof WireError ? e.message : 'udp: malformed', iface.name);
      return;
    }
    const src = ip.src;
    const dst = ip.dst;
    if (!verifyUdpChecksum(bytes, src, dst)) {
      this.stats.inErrors++;
      this.stats.inCsumErrors++;
      ns.drops.count(DropReason.UdpBadChecksum, iface.name);
      return;
    }
    const srcPort = udp.srcPort;
    const list = this.#ports.get(udp.dstPort);
    if (cast === Cast.Local) {
      let best: UdpSocket | undefined;
      let bestScore = -1;
      if (list) {
        for (const s of list) {
          if (!s.accepts(src, srcPort, dst)) continue;
          const score = s.score();
          if (score > bestScore) {
            best = s;
            bestScore = score;
          }
        }
      }
      if (best !== undefined) {
        this.stats.inDatagrams++;
        best.deliver(udp.payload, src, srcPort, dst);
        return;
      }
      this.stats.noPorts++;
      ns.drops.count(DropReason.UdpNoPort, iface.name);
      ns.icmp.sendError(ip.packet, IcmpType.DestUnreachable, IcmpUnreachCode.Port, 0, pktType === PacketType.Host || iface.kind === 'loopback');
      return;
    }
    // Broadcast and multicast: every socket that matches gets a copy (__udp4_lib_mcast_deliver).
    let delivered = false;
    if (list) {
      const payload = udp.payload;
      for (const s of [...list]) {
        // A socket bound to a unicast address hears no broadcasts; a wildcard one, or one bound
        // to the broadcast/group address itself, does.
        if (!s.accepts(src, srcPort, dst)) continue;
        s.deliver(payload, src, srcPort, dst);
        delivered = true;
      }
    }
    if (delivered) this.stats.inDatagrams++;
    else {
      this.stats.noPorts++;
      ns.drops.count(DropReason.UdpNoPort, iface.name);
    }
  }

  /** An ICMP error quoting a UDP datagram: the socket that sent it hears about it (__udp4_lib_err). */
  icmpError(err: UdpErrorReport): void {
    const list = this.#ports.get(err.originalSrcPort);
    if (!list) return;
    for (const s of list) {
      if (s.localAddress !== 0 && s.localAddress !== err.originalSrc) continue;
      if (s.remoteAddress !== undefined && (s.remoteAddress !== err.originalDst || s.remotePort !== err.originalDstPort)) continue;
      s.deliverError(err);
      return;
    }
  }

  #free(port: number, address: Ipv4): boolean {
    const list = this.#ports.get(port);
    if (!list) return true;
    return !list.some((s) => s.localAddress === 0 || address === 0 || s.localAddress === address);
  }

  #ephemeralPort(address: Ipv4): number {
    const { ephemeralLow: low, ephemeralHigh: high } = UDP_DEFAULTS;
    const span = high - low + 1;
    const start = this.#rng.int(span);
    for (let i = 0; i < span; i++) {
      const port = low + ((start + i) % span);
      if (this.#free(port, address)) return port;
    }
    throw new StackError('EAGAIN', 'bind');
  }
}
